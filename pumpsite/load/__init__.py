"""Reading the repository: the files pumpsite reads, turned into the model and its problems."""

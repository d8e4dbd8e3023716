"""`pumpsite publish`: the built site committed to a branch with git plumbing, then pushed."""

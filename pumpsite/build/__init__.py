"""`pumpsite build`: the site handed to the engine (MkDocs), the chart cache, pumpsite's own
folders, and the atomic swap into place."""

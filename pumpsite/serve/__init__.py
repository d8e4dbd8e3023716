"""`pumpsite serve`: a rebuild on every save, the preview's web server with live reload, and the
source watcher."""

"""pumpsite: measures-as-code for the PuMP performance-measurement method."""

__version__ = "0.1.0"

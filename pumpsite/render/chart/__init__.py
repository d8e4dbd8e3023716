"""One XmR chart as inline-safe SVG: what it shows (plan, guides, words), drawn by hand."""

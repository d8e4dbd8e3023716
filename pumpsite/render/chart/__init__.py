"""One XmR chart as inline-safe SVG: what it shows, its guides, the drawing, the SVG made safe."""

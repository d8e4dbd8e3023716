"""The site as a value: view-models, pages from templates, charts, the results map, and the
Markdown extensions that keep the generated HTML safe."""

"""`pumpsite pull`: run the measures' sources and write their data as CSV snapshots.

The only part of pumpsite that runs a source (a file of raw records, a SQL query), and so the
only one that imports DuckDB or SQLAlchemy: `build`, `check`, `serve` and `diff` read the
snapshots in `data/` and never run a query a pull request may have edited (docs/sources.md).

- `problems`  the PS81x–PS83x problems found by running a source, and the error that carries one
- `records`   raw records (CSV, .xlsx, Parquet, a query's rows) aggregated per period in DuckDB
- `query`     SQL sources: named connections, `${NAME}` from the environment, DuckDB or SQLAlchemy
- `snapshot`  the CSV a pull writes, what changed since the last one, the atomic write
- `run`       one pull: which measures, each one's values, the period in progress left out
"""

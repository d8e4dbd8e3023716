"""`pumpsite pull` at scale: a year of tickets, a few million raw records, aggregated per week.

    python benchmarks/pull.py                  # 3,000,000 records (the README's figures)
    python benchmarks/pull.py --rows 1000000   # another size

The records are generated here with DuckDB (deterministic), as a CSV file and as a Parquet
file; each measure is pulled in a fresh Python process, as the command line runs it, which
reports its own wall time and peak resident memory. Three sources: the CSV counted per week
with a filter, the Parquet file's median per week, and a DuckDB query of the CSV giving a
percentage per month (a ratio). Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

AS_OF = "2026-12-31"
CHILD = """
import atexit, resource, sys, time
started = time.perf_counter()
def report():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"BENCH {time.perf_counter() - started:.2f} {peak}", file=sys.stderr)
atexit.register(report)
from pumpsite.cli import main
sys.argv = ["pumpsite", "pull", *sys.argv[1:]]
main()
"""
SOURCES = {
    "tickets-csv": (
        "weekly",
        "file: data/raw/tickets.csv\n  date: opened\n  where: {kind: incident}",
    ),
    "hours-parquet": (
        "weekly",
        "file: data/raw/tickets.parquet\n  date: opened\n  aggregate: median\n  column: hours",
    ),
    "late-query": (
        "monthly",
        "query: SELECT * FROM 'data/raw/tickets.csv'\n  date: opened\n  aggregate: ratio\n"
        "  numerator: late\n  scale: 100\n  decimals: 2",
    ),
}


def generate(root: Path, rows: int) -> None:
    (root / "measures").mkdir(parents=True)
    (root / "data/raw").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Pull benchmark\n")
    (root / "measures/g.md").write_text("---\nkind: goal\ntitle: Tickets are resolved\n---\n")
    for name, (frequency, source) in SOURCES.items():
        (root / f"measures/{name}.md").write_text(
            f"---\ntitle: {name}\ngoal: g\nfrequency: {frequency}\nbetter: down\n"
            f"source:\n  {source}\n---\n"
        )
    records = (
        "SELECT i AS id, TIMESTAMP '2026-01-01' + to_seconds((i * 7919) % 31536000) AS opened, "
        "CASE WHEN i % 5 = 0 THEN 'request' ELSE 'incident' END AS kind, "
        "round(((i * 104729) % 9000) / 100.0, 2) AS hours, (i % 7 = 0) AS late "
        f"FROM range({rows}) t(i)"
    )
    with duckdb.connect() as con:
        con.execute(f"COPY ({records}) TO '{root / 'data/raw/tickets.csv'}' (HEADER)")
        con.execute(f"COPY ({records}) TO '{root / 'data/raw/tickets.parquet'}' (FORMAT parquet)")


def time_pull(root: Path, measure: str) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, measure, "--path", str(root), "--as-of", AS_OF],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("BENCH "))
    seconds, peak_kib = line.split()[1:]
    return float(seconds), int(peak_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pumpsite-bench-pull-") as folder:
        root = Path(folder)
        generate(root, args.rows)
        size = (root / "data/raw/tickets.csv").stat().st_size / 1e6
        print(f"{args.rows:,} records: CSV {size:.0f} MB")
        print("| source | records | pull time | peak memory |\n|---|---:|---:|---:|")
        for measure in SOURCES:
            seconds, peak = time_pull(root, measure)
            print(f"| {measure} | {args.rows:,} | {seconds:.1f} s | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()

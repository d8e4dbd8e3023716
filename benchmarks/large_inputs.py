"""Large inputs stay bounded: time and peak memory of `pumpsite check` on big repositories.

    python benchmarks/large_inputs.py            # the figures in the README (about a minute)
    python benchmarks/large_inputs.py --keep DIR # and keep the generated repositories in DIR

Each case is generated here (deterministic), then checked in a fresh Python process, as the
command line runs it; the process reports its own wall time and peak resident memory (maxrss).
Cases: the small corpus base repository (the floor: Python, imports), one measure with a
100,000-row daily CSV, and a repository of 5,000 measures under 100 goals (60 monthly values
each). Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "corpus" / "_base"
AS_OF = "2026-11-30"

CHILD = """
import atexit, resource, sys, time
started = time.perf_counter()
def report():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"BENCH {time.perf_counter() - started:.2f} {peak}", file=sys.stderr)
atexit.register(report)
from pumpsite.cli import main
sys.argv = ["pumpsite", "check", sys.argv[1], "--as-of", sys.argv[2]]
main()
"""


def goal(title: str, parent: str | None = None) -> str:
    up = f"parent: {parent}\n" if parent else ""
    return f"---\nkind: goal\ntitle: {title}\n{up}---\n"


def measure(title: str, goal_id: str, frequency: str) -> str:
    return (
        f"---\ntitle: {title}\ngoal: {goal_id}\nowner: Dana Ortiz\nunit: orders\n"
        f"frequency: {frequency}\nbetter: up\nroles:\n  - {{from: 2020-Q1, role: sustain}}\n"
        "---\nNotes.\n"
    )


def values(count: int, seed: int) -> list[str]:
    """A steady process with some noise, deterministic without a random generator."""
    return [f"{100 + ((i * 7919 + seed * 104729) % 41) - 20}.{i % 10}" for i in range(count)]


def big_csv(root: Path) -> None:
    (root / "measures").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "measures" / "g.md").write_text(goal("Orders arrive when promised"))
    (root / "measures" / "daily.md").write_text(measure("Orders per day", "g", "daily"))
    first = date(1750, 1, 1)
    rows = [f"{first + timedelta(days=i)},{v}\n" for i, v in enumerate(values(100_000, 1))]
    (root / "data" / "daily.csv").write_text("period,value\n" + "".join(rows))


def many_measures(root: Path) -> None:
    (root / "measures").mkdir(parents=True)
    (root / "data").mkdir()
    for g in range(100):
        parent = None if g < 10 else f"g{g % 10}"
        (root / "measures" / f"g{g}.md").write_text(goal(f"Result {g} is happening", parent))
    months = [f"{2021 + m // 12}-{m % 12 + 1:02d}" for m in range(60)]
    for n in range(5_000):
        folder = root / "measures" / f"team{n // 500}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{n}.md").write_text(measure(f"Measure {n}", f"g{n % 100}", "monthly"))
        rows = [f"{p},{v}\n" for p, v in zip(months, values(60, n), strict=True)]
        (root / "data" / f"m{n}.csv").write_text("period,value\n" + "".join(rows))


def base_repository(root: Path) -> None:
    shutil.copytree(BASE, root)


CASES: dict[str, Callable[[Path], None]] = {
    "base repository (1 goal, 1 measure)": base_repository,
    "one CSV of 100,000 rows": big_csv,
    "5,000 measures, 100 goals": many_measures,
}


def check(root: Path) -> tuple[float, float, int]:
    """Seconds, peak MiB, and the exit code of `pumpsite check` on `root`."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), AS_OF], capture_output=True, text=True
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("BENCH "))
    seconds, kib = line.split()[1:]
    return float(seconds), int(kib) / 1024, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the generated repositories here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pumpsite-large-"))
    print("| input | files | check time | peak memory | exit |")
    print("|---|---:|---:|---:|---:|")
    try:
        for index, (name, generate) in enumerate(CASES.items()):
            root = folder / f"case{index}"
            shutil.rmtree(root, ignore_errors=True)
            generate(root)
            files = sum(1 for p in root.rglob("*") if p.is_file())
            seconds, mib, code = check(root)
            print(f"| {name} | {files:,} | {seconds:.1f} s | {mib:.0f} MiB | {code} |")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Time `pumpsite check` on synthetic repositories, and compare two source trees side by side.

    python benchmarks/check.py --sizes 500,2000,5000
    python benchmarks/check.py --sizes 500,2000,5000 --against 436baab
    python benchmarks/check.py --sizes 500 --against 436baab --serve

Each size is a repository from benchmarks/generate.py (N measures × 60 monthly points, seed 1).
Each timing is a fresh Python process running `pumpsite check` as the command line does (wall
and CPU seconds, best of --repeat), then one more process timing the steps inside it (CPU
seconds): load (the same step a build and each serve rebuild start with), check, analyse. With
--against, pumpsite's source at another commit (from `git archive`) runs in the same loop,
alternating, so that both see the same machine load. With --serve, what is timed instead is
the inspection (load, check, analyse) of a `pumpsite serve` rebuild after one CSV edit, in CPU
seconds: with the memo serve keeps, where the source has one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # a sibling script, not a package

HERE = Path(__file__).resolve().parents[1]
CHECK = "import sys; from pumpsite.cli import cli; cli(['check', *sys.argv[1:]], 'pumpsite')"
PRELUDE = """\
import json, sys, time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from pumpsite.build.timing import Stopwatch
from pumpsite.checks.inspection import inspect

class CpuStopwatch(Stopwatch):
    @contextmanager
    def lap(self, name):
        started = time.process_time()
        try:
            yield
        finally:
            self.laps[name] = self.laps.get(name, 0.0) + time.process_time() - started

clock = CpuStopwatch()
root = Path(sys.argv[1])
"""
STEPS = (
    PRELUDE
    + """\
inspect(root, today=date(2026, 12, 1), stopwatch=clock)
print(json.dumps(clock.laps))
"""
)
# A serve rebuild after one CSV edit, as `pumpsite serve` runs it: the first build's inspection,
# one measure's last value changed, the rebuild's inspection timed (with serve's memo where the
# source has one). The CSV file is put back as it was.
SERVE = (
    PRELUDE
    + """\
memo = {}
if "memo" in __import__("inspect").signature(inspect).parameters:
    from pumpsite.load.memo import LoadMemo
    memo = {"memo": LoadMemo()}
inspect(root, today=date(2026, 12, 1), **memo)
csv = root / "data" / "measure-00000.csv"
original = csv.read_bytes()
lines = original.decode().splitlines()
period, value, *rest = lines[-1].split(",")
lines[-1] = ",".join([period, str(float(value) + 1), *rest])
csv.write_text("\\n".join(lines) + "\\n")
try:
    inspect(root, today=date(2026, 12, 1), stopwatch=clock, **memo)
finally:
    csv.write_bytes(original)
print(json.dumps(clock.laps))
"""
)


def run(source: Path, code: str, root: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of `code` in a fresh process, and its output."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # -P: not the current folder first on the path, which would put the working tree's pumpsite
    # before `source` when the benchmark runs from the repository
    done = subprocess.run(
        [sys.executable, "-P", "-c", code, str(root)], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: check found errors, which a benchmark may time
        raise SystemExit(f"{source}: {done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stdout


def git(*arguments: str) -> bytes:
    return subprocess.run(["git", "-C", str(HERE), *arguments], capture_output=True).stdout


def source_at(commit: str, work: Path) -> Path:
    """pumpsite's source at `commit`, unpacked under `work`."""
    folder = work / f"src-{commit}"
    if not folder.exists():
        folder.mkdir(parents=True)
        archive = git("archive", commit, "pumpsite")
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--against", help="another commit to time alongside, e.g. 436baab")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pumpsite-check-benchmark"))
    parser.add_argument(
        "--serve",
        action="store_true",
        help="time a serve rebuild's inspection after one CSV edit instead of `pumpsite check`",
    )
    args = parser.parse_args()
    head = git("rev-parse", "--short", "HEAD").decode().strip()
    if git("status", "--porcelain", "pumpsite"):
        head += " + edits"
    sources = {HERE: head}
    if args.against:
        sources[source_at(args.against, args.work)] = args.against
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if args.serve:
        serve_rebuilds(sources, args)
        return
    print("| N measures | source | check (wall) | check (CPU) | load | check | analyse |")
    print("|---|---|---|---|---|---|---|")
    for size in [int(n) for n in args.sizes.split(",")]:
        root = repository(args.work, size)
        best: dict[Path, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for source in sources:
                wall, cpu, _ = run(source, CHECK, root)
                old = best.get(source, (wall, cpu))
                best[source] = (min(wall, old[0]), min(cpu, old[1]))
        for source in sources:
            laps = json.loads(run(source, STEPS, root)[2].strip().splitlines()[-1])
            wall, cpu = best[source]
            steps = " | ".join(
                f"{laps.get(name, 0.0):.1f} s" for name in ("load", "check", "analyse")
            )
            print(f"| {size} | {sources[source]} | {wall:.1f} s | {cpu:.1f} s | {steps} |")
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)


def repository(work: Path, size: int) -> Path:
    root = work / f"n{size}"
    if not (root / "mkdocs.yml").exists():
        generate.generate(root, measures=size, points=60, seed=1)
    return root


def serve_rebuilds(sources: dict[Path, str], args: argparse.Namespace) -> None:
    """CPU seconds of a serve rebuild's steps after one CSV edit, best of --repeat."""
    print("| N measures | source | load + analyse | load | check | analyse |")
    print("|---|---|---|---|---|---|")
    for size in [int(n) for n in args.sizes.split(",")]:
        root = repository(args.work, size)
        best: dict[Path, dict[str, float]] = {}
        for _ in range(args.repeat):
            for source in sources:
                laps = json.loads(run(source, SERVE, root)[2].strip().splitlines()[-1])
                old = best.get(source)
                if old is None or laps["load"] + laps["analyse"] < old["load"] + old["analyse"]:
                    best[source] = laps
        for source, laps in best.items():
            both = laps["load"] + laps["analyse"]
            steps = " | ".join(f"{laps[name]:.2f} s" for name in ("load", "check", "analyse"))
            print(f"| {size} | {sources[source]} | {both:.2f} s | {steps} |")
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()

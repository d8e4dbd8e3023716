"""Peak memory of a `pumpsite build`, as the command line runs it (issue 17: ≤ 600 MB at 2,000).

    python benchmarks/memory.py --measures 2000            # generate, then a cold build
    python benchmarks/memory.py --repo /tmp/r --cache      # an existing repository, warm cache

The build runs in its own process; this script reads the resident set size of that process and
of every process under it (chart workers, the engine's process) from /proc every 50 ms, so it
needs Linux. It reports:
- the build process's own peak (and the kernel's `ru_maxrss` of it, as a check on the sampling);
- the peak of the SUM of the RSS of all processes alive at the same moment: what the machine
  must hold. With the engine or the charts in child processes, this is the honest figure, not
  the largest single process;
- that sum's peak in each step the build announces (its progress lines), so one sees where it
  is reached;
- wall and CPU seconds (user + system of the build and all its children).

RSS counts pages shared between a parent and its forked children once per process, so the sum
overstates slightly when workers are forked; it never understates.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # a sibling script, not a package

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
INTERVAL = 0.05


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0  # the process ended meanwhile


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """(the process's own RSS, the sum over it and all its descendants), in KB."""
    own = _rss_kb(pid)
    total, pending = own, _children(pid)
    while pending:
        child = pending.pop()
        total += _rss_kb(child)
        pending.extend(_children(child))
    return own, total


@dataclass
class Samples:
    step: str = "start"
    own_peak: int = 0
    sum_peak: int = 0
    sum_peak_step: str = ""
    by_step: dict[str, int] = field(default_factory=dict)

    def add(self, own: int, total: int) -> None:
        self.own_peak = max(self.own_peak, own)
        if total > self.sum_peak:
            self.sum_peak, self.sum_peak_step = total, self.step
        self.by_step[self.step] = max(self.by_step.get(self.step, 0), total)


def _follow(stream: object, samples: Samples, lines: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line)
        text = line.strip()
        if text.startswith("▸"):
            samples.step = text.removeprefix("▸").strip().rstrip("…")


def measure(repo: Path, *, cache: bool) -> dict[str, object]:
    """Build `repo` in a fresh process and return what was measured."""
    command = [sys.executable, "-c", "from pumpsite.cli import main; main()", "build", str(repo)]
    if not cache:
        command.append("--no-cache")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    samples, lines = Samples(), list[str]()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    reader = threading.Thread(target=_follow, args=(process.stderr, samples, lines), daemon=True)
    reader.start()
    while process.poll() is None:
        samples.add(*tree_rss_kb(process.pid))
        time.sleep(INTERVAL)
    wall = time.perf_counter() - started
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"the build failed:\n{''.join(lines)}")
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "build_process_peak_mb": round(samples.own_peak / 1024),
        "ru_maxrss_largest_process_mb": round(after.ru_maxrss / 1024),
        "concurrent_sum_peak_mb": round(samples.sum_peak / 1024),
        "concurrent_sum_peak_step": samples.sum_peak_step,
        "concurrent_sum_peak_by_step_mb": {k: round(v / 1024) for k, v in samples.by_step.items()},
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, help="an existing repository (else one is generated)")
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--cache", action="store_true", help="keep the chart cache (warm build)")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("benchmarks/memory.py reads /proc: Linux only")
    with tempfile.TemporaryDirectory(prefix="pumpsite-memory-") as scratch:
        repo = args.repo
        if repo is None:
            repo = Path(scratch) / "repo"
            generate.generate(repo, measures=args.measures, points=args.points, seed=1)
        print(json.dumps(measure(repo.resolve(), cache=args.cache), indent=2))


if __name__ == "__main__":
    main()

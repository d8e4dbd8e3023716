"""Benchmark pumpsite against its own engine on synthetic repositories, in one run.

    python benchmarks/run.py                        # N = 100 × 60 points: a few minutes
    python benchmarks/run.py --sizes 100,500,2000   # the full run behind the README figures
    python benchmarks/run.py --xmr-only             # XmR against statprocon only: a minute

For each size it generates a repository (benchmarks/generate.py), then measures, each build in
a fresh Python process as the command line runs it:
- a cold `pumpsite build` (no chart cache) against `mkdocs build -f .pumpsite/mkdocs.yml` of the
  very project pumpsite generated (the engine-only floor), as a ratio;
- a rebuild after editing one CSV, as a ratio to engine-only, and how many charts it drew;
- a rebuild with nothing changed (does the engine get cheaper when no file changed?);
- pumpsite's own split (BuildResult.timings), HTML size per measure page, peak RSS;
then XmR analysis throughput against statprocon on the measures' series, checking that both
give the same limits and points beyond them. It prints Markdown for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # a sibling script, not a package

from pumpsite.build.chart_cache import code_fingerprint

LAPS = ("load", "check", "analyse", "charts", "pages", "write", "engine", "swap")
GOALS = {
    "cold": 2.0,  # × engine-only at N = 500 and 2,000 × 60
    "rebuild": 1.2,  # × engine-only, with exactly one chart drawn
    "html_kb": 80.0,  # per measure page at N = 2000
    "rss_mb": 600.0,  # at N = 2000
}
EDITED = "measure-00000"
CODE_CHANGED = (
    "**pumpsite's source changed during this run**: the chart cache's key includes it, so the "
    "rebuilds drew every chart and their figures are void. Run again from a tree nobody edits "
    "(a separate clone, with PYTHONPATH pointing at it)."
)


# --- a build in its own process ------------------------------------------------------------------


def child_build(root: Path, cache: bool) -> None:
    """Run in a fresh process: build, then print what happened as one JSON line."""
    from datetime import date

    from pumpsite.build.run import build

    result = build(root, today=date.fromisoformat(generate.REPORT_DATE), cache=cache)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = {
        "ok": result.ok,
        "failure": result.failure,
        "timings": result.timings,
        "rendered": result.charts_rendered,
        "cached": result.charts_cached,
        "rss_mb": own,
        "worker_rss_mb": workers,
    }
    print(json.dumps(report))


def child_engine(config: Path, out: Path) -> None:
    """Run in a fresh process: `mkdocs build`, as pumpsite's engine step runs it (the same
    calls, with `pumpsite.build.engine_speed`: Material's search plugin makes three more Jinja
    environments a build, which then share compiled templates), then print its peak RSS as one
    JSON line. Only `engine_speed` of pumpsite is imported, so the floor pays for no import of
    pumpsite's own."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from pumpsite.build import engine_speed

    engine_speed.before_loading()
    loaded = load_config(str(config), site_dir=str(out))
    engine_speed.reuse_across_builds(loaded.theme)
    loaded.plugins.on_startup(command="build", dirty=False)
    try:
        build(loaded)
    finally:
        loaded.plugins.on_shutdown()
    print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


@dataclass
class Run:
    """One command in its own process: wall and CPU seconds (its worker processes included)
    and what it reported on its last line."""

    wall: float
    cpu: float
    report: dict[str, Any]


def run_child(*arguments: str) -> Run:
    command = [sys.executable, __file__, *arguments]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return Run(wall, cpu, json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class Build:
    wall: float
    cpu: float
    timings: dict[str, float]
    rendered: int
    cached: int
    rss_mb: float
    worker_rss_mb: float


def timed_build(root: Path, cache: bool = True) -> Build:
    run = run_child("--child-build", str(root), *([] if cache else ["--no-cache"]))
    report = run.report
    if not report["ok"]:
        raise SystemExit(f"build failed: {report['failure']}")
    return Build(
        run.wall,
        run.cpu,
        report["timings"],
        report["rendered"],
        report["cached"],
        report["rss_mb"],
        report["worker_rss_mb"],
    )


def engine_only(root: Path, out: Path) -> Run:
    """`mkdocs build` of the project pumpsite wrote, into a scratch folder."""
    shutil.rmtree(out, ignore_errors=True)
    run = run_child("--child-engine", str(root / ".pumpsite" / "mkdocs.yml"), str(out))
    shutil.rmtree(out, ignore_errors=True)
    return run


def edit_one_csv(root: Path) -> None:
    """Change the last value of one measure, as a person updating this month's figure would."""
    path = root / "data" / f"{EDITED}.csv"
    lines = path.read_text().splitlines()
    period, value, note = lines[-1].split(",")
    lines[-1] = f"{period},{float(value) + 1.5:.1f},{note}"
    path.write_text("\n".join(lines) + "\n")


# --- page sizes -----------------------------------------------------------------------------------


@dataclass
class PageSizes:
    mean_kb: float
    max_kb: float
    svg_kb: float  # mean inline SVG per measure page
    nav_kb: float  # mean primary navigation per measure page
    site_mb: float


def _between(html: str, start: str, end: str) -> int:
    i = html.find(start)
    j = html.find(end, i)
    return j - i if i >= 0 and j > i else 0


def page_sizes(site: Path) -> PageSizes:
    # measures/<id>.html, or measures/<id>/index.html with `use_directory_urls: true`
    pages = sorted((site / "measures").glob("*.html")) or sorted(
        (site / "measures").glob("*/index.html")
    )
    sizes, svgs, navs = [], [], []
    for page in pages:
        html = page.read_text()
        sizes.append(len(html.encode()))
        svgs.append(sum(len(part.split("</svg>")[0]) for part in html.split("<svg")[1:]))
        navs.append(
            _between(html, 'class="md-sidebar md-sidebar--primary"', "md-sidebar--secondary")
        )
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    kb = 1024
    return PageSizes(
        statistics.mean(sizes) / kb,
        max(sizes) / kb,
        statistics.mean(svgs) / kb,
        statistics.mean(navs) / kb,
        total / kb / kb,
    )


# --- one size -----------------------------------------------------------------------------------


@dataclass
class SizeResult:
    """Each engine-only run is paired with the build measured just before it, so that both
    see about the same load from whatever else the machine is doing."""

    measures: int
    points: int
    cold: Build
    engine: Run  # right after the cold build
    rebuild: Build
    engine_again: Run  # right after the rebuild
    unchanged: Build
    pages: PageSizes
    load: tuple[float, float] = field(default=(0.0, 0.0))  # load average before, after

    @property
    def cold_ratio(self) -> float:
        return self.cold.wall / self.engine.wall

    @property
    def rebuild_ratio(self) -> float:
        return self.rebuild.wall / self.engine_again.wall


def run_size(work: Path, measures: int, points: int, seed: int) -> SizeResult:
    root = work / f"repo-{measures}x{points}"
    root.mkdir(parents=True, exist_ok=True)
    generate.generate(root, measures, points, seed)
    before = os.getloadavg()[0]

    def step(text: str) -> None:
        print(f"  N = {measures} × {points}: {text}…", file=sys.stderr, flush=True)

    step("cold build")
    cold = timed_build(root)  # generate() left no cache behind: every chart is drawn
    pages = page_sizes(root / "site")
    step("engine only")
    engine = engine_only(root, work / "engine-site")
    step("rebuild after editing one CSV")
    edit_one_csv(root)
    rebuild = timed_build(root)
    step("engine only, again")
    engine_again = engine_only(root, work / "engine-site")
    step("rebuild with nothing changed")
    unchanged = timed_build(root)
    after = os.getloadavg()[0]
    return SizeResult(
        measures, points, cold, engine, rebuild, engine_again, unchanged, pages, (before, after)
    )


# --- XmR against statprocon -----------------------------------------------------------------------


@dataclass
class XmrResult:
    data: str
    series: int
    points: int
    ours_us: float
    theirs_us: float
    same: int
    compared: int

    @property
    def ratio(self) -> float:
        return self.theirs_us / self.ours_us


def _series_of(root: Path) -> list[list[float]]:
    from pumpsite.load.repo import load_repo

    repo, _ = load_repo(root)
    found = []
    for measure in repo.measures.values():
        if measure.series is not None:
            values = [o.value for o in measure.series.observations if o.value is not None]
            found.append(values)
    return found


def _synthetic(count: int, points: int) -> list[list[float]]:
    rng = random.Random(points)
    return [[round(rng.gauss(100, 10), 1) for _ in range(points)] for _ in range(count)]


def _ties(count: int, points: int) -> list[list[float]]:
    """Whole numbers on a central line of exactly 10, a third of the later values on it: every
    one of those is compared with the line exactly, pumpsite's slow path."""
    rng = random.Random(points + 1)
    base = [9.0, 11.0] * 10
    rest = [float(rng.choice((8, 9, 10, 10, 11, 12))) for _ in range(points - len(base))]
    return [base + rng.sample(rest, len(rest)) for _ in range(count)]


def _ours(values: Sequence[float]) -> Any:
    from pumpsite.analysis.xmr import Options, analyse

    return analyse(values, Options(baseline_size=20))


def _theirs(values: Sequence[float]) -> Any:
    """The same work in statprocon: limits on the first 20 points and Wheeler's rules."""
    import statprocon

    chart = statprocon.XmR(list(values), subset_end_index=20)  # type: ignore[attr-defined]
    limits = (
        chart.x_central_line()[0],
        chart.upper_natural_process_limit()[0],
        chart.lower_natural_process_limit()[0],
        chart.upper_range_limit()[0],
    )
    beyond = chart.rule_1_x_indices_beyond_limits()
    chart.rule_1_mr_indices_beyond_limits()
    chart.rule_2_runs_about_central_line()
    chart.rule_3_runs_near_limits()
    return limits, beyond


def _agrees(ours: Any, theirs: Any, values: Sequence[float]) -> bool | None:
    """Same limits (statprocon rounds to 3 decimals) and the same points beyond them; None when
    a value is so close to a limit that rounding could decide."""
    limits = ours.phases[0].limits
    mine = (limits.center, limits.unpl, limits.lnpl, limits.url)
    if any(abs(v - line) < 0.01 for v in values for line in mine[1:3]):
        return None
    same_limits = all(abs(a - float(b)) < 0.005 for a, b in zip(mine, theirs[0], strict=True))
    beyond = {i for s in ours.signals if s.rule == "beyond_limits" for i in s.points}
    return same_limits and beyond == {i for i, hit in enumerate(theirs[1]) if hit}


def _per_series_us(function: Any, series: list[list[float]]) -> tuple[float, list[Any]]:
    best = float("inf")
    results: list[Any] = []
    for _ in range(3):  # the best of three: the machine may be busy
        started = time.perf_counter()
        results = [function(values) for values in series]
        best = min(best, time.perf_counter() - started)
    return best / len(series) * 1e6, results


def run_xmr(data: str, series: list[list[float]]) -> XmrResult:
    series = [values for values in series if len(values) >= 20]
    ours_us, ours = _per_series_us(_ours, series)
    theirs_us, theirs = _per_series_us(_theirs, series)
    verdicts = [_agrees(o, t, v) for o, t, v in zip(ours, theirs, series, strict=True)]
    compared = [v for v in verdicts if v is not None]
    points = round(statistics.mean(len(v) for v in series))
    return XmrResult(data, len(series), points, ours_us, theirs_us, sum(compared), len(compared))


def xmr_runs(largest: Path | None) -> list[XmrResult]:
    runs = [run_xmr("the measures' data", _series_of(largest)[:500])] if largest else []
    runs += [run_xmr("random, 1 decimal", _synthetic(100, n)) for n in (20, 60, 240, 1000)]
    return [*runs, run_xmr("whole numbers, a third on the central line", _ties(100, 60))]


# --- report -------------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def report_sizes(results: list[SizeResult]) -> list[str]:
    lines = [
        "| N × points | cold build | engine only | cold ÷ engine | one-CSV rebuild | "
        "engine only, again | rebuild ÷ engine | charts drawn | load average |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.measures} × {r.points} | {_s(r.cold.wall)} | {_s(r.engine.wall)} | "
            f"{r.cold_ratio:.2f}× | {_s(r.rebuild.wall)} | {_s(r.engine_again.wall)} | "
            f"{r.rebuild_ratio:.2f}× | {r.rebuild.rendered} of "
            f"{r.rebuild.rendered + r.rebuild.cached} | {r.load[0]:.1f} → {r.load[1]:.1f} |"
        )
    lines += [
        "",
        "CPU seconds (user + system, chart workers included): steadier than wall time on a "
        "busy machine, but blind to the second core.",
        "",
        "| N × points | cold build | engine only | cold ÷ engine | one-CSV rebuild | "
        "engine only, again | rebuild ÷ engine |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.measures} × {r.points} | {_s(r.cold.cpu)} | {_s(r.engine.cpu)} | "
            f"{r.cold.cpu / r.engine.cpu:.2f}× | {_s(r.rebuild.cpu)} | "
            f"{_s(r.engine_again.cpu)} | {r.rebuild.cpu / r.engine_again.cpu:.2f}× |"
        )
    lines += [
        "",
        "pumpsite's own split (seconds, from `BuildResult.timings`; *start* is the Python start "
        "and imports, the rest of the wall time):",
        "",
        "| N × points | build | start | " + " | ".join(LAPS) + " |",
        "|---|---|---|" + "---|" * len(LAPS),
    ]
    for r in results:
        for name, b in (("cold", r.cold), ("one CSV", r.rebuild), ("unchanged", r.unchanged)):
            start = b.wall - sum(b.timings.values())
            laps = " | ".join(f"{b.timings.get(lap, 0.0):.1f}" for lap in LAPS)
            lines.append(f"| {r.measures} × {r.points} | {name} | {start:.1f} | {laps} |")
    lines += [
        "",
        "| N × points | measure page (mean / max) | of which chart SVG | of which navigation | "
        "whole site | peak RSS: build / chart worker / engine only |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r.pages
        lines.append(
            f"| {r.measures} × {r.points} | {p.mean_kb:.0f} / {p.max_kb:.0f} KB | "
            f"{p.svg_kb:.0f} KB | {p.nav_kb:.0f} KB | {p.site_mb:.0f} MB | "
            f"{r.cold.rss_mb:.0f} / {r.cold.worker_rss_mb:.0f} / "
            f"{r.engine.report['rss_mb']:.0f} MB |"
        )
    return lines


def report_xmr(results: list[XmrResult]) -> list[str]:
    lines = [
        "| data | series | points each | pumpsite | per 1,000 series | statprocon | speed ratio "
        "| same numbers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in results:
        lines.append(
            f"| {x.data} | {x.series} | {x.points} | {x.ours_us:.0f} µs | "
            f"{x.ours_us / 1000:.2f} s | {x.theirs_us:.0f} µs | {x.ratio:.1f}× | "
            f"{x.same} of {x.compared} |"
        )
    return lines


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report_goals(sizes: list[SizeResult], xmr: XmrResult) -> list[str]:
    by_n = {r.measures: r for r in sizes if r.points == 60}
    lines = ["| goal | measured | verdict |", "|---|---|---|"]
    for n in (500, 2000):
        if n in by_n:
            ratio = by_n[n].cold_ratio
            cold = f"{ratio:.2f}× | {_verdict(ratio <= GOALS['cold'])}"
            lines.append(f"| cold ≤ {GOALS['cold']}× engine-only at N = {n} × 60 | {cold} |")
    for r in sizes:
        ok = r.rebuild_ratio <= GOALS["rebuild"] and r.rebuild.rendered == 1
        lines.append(
            f"| one-CSV rebuild ≤ {GOALS['rebuild']}× engine-only, one chart drawn "
            f"(N = {r.measures}) | {r.rebuild_ratio:.2f}×, {r.rebuild.rendered} drawn | "
            f"{_verdict(ok)} |"
        )
    if 2000 in by_n:
        big = by_n[2000]
        html = f"{big.pages.mean_kb:.0f} KB on average, {big.pages.max_kb:.0f} KB at most"
        html_ok = big.pages.max_kb <= GOALS["html_kb"]
        lines.append(
            f"| HTML per measure page ≤ 80 KB at N = 2000 | {html} | {_verdict(html_ok)} |"
        )
        rss = (
            f"{big.cold.rss_mb:.0f} MB (engine only: {big.engine.report['rss_mb']:.0f} MB) | "
            f"{_verdict(big.cold.rss_mb <= GOALS['rss_mb'])}"
        )
        lines.append(f"| peak RSS ≤ 600 MB at N = 2000 | {rss} |")
    cost = f"{xmr.ours_us / 1000:.2f} s ({xmr.ratio:.1f}× faster than statprocon) | stated"
    lines.append(f"| XmR cost per 1,000 series of {xmr.points} values | {cost} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100", help="measure counts, comma-separated")
    parser.add_argument("--points", type=int, default=60, help="points per measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pumpsite-benchmark"))
    parser.add_argument("--child-build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-cache", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-engine", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--xmr-only", action="store_true", help="only XmR against statprocon, on synthetic series"
    )
    args = parser.parse_args()
    if args.xmr_only:
        print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}.\n")
        print("\n".join(report_xmr(xmr_runs(None))))
        return
    if args.child_build:
        child_build(args.child_build, cache=not args.no_cache)
        return
    if args.child_engine:
        child_engine(*args.child_engine)
        return
    sizes = [int(n) for n in args.sizes.split(",")]
    print(f"Benchmarking N = {sizes} × {args.points} points in {args.work}", file=sys.stderr)
    code = code_fingerprint()
    results = [run_size(args.work, n, args.points, args.seed) for n in sizes]
    print("  XmR against statprocon…", file=sys.stderr, flush=True)
    xmr = xmr_runs(args.work / f"repo-{sizes[-1]}x{args.points}")
    if code_fingerprint() != code:
        print(CODE_CHANGED, file=sys.stderr)
        print(f"{CODE_CHANGED}\n")
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}.\n")
    print("\n".join(report_sizes(results)))
    print()
    print("\n".join(report_xmr(xmr)))
    print()
    print("\n".join(report_goals(results, xmr[0])))


if __name__ == "__main__":
    main()

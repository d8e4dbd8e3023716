"""Every chart of a build, rendered once: from the cache when its inputs are unchanged, in worker
processes when enough are missing to pay for starting them.

Charts are most of a cold build (matplotlib, ~70 ms per chart). A chart is a pure function of the
measure, its analysis and its reading, so the cache key is a hash of exactly those values (the
frontmatter and data as loaded; the analysis carries the rule profile, run length and the role in
force at the report date) plus the code that draws it: the cache format, the pumpsite version, a
digest of pumpsite's source files and the matplotlib version. An edit that changes none of them,
such as a comment in a CSV-free part of the repository, renders nothing.

The cache is `.pumpsite/cache/charts/<measure id>.json`, one entry per measure, each holding its
key and its SVGs, signed with a key kept in the user's cache folder (`cache_secret`), outside
every repository: an entry a pull request commits (`git add -f .pumpsite/cache/…`) cannot carry
a signature this computer accepts. An entry that cannot be read, fails its signature, holds another
key, or holds SVG other than pumpsite's charts can (`chart_shaped`) is ignored and replaced, never
trusted. Entries are written atomically (a temporary file, then a rename), so a killed build leaves
whole entries or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.metadata
import json
import multiprocessing
import os
import re
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import platformdirs

import pumpsite
from pumpsite import __version__
from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import read_measure
from pumpsite.model import Measure
from pumpsite.numbers import counted
from pumpsite.render.chart_ref import ChartRef
from pumpsite.vocabulary import ChartSize

CACHE_FORMAT = 3
"""Bump when the layout of a cache entry changes."""
SIZES: tuple[ChartSize, ...] = ("full", "small")
"""The sizes a measure's chart can be drawn at; a build draws those its pages name."""
PARALLEL_MIN = 24
"""Measures to draw before worker processes pay for their start (a second or two)."""
PACKAGE = Path(pumpsite.__file__).parent
"""pumpsite's source folder: its modules, in every subpackage, are the code a chart is drawn by."""

Svgs = dict[ChartSize, str]
Drawn = tuple[str, Svgs]
"""A measure's charts: the description they were drawn with, and the SVG of each size."""


@dataclass(frozen=True, slots=True)
class Job:
    """One measure's charts to draw, at `sizes`; `description` is its reading, for the SVG
    `<desc>`."""

    measure: Measure
    analysis: MeasureAnalysis
    description: str
    sizes: tuple[ChartSize, ...] = SIZES


@dataclass(frozen=True, slots=True)
class Charts:
    """The charts of a build, by measure id, and how many were rendered or taken from cache."""

    svgs: Mapping[str, Drawn]  # by measure id
    rendered: int
    cached: int

    def by_ref(self) -> dict[ChartRef, str]:
        """Every chart, by the reference pages name it with."""
        return {
            ChartRef(measure_id, size): svg
            for measure_id, (_, svgs) in self.svgs.items()
            for size, svg in svgs.items()
        }


def draw(measure: Measure, analysis: MeasureAnalysis, description: str, size: ChartSize) -> str:
    """One chart. matplotlib is imported here, not with the module: it takes about a second, and
    a build whose charts all come from the cache never needs it. The small chart is drawn
    without a matplotlib figure (`chart.small`)."""
    if size == "small":
        from pumpsite.render.chart.small import render_small

        return render_small(measure, analysis, description=description)
    from pumpsite.render.chart.draw import render_chart

    return render_chart(measure, analysis, description=description, size=size)


def progress_line(missing: int, cached: int) -> str:
    """What the build is about to do: "Rendering 1 chart (5 cached)"."""
    if not missing:
        return f"Charts unchanged ({cached} cached)"
    line = f"Rendering {counted(missing, 'chart')}"
    return f"{line} ({cached} cached)" if cached else line


# --- the key -------------------------------------------------------------------------------------


def code_fingerprint(package: Path = PACKAGE) -> str:
    """What draws the charts: cache format, versions, and every module of pumpsite, in every
    subpackage, by its path in the package (so a development change to the chart code never
    serves an old chart)."""
    matplotlib = importlib.metadata.version("matplotlib")
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}|{matplotlib}".encode())
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def chart_key(measure: Measure, analysis: MeasureAnalysis, fingerprint: str) -> str:
    """The hash of a chart's inputs. The reading (the SVG's description) is left out: it is a
    function of the same two values. `repr` is complete for the model's dataclasses and pydantic
    models (every field, floats exact) and ten times faster than a hand-made encoding; a repr
    that changed from run to run would only cost cache misses, never a stale chart."""
    text = repr((fingerprint, measure, analysis))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the cache on disk ---------------------------------------------------------------------------


SECRET_FILE = "chart-cache.key"
SECRET_BYTES = 32


def cache_secret(folder: Path | None = None) -> bytes | None:
    """The key that signs this computer's cache entries, in `folder` (by default the user's
    cache folder, e.g. ~/.cache/pumpsite), made on first use; None when it cannot be kept."""
    path = (folder or Path(platformdirs.user_cache_dir("pumpsite"))) / SECRET_FILE
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        secret = b""
    except OSError:
        return None
    if len(secret) == SECRET_BYTES:
        return secret
    secret = secrets.token_bytes(SECRET_BYTES)
    temporary = path.with_name(f"{SECRET_FILE}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(secret)
        temporary.chmod(0o600)
        temporary.replace(path)  # two builds at once: the last key wins, the other's entries miss
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return None
    return secret


# What pumpsite's chart SVG can hold (see chart_svg.finish_svg): these elements and attributes,
# links and `url()` only to the chart's own `#ids`, no character reference in an attribute, text
# without markup. One regular expression over each SVG read from the cache, run in C: a small
# fraction of reading the entry.
_CHART_TAGS = "svg|g|defs|clipPath|path|rect|use|text|tspan|title|desc"
_PLAIN = (
    "viewBox|class|role|aria-labelledby|id|d|x|y|width|height|rx|transform|fill|fill-opacity|"
    "stroke|stroke-opacity|stroke-width|font-size|font-weight|text-anchor|data-period"
)
_STYLE = r'(?:[^"<>&()]++|\((?:#|--)[^"<>&()]*\))*+'  # url(#id), var(--name)
_ATTRIBUTE = (
    rf'(?:{_PLAIN})="[^"<>&:]*"|href="#[^"<>&]*"|(?:style|clip-path)="{_STYLE}"'
    r'|xmlns="http://www\.w3\.org/2000/svg"'
)
_TAG = rf"</(?:{_CHART_TAGS})>|<(?:{_CHART_TAGS})(?:\s(?:{_ATTRIBUTE}))*+\s*/?>"
_CHART_SHAPE = re.compile(rf"(?:[^<>]++|{_TAG})*+")  # possessive: linear, never backtracks


def chart_shaped(svg: str) -> bool:
    """Whether `svg` holds only what pumpsite's charts can: no script, no handler, no link out."""
    return (
        svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        and svg.endswith("</svg>")
        and _CHART_SHAPE.fullmatch(svg) is not None
    )


class ChartCache:
    """One signed JSON entry per measure in `folder`; see the module docstring. With no secret
    (none can be kept in `secret_folder`), nothing is read or written."""

    def __init__(self, folder: Path, secret_folder: Path | None = None) -> None:
        self.folder = folder
        self.secret = cache_secret(secret_folder)

    def _entry(self, measure_id: str) -> Path:
        return self.folder / f"{measure_id}.json"

    def _signature(self, measure_id: str, key: str, description: str, svgs: object) -> str:
        assert self.secret is not None
        payload = json.dumps(
            [CACHE_FORMAT, measure_id, key, description, svgs], sort_keys=True, ensure_ascii=False
        )
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()

    def get(self, measure_id: str, key: str, sizes: Sequence[ChartSize] = SIZES) -> Drawn | None:
        """The entry's charts at `sizes` when this computer signed them for these inputs, they
        are shaped as charts and the entry holds every one of those sizes; else None."""
        if self.secret is None:
            return None
        try:
            entry = json.loads(self._entry(measure_id).read_bytes())
            description, svgs, signature = entry["description"], entry["svgs"], entry["signature"]
            valid = (
                entry["format"] == CACHE_FORMAT
                and isinstance(description, str)
                and isinstance(signature, str)
                and set(sizes) <= set(svgs) <= set(SIZES)
                and all(isinstance(svg, str) for svg in svgs.values())
                and hmac.compare_digest(
                    signature, self._signature(measure_id, key, description, svgs)
                )
                and all(chart_shaped(svgs[size]) for size in sizes)
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return (description, {size: svgs[size] for size in sizes}) if valid else None

    def put(self, measure_id: str, key: str, drawn: Drawn) -> None:
        """Write an entry atomically; a cache that cannot be written is only a slower build."""
        if self.secret is None:
            return
        description, svgs = drawn
        entry = {
            "format": CACHE_FORMAT,
            "measure": measure_id,
            "key": key,
            "signature": self._signature(measure_id, key, description, svgs),
            "description": description,
            "svgs": svgs,
        }
        path = self._entry(measure_id)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def prune(self, keep: set[str]) -> None:
        """Remove entries of measures that are gone, and temporary files of killed builds."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            gone = path.suffix != ".json" or path.stem not in keep
            if gone and path.is_file():
                path.unlink(missing_ok=True)


# --- rendering -----------------------------------------------------------------------------------


def render_job(job: Job) -> Svgs:
    return {size: draw(job.measure, job.analysis, job.description, size) for size in job.sizes}


def available_workers() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def render_in_processes(jobs: Sequence[Job], workers: int) -> list[Svgs]:
    chunk = max(1, len(jobs) // (workers * 8))
    # Spawned, not forked: `pumpsite serve` builds from a threaded process, and a forked child
    # can inherit a lock another thread held. Each worker imports matplotlib once (~1 s).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(render_job, jobs, chunksize=chunk))


def render_jobs(jobs: Sequence[Job], workers: int, parallel_min: int = PARALLEL_MIN) -> list[Svgs]:
    """Every job's charts, in order; in `workers` processes when there are enough of them.
    The output is the same either way: a chart depends only on its inputs."""
    if workers < 2 or len(jobs) < max(parallel_min, 2):
        return [render_job(job) for job in jobs]
    try:
        return render_in_processes(jobs, workers)
    except (BrokenProcessPool, OSError):  # no processes to be had: draw them here
        return [render_job(job) for job in jobs]


def _named(wanted: Mapping[str, Collection[ChartSize]], measure_id: str) -> tuple[ChartSize, ...]:
    return tuple(size for size in SIZES if size in wanted.get(measure_id, ()))


def prepare_charts(
    measures: Mapping[str, Measure],
    analyses: Mapping[str, MeasureAnalysis],
    cache: ChartCache | None,
    *,
    wanted: Mapping[str, Collection[ChartSize]] | None = None,
    workers: int | None = None,
    parallel_min: int = PARALLEL_MIN,
    announce: Callable[[int, int], None] = lambda missing, cached: None,
) -> Charts:
    """The charts of every measure with data, at the sizes `wanted` names for it (by default
    every size of every measure; a measure it leaves out gets none): cached ones read, missing
    ones rendered (and cached). `announce(missing, cached)` is called before rendering starts."""
    fingerprint = code_fingerprint()
    drawn: dict[str, Drawn] = {}
    missing: list[tuple[str, Job]] = []  # (key, job)
    for measure_id, analysis in sorted(analyses.items()):
        sizes = SIZES if wanted is None else _named(wanted, measure_id)
        if not sizes:
            continue
        measure = measures[measure_id]
        key = chart_key(measure, analysis, fingerprint)
        found = cache.get(measure_id, key, sizes) if cache else None
        if found is None:
            description = read_measure(measure, analysis).summary
            missing.append((key, Job(measure, analysis, description, sizes)))
        else:
            drawn[measure_id] = found
    announce(len(missing), len(drawn))
    jobs = [job for _, job in missing]
    rendered = render_jobs(jobs, workers or available_workers(), parallel_min)
    for (key, job), svgs in zip(missing, rendered, strict=True):
        drawn[job.measure.id] = (job.description, svgs)
        if cache:
            cache.put(job.measure.id, key, drawn[job.measure.id])
    if cache:
        cache.prune(set(drawn))
    return Charts(drawn, rendered=len(missing), cached=len(drawn) - len(missing))

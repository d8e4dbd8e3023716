"""`pumpsite build`: inspect the repository, render the site, hand it to the engine, and swap the
result into place atomically — a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from pumpsite.build import atomic, engine, outputs
from pumpsite.build.chart_cache import ChartCache, Charts, prepare_charts, progress_line
from pumpsite.build.engine_memory import engine_memory, release_freed_memory
from pumpsite.build.timing import Stopwatch
from pumpsite.checks.inspection import Inspection, inspect
from pumpsite.load.memo import LoadMemo
from pumpsite.numbers import counted
from pumpsite.problems import Problem, sort_problems
from pumpsite.render.chart_ref import ChartRef, measure_charts_named
from pumpsite.render.resultsmap import render_results_map
from pumpsite.render.site import Site, render_site
from pumpsite.render.templating import TemplateFailure
from pumpsite.vocabulary import ChartSize

Progress = Callable[[str], None]


class Engine(Protocol):
    """What builds the generated project into a site folder and returns the engine's warnings:
    `engine.run_engine`, or `pumpsite serve`'s warm engine (`engine_partial.WarmEngine`)."""

    def __call__(self, project: Path, site_dir: Path, *, strict: bool) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class BuildResult:
    inspection: Inspection
    site_dir: Path | None  # None when nothing was built
    engine_warnings: list[str] = field(default_factory=list)
    failure: str | None = None  # why the build stopped, when it did
    render_problems: list[Problem] = field(default_factory=list)  # user templates that failed
    output_problems: list[Problem] = field(default_factory=list)  # the site could not be written
    charts_rendered: int = 0  # measures whose charts were drawn in this build
    charts_cached: int = 0  # measures whose charts came from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (Stopwatch laps)

    @property
    def ok(self) -> bool:
        return self.site_dir is not None

    @property
    def problems(self) -> list[Problem]:
        problems = [*self.inspection.problems, *self.render_problems, *self.output_problems]
        return sort_problems(problems)


def edit_base(site_config: object) -> str | None:
    """The URL prefix of "edit this file" links: `repo_url` + `edit/<branch>/`."""
    if not isinstance(site_config, dict) or not isinstance(site_config.get("repo_url"), str):
        return None
    branch = site_config.get("edit_branch") or "main"
    return f"{site_config['repo_url'].rstrip('/')}/edit/{branch}/"


def render(inspection: Inspection, charts: Mapping[ChartRef, str]) -> Site:
    """The site as a value, with the measures' `charts` (by the references pages name them by)."""
    repo = inspection.repo
    return render_site(
        repo,
        inspection.analyses,
        inspection.report_date,
        charts=charts,
        results_map=lambda goals, measures, link, focus: render_results_map(
            goals, measures, link=link, focus=focus
        ),
        templates=repo.templates,
        edit_base=edit_base(repo.site_config),
    )


CACHE_DIR = "cache/charts"
"""The chart cache, inside the generated project folder (`.pumpsite/cache/charts/`)."""


@dataclass(frozen=True, slots=True)
class _Run:
    """One build's settings and stopwatch, handed from step to step."""

    root: Path
    site_dir: Path
    strict: bool
    cache: bool
    workers: int | None
    url_folder: str | None
    progress: Progress
    engine: Engine
    clock: Stopwatch = field(default_factory=Stopwatch)

    @property
    def project(self) -> Path:
        return self.root / outputs.PROJECT_DIR


def build(
    root: Path,
    *,
    today: date,
    site_dir: Path | None = None,
    as_of: date | None = None,
    strict: bool = False,
    progress: Progress = lambda message: None,
    waiting: Progress | None = None,
    cache: bool = True,
    workers: int | None = None,
    url_folder: str | None = None,
    engine_run: Engine = engine.run_engine,
    memo: LoadMemo | None = None,
) -> BuildResult:
    """Build the site of the repository at `root`. `cache=False` neither reads nor writes the
    chart cache; `workers` caps the processes that draw charts (default: the usable cores);
    `url_folder` is the folder under `site_url` the site is for (a published preview);
    `waiting` is told when the build waits for another one in the repository (default:
    `progress`); `engine_run` runs the engine (`pumpsite serve` keeps one warm, and a `memo` of
    the files it loaded). Only
    pumpsite's own folders are written (see `pumpsite.outputs`)."""
    root = root.resolve()
    named = site_dir is not None  # a link the user names is followed; ours is not
    site_dir = site_dir.resolve() if site_dir else root / outputs.SITE_DIR
    run = _Run(root, site_dir, strict, cache, workers, url_folder, progress, engine_run)
    progress("Checking measures")
    inspection = inspect(root, today=today, as_of=as_of, stopwatch=run.clock, memo=memo)
    refused = _refused(inspection, run, named=named)
    if refused is not None:
        return refused
    try:
        with outputs.locked_project(run.project, waiting or progress):
            return _build_site(inspection, run)
    except OSError as error:  # a full disk, a read-only folder, a mount point
        failure = "the site could not be written"
        problem = outputs.write_problem(root, error, site_dir)
        return BuildResult(inspection, None, failure=failure, output_problems=[problem])


def _refused(inspection: Inspection, run: _Run, *, named: bool) -> BuildResult | None:
    """Why the build stops before writing anything, if it does: problems in the repository
    (warnings too, when strict), or a site folder that is not pumpsite's to replace."""
    refusals = outputs.site_problems(run.root, run.site_dir, named=named)
    if not (inspection.errors or (run.strict and inspection.warnings) or refusals):
        return None
    failure = "the repository has problems"
    if refusals and not inspection.errors:
        failure = "the site folder is not pumpsite's to replace"
    return BuildResult(inspection, None, failure=failure, output_problems=refusals)


def _build_site(inspection: Inspection, run: _Run) -> BuildResult:
    """Write the project, run the engine into a new folder and swap it into place; the caller
    holds the repository's lock. Raises OSError when an output cannot be written."""
    try:
        drawn, cached = _write_project(inspection, run)
    except TemplateFailure as error:
        return BuildResult(
            inspection, None, failure="a page template failed", render_problems=[error.problem]
        )
    run.progress("Building the site")
    try:
        warnings = _engine_into_place(run)
    except engine.EngineError as error:
        failure = f"the site engine failed: {error}"
        return BuildResult(inspection, None, failure=failure, timings=run.clock.laps)
    return BuildResult(
        inspection,
        run.site_dir,
        warnings,
        charts_rendered=drawn,
        charts_cached=cached,
        timings=run.clock.laps,
    )


def _write_project(inspection: Inspection, run: _Run) -> tuple[int, int]:
    """Render the pages, draw the charts they name and write the MkDocs project. Returns how
    many measures' charts were drawn and how many came from the cache. When the charts have
    files of their own, the pages are written before the charts are drawn and not held while
    they are. Raises TemplateFailure (before anything is written)."""
    run.progress(f"Writing the pages of {counted(len(inspection.repo.measures), 'measure')}")
    with run.clock.lap("pages"):
        site = render(inspection, {})
    config = engine.engine_config(
        inspection.repo.site_config, site, default_name=run.root.name, url_folder=run.url_folder
    )
    pages = (text for path, text in site.files.items() if path.endswith(".md"))
    wanted = measure_charts_named(pages)
    writer = engine.ProjectWriter(run.project)
    if engine.charts_apart(config):
        with run.clock.lap("write"):
            writer.write(engine.project_files(site, config).items())
        del site  # the pages are on disk: neither they nor their memory held while the
        release_freed_memory()  # charts are drawn (beside the chart workers)
        charts = _charts(inspection, wanted, run)
        with run.clock.lap("write"):
            writer.write(engine.chart_files(charts.by_ref()).items())
    else:  # the charts go in the pages
        charts = _charts(inspection, wanted, run)
        site = dataclasses.replace(site, charts={**site.charts, **charts.by_ref()})
        with run.clock.lap("write"):
            writer.write(engine.project_files(site, config).items())
    with run.clock.lap("write"):
        writer.finish()
    return charts.rendered, charts.cached


def _charts(
    inspection: Inspection, wanted: Mapping[str, Collection[ChartSize]], run: _Run
) -> Charts:
    """The measures' charts the site's pages name (`wanted`): from the cache, or drawn (in
    worker processes when many)."""
    with run.clock.lap("charts"):
        return prepare_charts(
            inspection.repo.measures,
            inspection.analyses,
            ChartCache(run.project / CACHE_DIR) if run.cache else None,
            wanted=wanted,
            workers=run.workers,
            announce=lambda missing, cached: run.progress(progress_line(missing, cached)),
        )


def _engine_into_place(run: _Run) -> list[str]:
    """Run the engine into a staging folder, swap it for the site folder, and return the
    engine's warnings. Raises EngineError."""
    atomic.recover(run.site_dir)
    staging = atomic.staging_folder(run.site_dir)
    try:
        with run.clock.lap("engine"), engine_memory():
            warnings = run.engine(run.project, staging, strict=run.strict)
        with run.clock.lap("swap"):
            atomic.replace_folder(staging, run.site_dir)
    finally:
        atomic.delete_if_ours(staging)  # what a failure left; gone after a swap
    return warnings

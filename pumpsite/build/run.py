"""`pumpsite build`: inspect the repository, render the site, hand it to the engine, and swap the
result into place atomically — a failed build leaves the previous site untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pumpsite.build import atomic, engine, outputs
from pumpsite.build.chart_cache import ChartCache, draw, prepare_charts, progress_line
from pumpsite.build.timing import Stopwatch
from pumpsite.checks.inspection import Inspection, inspect
from pumpsite.numbers import counted
from pumpsite.problems import Problem, sort_problems
from pumpsite.render.resultsmap import render_results_map
from pumpsite.render.site import Site, render_site
from pumpsite.render.templating import TemplateFailure
from pumpsite.render.views import ChartRenderer

Progress = Callable[[str], None]


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


def render(inspection: Inspection, chart: ChartRenderer = draw) -> Site:
    """The site as a value; `chart` draws each chart (or hands over one drawn beforehand)."""
    repo = inspection.repo
    return render_site(
        repo,
        inspection.analyses,
        inspection.report_date,
        chart=chart,
        results_map=lambda goals, measures, link, focus: render_results_map(
            goals, measures, link=link, focus=focus
        ),
        templates=repo.templates,
        edit_base=edit_base(repo.site_config),
    )


CACHE_DIR = "cache/charts"
"""The chart cache, inside the generated project folder (`.pumpsite/cache/charts/`)."""


def _write_project(
    inspection: Inspection,
    project: Path,
    *,
    cache: bool,
    workers: int | None,
    url_folder: str | None,
    clock: Stopwatch,
    progress: Progress,
) -> tuple[int, int]:
    """Draw the charts, render the pages and write the MkDocs project. Returns how many charts
    were drawn and how many came from the cache; the site value goes when this returns, before
    the engine needs the memory. Raises TemplateFailure."""
    with clock.lap("charts"):
        charts = prepare_charts(
            inspection.repo.measures,
            inspection.analyses,
            ChartCache(project / CACHE_DIR) if cache else None,
            workers=workers,
            announce=lambda missing, cached: progress(progress_line(missing, cached)),
        )
    progress(f"Writing the pages of {counted(len(inspection.repo.measures), 'measure')}")
    with clock.lap("pages"):
        site = render(inspection, charts.render)
    with clock.lap("write"):
        name = project.parent.name  # the repository's folder
        config = engine.engine_config(
            inspection.repo.site_config, site, default_name=name, url_folder=url_folder
        )
        engine.write_project(project, engine.project_files(site, config))
    return charts.rendered, charts.cached


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
) -> BuildResult:
    """Build the site of the repository at `root`. `cache=False` neither reads nor writes the
    chart cache; `workers` caps the processes that draw charts (default: the usable cores);
    `url_folder` is the folder under `site_url` the site is for (a published preview);
    `waiting` is told when the build waits for another one in the repository (default:
    `progress`). Only pumpsite's own folders are written (see `pumpsite.outputs`)."""
    root = root.resolve()
    named = site_dir is not None  # a link the user names is followed; ours is not
    site_dir = site_dir.resolve() if site_dir else root / outputs.SITE_DIR
    clock = Stopwatch()
    progress("Checking measures")
    inspection = inspect(root, today=today, as_of=as_of, stopwatch=clock)
    refusals = outputs.site_problems(root, site_dir, named=named)
    if inspection.errors or (strict and inspection.warnings) or refusals:
        failure = "the repository has problems"
        if refusals and not inspection.errors:
            failure = "the site folder is not pumpsite's to replace"
        return BuildResult(inspection, None, failure=failure, output_problems=refusals)
    project = root / outputs.PROJECT_DIR
    try:
        with outputs.locked_project(project, waiting or progress):
            return _build_site(
                inspection,
                project,
                site_dir,
                strict=strict,
                cache=cache,
                workers=workers,
                url_folder=url_folder,
                clock=clock,
                progress=progress,
            )
    except OSError as error:  # a full disk, a read-only folder, a mount point
        failure = "the site could not be written"
        problem = outputs.write_problem(root, error, site_dir)
        return BuildResult(inspection, None, failure=failure, output_problems=[problem])


def _build_site(
    inspection: Inspection,
    project: Path,
    site_dir: Path,
    *,
    strict: bool,
    cache: bool,
    workers: int | None,
    url_folder: str | None,
    clock: Stopwatch,
    progress: Progress,
) -> BuildResult:
    """Write the project, run the engine into a new folder and swap it into place; the caller
    holds the repository's lock. Raises OSError when an output cannot be written."""
    try:
        drawn, cached = _write_project(
            inspection,
            project,
            cache=cache,
            workers=workers,
            url_folder=url_folder,
            clock=clock,
            progress=progress,
        )
    except TemplateFailure as error:
        return BuildResult(
            inspection, None, failure="a page template failed", render_problems=[error.problem]
        )
    progress("Building the site")
    atomic.recover(site_dir)
    staging = atomic.staging_folder(site_dir)
    try:
        with clock.lap("engine"):
            warnings = engine.run_engine(project, staging, strict=strict)
        with clock.lap("swap"):
            atomic.replace_folder(staging, site_dir)
    except engine.EngineError as error:
        failure = f"the site engine failed: {error}"
        return BuildResult(inspection, None, failure=failure, timings=clock.laps)
    finally:
        atomic.delete_if_ours(staging)  # what a failure left; gone after a swap
    return BuildResult(
        inspection,
        site_dir,
        warnings,
        charts_rendered=drawn,
        charts_cached=cached,
        timings=clock.laps,
    )

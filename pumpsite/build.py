"""`pumpsite build`: inspect the repository, render the site, hand it to the engine, and swap the
result into place atomically — a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pumpsite import _mkdocs, atomic
from pumpsite.charts import ChartCache, draw, prepare_charts, progress_line
from pumpsite.model import Problem, Severity, sort_problems
from pumpsite.numbers import counted
from pumpsite.pipeline import Inspection, inspect
from pumpsite.resultsmap import render_results_map
from pumpsite.site import Site, render_site
from pumpsite.templating import TemplateFailure
from pumpsite.timing import Stopwatch
from pumpsite.views import ChartRenderer

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildResult:
    inspection: Inspection
    site_dir: Path | None  # None when nothing was built
    engine_warnings: list[str] = field(default_factory=list)
    failure: str | None = None  # why the build stopped, when it did
    render_problems: list[Problem] = field(default_factory=list)  # user templates that failed
    charts_rendered: int = 0  # measures whose charts were drawn in this build
    charts_cached: int = 0  # measures whose charts came from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (Stopwatch laps)

    @property
    def ok(self) -> bool:
        return self.site_dir is not None

    @property
    def problems(self) -> list[Problem]:
        return sort_problems([*self.inspection.problems, *self.render_problems])


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


def _looks_like_a_site(path: Path) -> bool:
    return (
        not any(path.iterdir())
        or (path / "index.html").is_file()
        or (path / "sitemap.xml").is_file()
    )


def _recover(site_dir: Path) -> None:
    """Finish a swap that a killed build left half done, and clear what it left behind."""
    atomic.recover(site_dir)


def swap_into_place(new: Path, site_dir: Path) -> None:
    """Replace `site_dir` by `new` atomically (see `pumpsite.atomic`)."""
    atomic.replace_folder(new, site_dir)


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
        config = _mkdocs.engine_config(
            inspection.repo.site_config, site, default_name=name, url_folder=url_folder
        )
        _mkdocs.write_project(project, _mkdocs.project_files(site, config))
    return charts.rendered, charts.cached


def build(
    root: Path,
    *,
    today: date,
    site_dir: Path | None = None,
    as_of: date | None = None,
    strict: bool = False,
    progress: Progress = lambda message: None,
    cache: bool = True,
    workers: int | None = None,
    url_folder: str | None = None,
) -> BuildResult:
    """Build the site of the repository at `root`. `cache=False` neither reads nor writes the
    chart cache; `workers` caps the processes that draw charts (default: the usable cores);
    `url_folder` is the folder under `site_url` the site is for (a published preview)."""
    root = root.resolve()
    site_dir = (site_dir or root / "site").resolve()
    clock = Stopwatch()
    progress("Checking measures")
    inspection = inspect(root, today=today, as_of=as_of, stopwatch=clock)
    if inspection.errors or (strict and inspection.warnings):
        return BuildResult(inspection, None, failure="the repository has problems")
    if site_dir.exists() and (not site_dir.is_dir() or not _looks_like_a_site(site_dir)):
        return BuildResult(
            inspection,
            None,
            failure=f"{site_dir} exists and is not a built site; refusing to replace it",
        )
    project = root / _mkdocs.PROJECT_DIR
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
    _recover(site_dir)
    staging = atomic.staging_folder(site_dir)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with clock.lap("engine"):
            warnings = _mkdocs.run_engine(project, staging, strict=strict)
    except _mkdocs.EngineError as error:
        shutil.rmtree(staging, ignore_errors=True)
        failure = f"the site engine failed: {error}"
        return BuildResult(inspection, None, failure=failure, timings=clock.laps)
    with clock.lap("swap"):
        swap_into_place(staging, site_dir)
    return BuildResult(
        inspection,
        site_dir,
        warnings,
        charts_rendered=drawn,
        charts_cached=cached,
        timings=clock.laps,
    )


def engine_problems(warnings: list[str]) -> list[Problem]:
    return [Problem("mkdocs.yml", None, "PS900", w, Severity.WARNING) for w in warnings]

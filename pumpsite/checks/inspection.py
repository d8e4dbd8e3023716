"""The one-way pipeline up to the analyses: load → checks → XmR analysis → lint.

`pumpsite check` stops here; `pumpsite build` goes on to render the site from the result.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pumpsite.actions import with_action_events
from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
from pumpsite.build.outputs import project_problems
from pumpsite.build.timing import Stopwatch
from pumpsite.checks.limits_lint import lint_limits
from pumpsite.checks.lint import lint_repo
from pumpsite.checks.method_lint import lint_method
from pumpsite.checks.repo import check_repo
from pumpsite.load.memo import LoadMemo
from pumpsite.load.repo import load_repo
from pumpsite.model import Measure, Repo
from pumpsite.problems import Problem, sort_problems
from pumpsite.schema import SiteSettings


@dataclass(frozen=True, slots=True)
class Inspection:
    repo: Repo
    analyses: Mapping[str, MeasureAnalysis]
    problems: list[Problem]
    report_date: date

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def waiting(self) -> int:
        """Goal and measure files not loaded in full (their frontmatter or their data has an
        error): the checks across files and of the data skip what they could not read."""
        unread = [m for m in self.repo.measures.values() if m.series is None]
        return len(self.repo.broken) + len(unread)


def report_date(settings: SiteSettings, as_of: date | None, today: date) -> date:
    """The date the report speaks for: --as-of, else `extra: pumpsite: as_of`, else today."""
    return as_of or settings.as_of or today


def analyse_repo(repo: Repo, on: date, memo: LoadMemo | None = None) -> dict[str, MeasureAnalysis]:
    """Every measure's analysis; with a `memo`, a measure whose settings and data are the very
    objects of the memo's last load (unchanged files) keeps the analysis it had."""
    analyses = (_analysis(m, repo.settings, on, memo) for m in repo.measures.values())
    return {a.measure_id: a for a in analyses if a is not None}


def _analysis(
    measure: Measure, settings: SiteSettings, on: date, memo: LoadMemo | None
) -> MeasureAnalysis | None:
    if memo is None:
        return analyse_measure(measure, settings, on)
    # The key holds the objects themselves (the memo keeps them alive, so no other object can
    # take their id), compared by identity: equal is not enough (-0.0 == 0.0).
    key = (id(measure.meta), id(measure.series), measure.meta, measure.series, settings, on)
    slot = ("analysis", measure.id)
    return memo.recall(slot, key, lambda: analyse_measure(measure, settings, on))


def inspect(
    root: Path,
    *,
    today: date,
    as_of: date | None = None,
    stopwatch: Stopwatch | None = None,
    trial_render: bool = True,
    memo: LoadMemo | None = None,
) -> Inspection:
    """Load, check, analyse and lint the repository at `root`. Never raises on bad input.
    With `trial_render`, when nothing else is wrong, the pages are rendered with the
    repository's own templates (charts left out), so that `check` finds what they do and
    `build` stops before it writes anything. A `memo` (`pumpsite serve`'s) keeps what files
    and analyses were across calls: see `pumpsite.load.memo`."""
    clock = stopwatch or Stopwatch()
    with fewer_collections():
        inspection = _inspect(root, today, as_of, clock, memo)
    if trial_render and not inspection.errors:
        repo, analyses, on = inspection.repo, inspection.analyses, inspection.report_date
        with clock.lap("check"):  # with the usual collections: the templates are the user's
            problems = _trial_problems(repo, analyses, on)
        if problems:
            return Inspection(repo, analyses, sort_problems([*inspection.problems, *problems]), on)
    return inspection


GC_THRESHOLD = 100_000
"""Objects allocated between two of the garbage collector's youngest collections while
inspecting (Python's default is 700). Loading makes millions of objects and frees almost none,
and with the default the collector scans the growing heap again and again: a third of
`pumpsite check`'s time at 5,000 measures, for nothing collected."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often for a while; as before afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _inspect(
    root: Path,
    today: date,
    as_of: date | None,
    clock: Stopwatch,
    memo: LoadMemo | None,
) -> Inspection:
    with clock.lap("load"):
        repo, problems = load_repo(root, memo)
    with clock.lap("check"):
        problems += check_repo(repo)
        problems += _syntax_problems(repo)
        problems += project_problems(root)  # a committed .pumpsite link, before it is written
    on = report_date(repo.settings, as_of, today)
    with clock.lap("analyse"):
        analyses = analyse_repo(repo, on, memo)
    if memo is not None:
        memo.settle()
    with clock.lap("check"):
        problems += lint_repo(repo, analyses, on)
        problems += lint_limits(repo, analyses)
        problems += lint_method(repo, analyses, on)
        repo = with_action_events(repo)
    return Inspection(repo, analyses, sort_problems(problems), on)


# Rendering is imported only for a repository with templates of its own: without them there is
# nothing to parse or try, and `pumpsite check` need not load Jinja, Markdown and the views.


def _syntax_problems(repo: Repo) -> list[Problem]:
    if not repo.templates:
        return []
    from pumpsite.render.templating import syntax_problems

    return syntax_problems(repo.templates)


def _trial_problems(repo: Repo, analyses: Mapping[str, MeasureAnalysis], on: date) -> list[Problem]:
    if not repo.templates:
        return []
    from pumpsite.render.site import trial_problems

    return trial_problems(repo, analyses, on)

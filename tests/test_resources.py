"""No run without end: the work of a build grows linearly with the rows of a CSV, and its pages
stay of bounded size however long the series.

Work is measured by a deterministic counter (the lines of Python executed, as `sys.settrace`
counts them), never by a clock, so these tests are neither slow nor flaky on a loaded machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from pumpsite.analysis import MeasureAnalysis
from pumpsite.build import build
from pumpsite.chart_plan import plan_chart
from pumpsite.model import Measure
from pumpsite.pipeline import analyse_repo
from pumpsite.site import render_site
from tests import factories
from tests.conftest import make_repo

REPORT = date(2026, 11, 23)


def noisy(count: int) -> list[float | None]:
    """A daily series full of signals: steady values, then every other one far above the limits
    (the worst case for anything done once per signal)."""
    steady = [18.0, 22.0] * 10
    return [*steady, *[20.0, 40.0] * ((count - len(steady)) // 2)]


# --- linear work ---------------------------------------------------------------------------------


@contextmanager
def counting_lines() -> Iterator[list[int]]:
    """Counts every line of Python executed inside the block, in every frame."""
    count = [0]

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            count[0] += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(previous)


def planned_chart(measure: Measure, analysis: MeasureAnalysis, description: str, size: str) -> str:
    """Works out every mark and hover title of the chart, as a build does, without drawing it."""
    plan_chart(measure, analysis, size)  # type: ignore[arg-type]
    return "<svg/>"


def rendering_work(rows: int) -> int:
    repo = factories.repo(
        factories.goal("g"),
        factories.measure("m", noisy(rows), start="2016-01-01", frequency="daily"),
    )
    analyses = analyse_repo(repo, REPORT)
    with counting_lines() as count:
        render_site(repo, analyses, REPORT, chart=planned_chart, results_map=lambda *a: "<svg/>")
    return count[0]


def test_twice_the_rows_is_at_most_twice_the_work_of_rendering_the_pages() -> None:
    rendering_work(1000)  # compiles the templates, which the later renders reuse
    single, double = rendering_work(1500), rendering_work(3000)
    assert double < 2.2 * single, f"{single:,} lines for 1,500 rows, {double:,} for 3,000"


# --- bounded pages -------------------------------------------------------------------------------


def daily_repo(root: Path, rows: int) -> Path:
    """A repository of one daily measure whose latest 2,000 values are the same whatever `rows`."""
    first = date(2026, 11, 1) - timedelta(days=rows - 1)
    values = [20.0 + (rows - i) % 7 + 15 * ((rows - i) % 97 == 0) for i in range(rows)]
    csv = "".join(f"{first + timedelta(days=i)},{v}\n" for i, v in enumerate(values))
    measure = (
        "---\ntitle: Orders shipped\ngoal: g\nfrequency: daily\nbetter: up\n"
        "roles:\n  - {from: 2000-Q1, role: sustain}\n---\n"
    )
    return make_repo(
        root,
        {
            "mkdocs.yml": "site_name: Bounds\n",
            "measures/g.md": "---\nkind: goal\ntitle: Orders arrive on time\n---\n",
            "measures/m.md": measure,
            "data/m.csv": "period,value\n" + csv,
        },
    )


def largest_page(root: Path) -> int:
    result = build(root, today=REPORT, workers=1)
    assert result.ok, result.problems
    return max(page.stat().st_size for page in (root / "site").rglob("*.html"))


def test_four_times_the_rows_builds_pages_of_the_same_size(tmp_path: Path) -> None:
    short = largest_page(daily_repo(tmp_path / "short", 2_500))
    long = largest_page(daily_repo(tmp_path / "long", 10_000))
    assert long < 1.02 * short, f"largest page {short:,} bytes for 2,500 rows, {long:,} for 10,000"
    assert long < 1_500_000

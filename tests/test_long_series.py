"""End to end with long real-looking series: the example repository plus 44 years of weekly
values with a trend and a season (a key result), the season alone (a KPI), and 2,000 daily
values with an outlier every other day, built into a real MkDocs Material site.

What a reader sees must be bounded by the report, not by the history: each measure page under
300 KB of HTML, a handful of signals rather than thousands, one status per measure on the
overviews, and the limits that no longer describe the process said once.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpsite.build.run import BuildResult, build
from tests.example_site import TODAY, copy_example
from tests.long_series import WEEKS, csv_text, seasonal, trending, week_labels

pytestmark = pytest.mark.slow  # builds of series of 100,000 values

PAGE_BYTES = 300_000
GOAL = "customers-delighted"


def _measure(title: str, frequency: str, better: str, unit: str, roles: str) -> str:
    return (
        f"---\ntitle: {title}\ngoal: {GOAL}\nowner: Sam Reid\nunit: {unit}\n"
        f"frequency: {frequency}\nbetter: {better}\nroles:\n{roles}---\nLong history.\n"
    )


def _daily_outliers(count: int) -> str:
    """`count` daily values to 22 Nov 2026: 18 and 22, and every other day from the 21st a 40."""
    first = date(2026, 11, 22) - timedelta(days=count - 1)
    values = [18.0 + 4 * (i % 2) if i < 20 or i % 2 == 0 else 40.0 for i in range(count)]
    rows = "".join(f"{first + timedelta(days=i)},{v}\n" for i, v in enumerate(values))
    return "period,value\n" + rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = copy_example(tmp_path_factory.mktemp("long"))
    labels = week_labels(WEEKS)
    improve = "  - {from: 2026-Q1, role: improve, target: 360, deadline: 2030-12-31}\n"
    sustain = "  - {from: 2000-Q1, role: sustain}\n"
    files = {
        "measures/air/co2-ppm.md": _measure("Weekly CO2", "weekly", "down", "ppm", improve),
        "data/co2-ppm.csv": csv_text(trending(), labels),
        "measures/air/calls-a-week.md": _measure(
            "Calls a week", "weekly", "down", "calls", sustain
        ),
        "data/calls-a-week.csv": csv_text(seasonal(), labels),
        "measures/air/orders-a-day.md": _measure("Orders a day", "daily", "up", "orders", sustain),
        "data/orders-a-day.csv": _daily_outliers(2_000),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, today=TODAY, workers=1)
    assert result.ok, (result.failure, [str(p) for p in result.inspection.errors])
    return result


def page(result: BuildResult, path: str) -> str:
    assert result.site_dir is not None
    return (result.site_dir / path).read_text(encoding="utf-8")


def section(page_html: str, heading_id: str) -> str:
    """The text of a page section, from its heading to the next h2, tags removed."""
    found = re.search(rf'<h2 id="{heading_id}">.*?(?=<h2 |</article>)', page_html, re.S)
    assert found, heading_id
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[0])).split())


@pytest.mark.parametrize("measure_id", ["co2-ppm", "calls-a-week", "orders-a-day"])
def test_a_long_series_makes_a_page_under_300_kb(built: BuildResult, measure_id: str) -> None:
    assert built.site_dir is not None
    size = (built.site_dir / "measures" / f"{measure_id}.html").stat().st_size
    assert size < PAGE_BYTES, f"{measure_id}: {size:,} bytes"


def test_every_page_of_the_site_stays_bounded(built: BuildResult) -> None:
    assert built.site_dir is not None
    sizes = {p: p.stat().st_size for p in built.site_dir.rglob("*.html")}
    largest = max(sizes, key=lambda p: sizes[p])
    assert sizes[largest] < PAGE_BYTES, largest


def test_the_trending_measure_reads_true_and_short(built: BuildResult) -> None:
    reading = section(page(built, "measures/co2-ppm.html"), "reading")
    assert reading.count("these limits no longer describe the process") == 1
    assert reading.count("Signal:") == 0
    assert "Most of the latest values are signals (20 of the latest 20, since week 28 of 2026)" in (
        reading
    )
    assert "Latest value: 417.08 ppm in week 47 of 2026." in reading
    assert len(reading) < 1_500


def test_the_signals_of_the_report_quarter_are_listed_and_the_rest_collapsed(
    built: BuildResult,
) -> None:
    signals = section(page(built, "measures/co2-ppm.html"), "signals")
    assert "2,088 values in a row above the upper natural process limit of 343.6 ppm, since " in (
        signals
    )
    assert "And 24 earlier signals" in signals
    text = page(built, "measures/co2-ppm.html")
    listed = re.search(r'<h2 id="signals">.*?<table>(.*?)</table>', text, re.S)
    assert listed and listed[1].count("<tr>") - 1 == 3  # rows after the header
    assert text.count("<details") == 2  # the earlier signals and the data


def test_the_daily_outliers_list_twenty_signals_and_count_the_others(built: BuildResult) -> None:
    signals = section(page(built, "measures/orders-a-day.html"), "signals")
    assert "And 970 earlier signals" in signals  # the jumps to and from each are its event
    assert "Only the latest 50 of 970 earlier signals are listed." in signals


def test_overviews_show_one_status_per_measure(built: BuildResult) -> None:
    home = page(built, "index.html")
    changed = section(home, "what-changed")
    assert (
        "Weekly CO2 : Needs attention Most of the latest values are signals: these limits no "
        "longer describe the process."
    ) in changed
    assert home.count("pumpsite-signal--") == 0, "no badge per signal"
    operational = page(built, "operational.html")
    assert operational.count("pumpsite-signal--") == 0
    readings = operational.split('id="by-goal"')[1]
    row = re.search(r"Orders a day.*?</tr>", readings, re.S)
    assert row and row[0].count("pumpsite-status--") == 1


def test_check_warns_about_the_limits_of_the_long_series_only(built: BuildResult) -> None:
    warned = sorted(p.path for p in built.inspection.warnings if p.code == "PS413")
    assert warned == ["measures/air/calls-a-week.md", "measures/air/co2-ppm.md"]
    co2 = next(p for p in built.inspection.warnings if p.path == "measures/air/co2-ppm.md")
    assert co2.line == 2
    assert co2.message.startswith("20 of the latest 20 values (since 2026-W28) are signals")


def test_the_example_itself_is_untouched(tmp_path: Path) -> None:
    result = build(copy_example(tmp_path), today=TODAY, workers=1)
    assert [p.code for p in result.inspection.problems] == []

"""Stale data, passed deadlines and events outside the data (issue 11): the one staleness rule,
what `pumpsite check` says, and what every page that lists a measure says, on a small repository
of realistic series built end to end (files → check → analysis → pages)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pumpsite.analysis.measure import staleness
from pumpsite.build.run import render
from pumpsite.checks.inspection import inspect
from pumpsite.cli import cli
from pumpsite.periods import FREQUENCIES, Frequency, Period, last_full_period, parse_label
from tests.conftest import Files

REPORT = date(2026, 11, 23)
RepoOf = Callable[[Files], Path]


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("daily", "2026-11-22"),
        ("weekly", "2026-W47"),
        ("monthly", "2026-10"),
        ("quarterly", "2026-Q3"),
        ("yearly", "2025"),
    ],
)
def test_the_last_full_period_before_the_report_date(frequency: Frequency, expected: str) -> None:
    assert str(last_full_period(REPORT, frequency)) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    st.sampled_from(FREQUENCIES),
)
def test_the_last_full_period_is_over_and_the_next_one_holds_the_day(
    day: date, frequency: Frequency
) -> None:
    period = last_full_period(day, frequency)
    assert period.end < day
    assert (period + 1).start <= day <= (period + 1).end


@pytest.mark.parametrize(
    ("latest", "stale"),
    [
        ("2026-11", False),  # the report month itself, still going: more than expected
        ("2026-10", False),  # the last full month
        ("2026-09", True),
        ("2026-W47", False),
        ("2026-W46", True),
        ("2026-11-22", False),
        ("2026-11-21", True),
        ("2026-Q3", False),
        ("2026-Q2", True),
        ("2025", False),
        ("1970", True),
    ],
)
def test_a_latest_value_before_the_last_full_period_is_stale(latest: str, stale: bool) -> None:
    period = parse_label(latest)
    assert period is not None
    found = staleness(period, REPORT)
    assert (found is not None) is stale
    if found is not None:
        assert found.latest == period
        assert found.expected == last_full_period(REPORT, period.frequency)
        assert found.missing == found.expected - period


def test_no_data_is_not_stale() -> None:
    assert staleness(None, REPORT) is None


# --- a small repository of real-looking series --------------------------------------------------


def _csv(rows: list[tuple[Period, float | None]], decimals: int) -> str:
    lines = ["period,value"]
    lines += [f"{p},{'' if v is None else f'{v:.{decimals}f}'}" for p, v in rows]
    return "\n".join(lines) + "\n"


def _series(
    first: str, last: str, value: Callable[[int, Period], float]
) -> list[tuple[Period, float]]:
    start, end = parse_label(first), parse_label(last)
    assert start is not None and end is not None
    return [(start + i, value(i, start + i)) for i in range(end - start + 1)]


def river_flow() -> str:
    """A century of yearly flow (1871 to 1970), about 1,100 until a dam-like drop to 850 in
    1899, then steady: the shape of the Nile at Aswan. It ends decades before the report."""
    noise = random.Random(1871)
    return _csv(
        _series("1871", "1970", lambda i, p: (1100 if i < 28 else 850) + noise.gauss(0, 130)), 0
    )


def weekly_co2() -> str:
    """Forty years of weekly readings with a trend and a season, up to week 40 of 2026."""
    noise = random.Random(1987)

    def ppm(i: int, week: Period) -> float:
        return 350 + 0.036 * i + 3 * math.sin(2 * math.pi * i / 52.18) + noise.gauss(0, 0.4)

    return _csv(_series("1987-W01", "2026-W40", ppm), 2)


def daily_temperature() -> str:
    """Daily temperatures for three months, up to 20 Nov 2026, with a gap in October."""
    noise = random.Random(2026)
    rows: list[tuple[Period, float | None]] = []
    for period, value in _series(
        "2026-08-23", "2026-11-20", lambda i, p: 22 - 0.1 * i + noise.gauss(0, 1.5)
    ):
        rows.append((period, None if str(period).startswith("2026-10-1") else value))
    return _csv(rows, 1)


def monthly(last: str, level: float, seed: int) -> str:
    noise = random.Random(seed)
    return _csv(_series("2024-01", last, lambda i, p: level + noise.gauss(0, level / 10)), 1)


GOAL = """---
kind: goal
title: Customers and rivers are looked after
owner: Ana Lee
---
"""


def measure_file(title: str, frequency: str, better: str, unit: str, extra: str = "") -> str:
    return (
        f'---\ntitle: {title}\ngoal: g\nowner: Sam Reid\nunit: "{unit}"\n'
        f"frequency: {frequency}\nbetter: {better}\n{extra}---\nNotes.\n"
    )


def key_result(start: str, target: float, deadline: str) -> str:
    return (
        "roles:\n"
        f"  - {{from: {start}, role: improve, target: {target}, deadline: {deadline}, "
        "owner: Priya Shah}\n"
    )


FILES: Files = {
    "mkdocs.yml": "site_name: Stale data\n",
    "measures/g.md": GOAL,
    "measures/river-flow.md": measure_file(
        "River flow", "yearly", "up", "m³/s", key_result("2026-Q4", 950, "2027-12-31")
    ),
    "data/river-flow.csv": river_flow(),
    "measures/late-orders.md": measure_file(
        "Late orders", "monthly", "down", "%", key_result("2026-Q1", 5, "2026-03-31")
    ),
    "data/late-orders.csv": monthly("2026-10", 8, 1),
    "measures/complaints.md": measure_file("Complaints", "monthly", "down", "complaints"),
    "data/complaints.csv": monthly("2026-09", 30, 2),
    "measures/co2.md": measure_file("CO2 at the plant", "weekly", "down", "ppm"),
    "data/co2.csv": weekly_co2(),
    "measures/temperature.md": measure_file("Office temperature", "daily", "neutral", "°C"),
    "data/temperature.csv": daily_temperature(),
    "measures/on-time.md": measure_file("Orders on time", "monthly", "up", "%"),
    "data/on-time.csv": monthly("2026-10", 90, 4),  # a predictable process
}


@pytest.fixture
def repo(repo_of: RepoOf) -> Path:
    return repo_of(FILES)


def pages(root: Path) -> Mapping[str, str]:
    inspection = inspect(root, today=REPORT)
    assert inspection.errors == []
    return render(inspection, charts={}).files


def check(root: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["check", str(root), "--as-of", str(REPORT), *args])
    assert "Traceback" not in result.output
    return result.stdout.splitlines()


# --- what `pumpsite check` says ------------------------------------------------------------------


def test_check_warns_at_the_last_row_of_each_stale_csv(repo: Path) -> None:
    stale = [line for line in check(repo) if line.endswith("[PS418]")]
    assert [line.split(": warning: ")[0] for line in stale] == [
        "data/co2.csv:2076",
        "data/complaints.csv:34",
        "data/river-flow.csv:101",
        "data/temperature.csv:91",
    ]
    assert stale[1] == (
        "data/complaints.csv:34: warning: Stale data: the latest value is for 2026-09, but on "
        "2026-11-23 a monthly measure should have one for 2026-10. Add the value for 2026-10; "
        "until then the site says that the readings of 'complaints' are out of date. [PS418]"
    )
    assert "Add the values for 1971 to 2025;" in stale[2]
    assert "Add the values for 2026-11-21 to 2026-11-22;" in stale[3]


def test_check_is_quiet_about_data_that_is_up_to_date(repo_of: RepoOf) -> None:
    root = repo_of({**FILES, "data/complaints.csv": monthly("2026-10", 30, 2)})
    assert not [line for line in check(root) if "complaints" in line]
    # The value of the report month itself is welcome: it is not stale either.
    root = repo_of({**FILES, "data/complaints.csv": monthly("2026-11", 30, 2)})
    assert not [line for line in check(root) if "complaints" in line]


def test_a_missing_value_at_the_end_is_still_missing(repo_of: RepoOf) -> None:
    rows = monthly("2026-09", 30, 2) + "2026-10,\n"
    root = repo_of({**FILES, "data/complaints.csv": rows})
    (line,) = [line for line in check(root) if "complaints.csv" in line]
    assert line.startswith("data/complaints.csv:35: warning: Stale data: the latest value is for")
    assert "Add the value for 2026-10;" in line


def test_check_as_of_an_earlier_date_finds_the_data_up_to_date(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(repo), "--as-of", "2026-10-15"])
    assert "complaints.csv" not in result.stdout  # September was the last full month then
    assert "data/river-flow.csv:101: warning: Stale data:" in result.stdout


# --- what the pages say --------------------------------------------------------------------------


THEN = ", so this reading describes the process as it was then."
UP_TO = ". This reading describes the process up to "


def test_the_measure_page_names_the_missing_period_first(repo: Path) -> None:
    page = pages(repo)["measures/complaints.md"]
    head = page.split("## Reading")[0]
    assert "KPI</span> in 2026-Q4 · **Stale data:** no value for Oct 2026 yet · " in head
    reading = page.split("## Reading\n\n")[1]
    assert reading.startswith(
        "Stale data: no value for Oct 2026 yet. This reading describes the process up to "
        "Sep 2026.\n"
    )


@pytest.mark.parametrize(
    ("measure", "words", "then"),
    [
        ("co2", "no data after week 40 of 2026", THEN),
        ("temperature", "no values for 21 Nov 2026 to 22 Nov 2026 yet", UP_TO + "20 Nov 2026."),
        ("river-flow", "no data after 1970", THEN),
    ],
)
def test_the_measure_page_says_what_is_missing_in_the_measures_periods(
    repo: Path, measure: str, words: str, then: str
) -> None:
    page = pages(repo)[f"measures/{measure}.md"]
    assert f"in 2026-Q4 · **Stale data:** {words} · " in page
    assert f"\n\nStale data: {words}{then}\n" in page


def test_a_key_result_whose_data_ended_decades_ago_says_so_where_its_role_is_shown(
    repo: Path,
) -> None:
    site = pages(repo)
    assert (
        "Key result</span> in 2026-Q4 · **Stale data:** no data after 1970 · "
        in (site["measures/river-flow.md"])
    )
    home = site["index.md"].split("## Focus this quarter")[1].split("\n## ")[0]
    assert "[River flow](measures/river-flow.md) (no data after 1970)" in home
    strategic = site["strategic.md"].split("### [River flow](measures/river-flow.md)")[1]
    assert strategic.split("\n- ")[1] == "**Stale data:** no data after 1970"
    review = _reading_row(site["review.md"], "[River flow]")
    assert "**Stale data:** no data after 1970." in review


def test_home_lists_every_stale_measure_and_only_those(repo: Path) -> None:
    home = pages(repo)["index.md"]
    stale = home.split("## Stale data\n\n")[1].split("\n## ")[0]
    listed = [line for line in stale.splitlines() if line.startswith("- ")]
    assert [line.split("](")[0].split("[")[1] for line in listed] == [
        "CO2 at the plant",
        "Complaints",
        "Office temperature",
        "River flow",
    ]
    assert "[Complaints](measures/complaints.md): no value for Oct 2026 yet (owner Sam Reid)" in (
        stale
    )


def test_home_says_which_changes_and_concerns_come_from_stale_data(repo: Path) -> None:
    home = pages(repo)["index.md"]
    changed = home.split("## What changed")[1].split("\n## ")[0]
    assert "[River flow](measures/river-flow.md) (no data after 1970): " in changed
    assert "[Complaints](measures/complaints.md) (no value for Oct 2026 yet): " in changed
    attention = home.split("## Business as usual that needs attention")[1].split("\n## ")[0]
    co2 = next(line for line in attention.splitlines() if "[CO2 at the plant]" in line)
    assert "(owner Sam Reid): **Stale data:** no data after week 40 of 2026. Most of the " in co2
    assert "[Orders on time]" not in attention  # up to date and predictable


def test_home_has_no_stale_section_when_every_measure_is_up_to_date(repo_of: RepoOf) -> None:
    fresh = {k: v for k, v in FILES.items() if "on-time" in k or "late-orders" in k or "/g." in k}
    home = pages(repo_of({**fresh, "mkdocs.yml": FILES["mkdocs.yml"]}))["index.md"]
    assert "Stale" not in home


def about(page: str, title: str) -> str:
    """What an overview page says of one measure: its table row, or its card."""
    row = [line for line in page.splitlines() if line.startswith(f"| [{title}](")]
    return row[0] if row else page.split(f"### [{title}](")[1].split("\n### ")[0]


def test_operational_says_which_kpis_are_stale_in_cards_and_rows(repo: Path) -> None:
    page = pages(repo)["operational.md"]
    attention = page.split("## Needs attention")[1].split("## By goal")[0]
    assert "### [CO2 at the plant]" in attention
    assert "\n- **Stale data:** no data after week 40 of 2026\n" in about(page, "CO2 at the plant")
    assert "| **Stale data:** no value for Oct 2026 yet. " in about(page, "Complaints")
    temperature = about(page, "Office temperature")
    # A neutral KPI with a signal at its latest value needs attention: a card, not a row.
    assert "\n- **Stale data:** no values for 21 Nov 2026 to 22 Nov 2026 yet\n" in temperature
    assert "Stale" not in about(page, "Orders on time")


def _reading_row(review: str, name: str) -> str:
    """The measure's row in a goal's table of readings (the summary table has one too)."""
    return next(line for line in review.splitlines() if name in line and "pumpsite-status" in line)


def test_review_shows_stale_kpis_beside_their_status(repo: Path) -> None:
    review = pages(repo)["review.md"]
    row = _reading_row(review, "[Complaints]")
    assert "</span> **Stale data:** no value for Oct 2026 yet. " in row
    row = _reading_row(review, "[Orders on time]")
    assert "Stale" not in row


def test_a_passed_deadline_shows_on_every_page_that_lists_the_key_result(repo: Path) -> None:
    site = pages(repo)
    passed = "deadline 31 Mar 2026 passed"
    home = site["index.md"].split("## Focus this quarter")[1].split("\n## ")[0]
    assert f"[Late orders](measures/late-orders.md) ({passed})" in home
    strategic = site["strategic.md"].split("### [Late orders](measures/late-orders.md)")[1]
    assert f"- **Target:** 5%, {passed} · owner Priya Shah" in strategic
    review = _reading_row(site["review.md"], "[Late orders]")
    assert f"Target 5%, {passed} · owner Priya Shah" in review
    goal = site["goals/g.md"].split("### [Late orders]")[1]
    assert f"- **Target:** 5%, {passed} · owner Priya Shah" in goal
    measure = site["measures/late-orders.md"].split("## Target\n\n")[1]
    assert measure.startswith(f"- **Target:** 5%, {passed} · owner Priya Shah\n")
    # A deadline still ahead reads as before.
    assert "- **Target:** 950 m³/s by 31 Dec 2027 · owner Priya Shah" in site["strategic.md"]


def test_the_deadline_is_not_passed_on_its_own_day(repo_of: RepoOf) -> None:
    late = FILES["measures/late-orders.md"].replace("2026-03-31", "2026-11-23")
    site = pages(repo_of({**FILES, "measures/late-orders.md": late}))
    assert "passed" not in site["strategic.md"].split("### [Late orders]")[1].split("###")[0]


# --- events outside the data -------------------------------------------------------------------

EVENTS = """---
title: Orders on time
goal: g
owner: Sam Reid
unit: "%"
frequency: monthly
better: up
events:
  - {date: 2023-11-20, text: New courier before we measured, kind: action}
  - {date: 2025-06, text: Warehouse moved, kind: incident}
  - date: 2026-11-05
    text: Retention desk starts
    kind: action
  - {date: 2062-01, text: Typo for 2026, kind: note}
---
"""


def test_events_outside_the_data_are_problems_at_their_lines(repo_of: RepoOf) -> None:
    root = repo_of({**FILES, "measures/on-time.md": EVENTS})
    lines = [line for line in check(root) if line.startswith("measures/on-time.md")]
    assert lines == [
        "measures/on-time.md:9: error: The event 2023-11 (New courier before we measured) is "
        "before the data: the data runs from 2024-01 to 2026-10, so the chart cannot show it. "
        "Correct its date, or tell it in the measure's notes (the text after the frontmatter). "
        "[PS312]",
        "measures/on-time.md:11: warning: The event 2026-11 (Retention desk starts) is after the "
        "data: the data runs from 2024-01 to 2026-10. The chart shows it once the data reaches "
        "2026-11; check its date if that is not what you meant. [PS207]",
        "measures/on-time.md:14: warning: The event 2062-01 (Typo for 2026) is after the data: "
        "the data runs from 2024-01 to 2026-10. The chart shows it once the data reaches "
        "2062-01; check its date if that is not what you meant. [PS207]",
    ]


def test_events_inside_the_data_are_fine(repo_of: RepoOf) -> None:
    inside = EVENTS.replace("2023-11-20", "2024-01-20").replace("2026-11-05", "2026-10-05")
    inside = inside.replace("2062-01", "2026-10")
    root = repo_of({**FILES, "measures/on-time.md": inside})
    assert not [line for line in check(root) if line.startswith("measures/on-time.md")]


def test_an_event_in_a_missing_period_inside_the_data_is_fine(repo_of: RepoOf) -> None:
    gap = "\n".join(
        line for line in monthly("2026-10", 90, 4).splitlines() if "2025-06" not in line
    )
    root = repo_of({**FILES, "measures/on-time.md": EVENTS, "data/on-time.csv": gap + "\n"})
    lines = [line for line in check(root) if line.startswith("measures/on-time.md")]
    assert not [line for line in lines if "2025-06" in line]

"""What the readings claim, on a small repository rendered end to end: the measure page, the
overviews and the badges say only what the data support (issue 11, "What the readings claim").

Base series: 18 and 22 alternating from Jan 2025: central line 20, limits 9.36 to 30.64, upper
range limit 13.07. Charts and the results map are fakes (their own tests cover them).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import pytest

from pumpsite.checks.inspection import analyse_repo
from pumpsite.model import Measure
from pumpsite.render.site import Site, render_site
from tests.factories import goal, measure, repo
from tests.render.test_site import FakeMap, fake_charts

REPORT = date(2026, 11, 23)
BASE: list[float | None] = [18.0, 22.0] * 10
KEY_RESULT = {"from": "2026-Q4", "role": "improve", "deadline": "2027-06-30", "owner": "Ana"}


def co2() -> Measure:
    """40 years of weekly CO2 (ppm), rising with a season; every value above the target."""
    values: list[float | None] = [
        round(362 + 0.03 * week + 3 * math.sin(2 * math.pi * week / 52.18), 2)
        for week in range(2000)
    ]
    return measure(
        "co2",
        values,
        start="1988-W30",
        frequency="weekly",
        title="Weekly CO2",
        unit="ppm",
        better="down",
        roles=[{**KEY_RESULT, "target": 360}],
    )


def small_repo() -> Any:
    return repo(
        goal("g", "The air stays clean"),
        co2(),
        measure(
            "satisfaction",
            [*BASE, 40.0, 20.0],  # one good month, then back to normal
            start="2025-01",
            title="Satisfaction",
            unit="%",
        ),
        measure(
            "outages",
            [*BASE, 2.0],  # the latest value is below the limits, explained
            start="2025-01",
            title="Outages",
            limits={"exclude": [{"period": "2026-09", "reason": "Data centre move"}]},
        ),
        measure("newcomer", [18.0, 22.0, 19.0], start="2026-08", title="Newcomer"),
        measure(
            "response",
            [*BASE, 7.0, 9.0, 7.0, 9.0, 7.0],  # lower is better: a drop, recorded as a new phase
            start="2024-09",
            title="Response",
            better="down",
            roles=[{**KEY_RESULT, "target": 10}],
            limits={"phases": [{"from": "2026-05", "reason": "New triage"}]},
        ),
    )


@pytest.fixture(scope="module")
def site() -> Site:
    r = small_repo()
    analyses = analyse_repo(r, REPORT)
    return render_site(
        r,
        analyses,
        REPORT,
        charts=fake_charts(analyses),
        results_map=FakeMap(),
        templates={},
        edit_base=None,
    )


def page(site: Site, path: str) -> str:
    return site.files[path]


def section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    rest = text[start + len(heading) :]
    end = re.search(rf"^#{{1,{heading.count('#')}}} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def badge(text: str) -> str:
    found = re.search(r'pumpsite-status--\w+">([^<]*)<', text)
    assert found, "a status badge"
    return found[1]


def test_assurance_the_data_contradict_is_not_given(site: Site) -> None:
    text = page(site, "measures/co2.md")
    target = section(text, "## Target")
    assert "- **Can the process meet it?** can't be judged until a new phase: the latest " in target
    reading = section(text, "## Reading")
    assert "The target of 360 ppm can't be judged until a new phase: the latest values are" in (
        reading
    )
    assert "consistently" not in text
    card = section(page(site, "strategic.md"), "### [Weekly CO2](measures/co2.md)")
    assert "can't be judged until a new phase" in card
    assert "consistently" not in card


def test_achieved_is_not_granted_on_five_trial_values(site: Site) -> None:
    text = page(site, "measures/response.md")
    assert (
        "- **Achieved:** not yet: the new phase's limits are still trial (5 values; firm from 12)"
    ) in section(text, "## Target")
    assert "Target achieved" not in text
    assert "Not achieved yet, although the central line (8) is at or past the target of 10" in (
        section(text, "## Reading")
    )


def test_the_return_to_normal_after_one_good_value_is_not_a_concern(site: Site) -> None:
    text = page(site, "measures/satisfaction.md")
    assert badge(text) == "Better than usual: find out why"
    signals = section(text, "## Signals")
    assert signals.count("| Point beyond the limits |") == 1
    assert "Moving range" not in signals
    assert "No signal in the latest value (20% in Oct 2026): it is back within the limits" in text
    home = page(site, "index.md")
    assert "Satisfaction" not in section(home, "## What changed")
    assert "Satisfaction" not in section(home, "## Business as usual that needs attention")


def test_an_excluded_value_raises_no_signal_and_shows_its_reason(site: Site) -> None:
    text = page(site, "measures/outages.md")
    assert badge(text) == "Predictable"
    row = '<th scope="row">Sep 2026</th><td>2</td><td>20</td><td>20</td><td>9</td><td>31</td>'
    assert f"{row}<td></td><td>excluded from the limits: Data centre move</td>" in text
    assert "Latest value: 2 in Sep 2026, excluded: Data centre move." in text
    assert "find out what happened" not in text
    assert "Outages" not in section(page(site, "index.md"), "## What changed")


def test_a_run_chart_is_not_routine_variation(site: Site) -> None:
    text = page(site, "measures/newcomer.md")
    assert badge(text) == "Run chart: too few values for limits"
    assert "None found: too few values to judge (a run chart has no limits)." in text
    assert "routine variation" not in text
    assert "redictable" not in section(text, "## Reading")

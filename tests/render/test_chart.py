"""The XmR chart SVG: structure (parsed with xml.etree), the maths behind the drawing, escaping,
inline-safety and golden files.

Golden files live in tests/golden/charts/. Refresh them with `PUMPSITE_UPDATE_GOLDEN=1 pytest
tests/render/test_chart.py` and review the diff; with `CI` set they are only ever compared.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from itertools import pairwise
from typing import Any

import pytest

from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
from pumpsite.analysis.reading import level_decimals, with_unit
from pumpsite.build.chart_cache import chart_shaped
from pumpsite.model import Measure, Observation, Series
from pumpsite.numbers import fmt
from pumpsite.periods import Frequency, parse_label, parse_period
from pumpsite.render.chart.draw import render_chart
from pumpsite.render.chart.guides import tick_indices, tick_label, tick_step
from pumpsite.render.chart.plan import (
    EFFECT_COLOURS,
    PAGE_BACKGROUND,
    TARGET_COLOUR,
    VALUE_COLOUR,
    full_chart_notes,
    role_spans,
    spread_labels,
    truncate,
)
from pumpsite.schema import MeasureMeta, SiteSettings
from tests import golden_files
from tests.golden_files import assert_golden

GOLDEN = golden_files.GOLDEN / "charts"
HOSTILE = '<script>alert(1)</script> "><img onerror=x> & $x$'
REPORT_DATE = date(2030, 1, 1)

STEADY = [62, 65, 61, 66, 63, 60, 64, 67, 62, 63, 63, 61, 64, 62, 65, 63, 61, 64, 66, 62]


# --- fixtures ----------------------------------------------------------------------------------


def make_measure(
    values: list[float | None],
    *,
    id: str = "on-time",
    start: str = "2024-01",
    frequency: Frequency = "monthly",
    **meta: Any,
) -> Measure:
    data = {"title": "Complaints resolved on time", "goal": "g", "frequency": frequency}
    data |= {"better": "up", **meta}
    parsed = MeasureMeta.model_validate(data, context={"frequency": frequency})
    first = parse_period(start, frequency)
    assert first is not None
    observations = tuple(Observation(first + i, v, "", i + 2) for i, v in enumerate(values))
    series = Series(f"data/{id}.csv", "value", observations)
    return Measure(id, f"measures/{id}.md", parsed, "", f"data/{id}.csv", series)


def analyse(measure: Measure) -> MeasureAnalysis:
    analysis = analyse_measure(measure, SiteSettings(), REPORT_DATE)
    assert analysis is not None
    return analysis


def render(measure: Measure, size: str = "full", description: str = "A reading.") -> str:
    return render_chart(measure, analyse(measure), description=description, size=size)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_id(root: ET.Element, measure_id: str, name: str, size: str = "full") -> ET.Element | None:
    wanted = f"{measure_id}-{size}-{name}"
    return next((e for e in root.iter() if e.get("id") == wanted), None)


def group(
    root: ET.Element, name: str, measure_id: str = "on-time", size: str = "full"
) -> ET.Element:
    found = by_id(root, measure_id, name, size)
    assert found is not None, f"no group {name}"
    return found


def marks(group_element: ET.Element) -> list[ET.Element]:
    return [e for e in group_element if e.tag.endswith(("use", "path"))]


def points_of(root: ET.Element, panel: str = "x", size: str = "full") -> list[ET.Element]:
    """Every point of a panel in the order of the values: routine ones and signals, whatever
    their shape."""
    prefixes = (f"on-time-{size}-{panel}-points", f"on-time-{size}-{panel}-signal-")
    groups = [e for e in root.iter() if e.get("id", "").startswith(prefixes)]
    found = [(title_of(m), m) for g in groups for m in marks(g)]
    return [m for _, m in sorted(found, key=lambda item: _period_order(item[0]))]


def _period_order(title: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", title.split(":")[0]))


def line_y(group_element: ET.Element) -> float:
    """The y of a horizontal line drawn as `M x0 y L x1 y`."""
    path = next(e for e in group_element if e.tag.endswith("path"))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    assert numbers[1] == numbers[3], "not horizontal"
    return numbers[1]


def style_of(element: ET.Element) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in element.get("style", "").split(";") if part.strip())
    return {key.strip(): value.strip() for key, value in pairs}


def title_of(element: ET.Element) -> str:
    title = next(e for e in element if e.tag.endswith("title"))
    return title.text or ""


def titles(group_element: ET.Element) -> list[str]:
    return [title_of(e) for e in marks(group_element)]


def full_measure(**overrides: Any) -> Measure:
    """24 months: a gap, an exclusion, a phase, an improve role with a target, two events."""
    values: list[float | None] = [62, 65, 61, 66, 63, 60, 64, 67, 62, None, 63, 61]
    values += [80, 70, 71, 72, 73, 69, 71, 74, 72, 70, 73, 75]
    meta: dict[str, Any] = {
        "unit": "%",
        "roles": [
            {"from": "2024-Q1", "role": "sustain"},
            {"from": "2025-Q1", "role": "improve", "target": 78, "deadline": "2025-12-31"},
        ],
        "limits": {
            "phases": [{"from": "2025-02", "reason": "New triage process at the front desk"}],
            "exclude": [{"period": "2025-01", "reason": "System outage"}],
        },
        "events": [
            {"date": "2024-06", "text": "Staff training", "kind": "action"},
            {"date": "2025-01", "text": "System outage", "kind": "incident"},
        ],
    }
    return make_measure(values, **(meta | overrides))


# --- inline safety -----------------------------------------------------------------------------


def test_inline_ready_root() -> None:
    svg = render(full_measure())
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert all(line.strip() for line in svg.splitlines()), "a blank line ends a Markdown HTML block"
    root = parse(svg)
    assert root.get("width") is None and root.get("height") is None
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("class") == "pumpsite-chart pumpsite-chart-full"
    assert root.get("role") == "img"
    first, second = list(root)[:2]
    assert first.tag.endswith("title") and first.text == "Complaints resolved on time"
    assert second.tag.endswith("desc") and second.text is not None
    assert second.text.startswith("XmR chart of Complaints resolved on time: ")
    assert second.text.endswith(" A reading.")
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"


@pytest.mark.slow
def test_no_page_wide_style_and_no_sentinel_colour() -> None:
    svg = render(full_measure())
    assert "<style" not in svg, "a <style> inside inline SVG styles the whole page"
    assert "#010203" not in svg and "#fefdfc" not in svg
    assert "currentColor" in svg
    assert "DejaVu" not in svg, "text takes the page's font"


def test_ids_are_prefixed_unique_and_resolve() -> None:
    root = parse(render(full_measure()))
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i and i.startswith("on-time-full-") for i in ids)
    assert len(ids) == len(set(ids))
    known = set(ids)
    for element in root.iter():
        href = element.get("href")
        if href:
            assert href[1:] in known
        for value in element.attrib.values():
            for ref in re.findall(r"url\(#([^)]+)\)", value):
                assert ref in known


@pytest.mark.slow
def test_two_charts_share_no_id() -> None:
    one = {e.get("id") for e in parse(render(full_measure())).iter() if e.get("id")}
    other = make_measure(STEADY, id="other")
    two = {e.get("id") for e in parse(render(other)).iter() if e.get("id")}
    small = {e.get("id") for e in parse(render(full_measure(), "small")).iter() if e.get("id")}
    assert not one & two and not one & small


@pytest.mark.slow
def test_deterministic() -> None:
    measure = full_measure()
    assert render(measure) == render(measure)
    assert render(measure, "small") == render(measure, "small")


# --- points ------------------------------------------------------------------------------------


def test_one_titled_point_per_known_value() -> None:
    measure = full_measure()
    root = parse(render(measure))
    points = marks(group(root, "x-points"))
    assert len(points) == 23  # 24 periods, one missing
    assert all(title_of(p) for p in points)
    assert [p.get("data-period") for p in points][:10] == [
        "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08",
        "2024-09", "2024-11",
    ]  # fmt: skip
    assert title_of(points[0]) == "2024-01: 62%"


@pytest.mark.slow
def test_missing_value_breaks_the_line() -> None:
    root = parse(render(full_measure()))
    line = next(e for e in group(root, "x-line") if e.tag.endswith("path"))
    assert line.get("d", "").count("M") == 2
    steady = parse(render(make_measure(STEADY)))
    line = next(e for e in group(steady, "x-line") if e.tag.endswith("path"))
    assert line.get("d", "").count("M") == 1


def test_signal_points_shaped_by_rule_coloured_by_effect_and_named() -> None:
    values: list[float | None] = [*STEADY, 90]
    svg = render(make_measure(values))
    root = parse(svg)
    (last,) = marks(group(root, "x-signal-limit"))  # a diamond: beyond a limit
    assert style_of(last)["fill"] == EFFECT_COLOURS["improvement"]
    assert title_of(last) == "2025-09: 90 — Point beyond the limits (improvement)"
    points = marks(group(root, "x-points"))
    assert len(points) == 20 and {style_of(p)["fill"] for p in points} == {VALUE_COLOUR}
    assert "Point beyond the limits" in svg and "Improvement" in svg  # the legend


def test_concern_when_lower_is_better_and_rule_label_with_run_length() -> None:
    values: list[float | None] = [*STEADY, 70, 71, 70, 72, 71, 70, 71, 72]
    measure = make_measure(values, better="down", limits={"rules": "pump"})
    root = parse(render(measure))
    last = points_of(root)[-1]
    assert style_of(last)["stroke"] == EFFECT_COLOURS["concern"]
    assert "Outlier (concern)" in title_of(last)


def test_a_concern_is_open_and_an_improvement_filled_so_the_effect_reads_without_colour() -> None:
    root = parse(render(make_measure([*STEADY, 90, 63, 30])))  # up, then down: better is up
    signals = {
        p.get("data-period"): style_of(p)
        for g in root.iter()
        if g.get("id", "").startswith("on-time-full-x-signal-")
        for p in marks(g)
    }
    assert signals["2025-09"] == {"fill": EFFECT_COLOURS["improvement"]}
    concern = signals["2025-11"]
    assert concern["fill"] == PAGE_BACKGROUND, "open: the value line does not show through"
    assert concern["stroke"] == EFFECT_COLOURS["concern"]
    assert float(concern["stroke-width"]) >= 1.5
    mr = marks(group(root, "mr-signal-limit"))  # no direction: filled in the text colour
    assert mr and {style_of(p)["fill"] for p in mr} == {"currentColor"}
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    assert "Improvement (filled)" in texts and "Concern (open)" in texts


def test_an_open_signal_reads_apart_from_an_excluded_point_at_every_size() -> None:
    values: list[float | None] = [*STEADY, 63, 30]
    excluded = {"limits": {"exclude": [{"period": "2024-03", "reason": "Outage"}]}}
    for size in ("full", "small"):
        svg = render(make_measure(values, **excluded), size=size)
        root = parse(svg)
        points = {p.get("data-period"): p for p in marks(group(root, "x-points", size=size))}
        assert style_of(points["2024-03"])["fill"] == "none"
        (signal,) = marks(group(root, "x-signal-limit", size=size))
        assert style_of(signal)["fill"] == PAGE_BACKGROUND
        assert marker_width(root, signal) > 1.4 * marker_width(root, points["2024-03"])


def marker_width(root: ET.Element, mark: ET.Element) -> float:
    """The width of the shape a `<use>` draws, from its definition's path."""
    shape = next(e for e in root.iter() if e.get("id") == mark.get("href", "")[1:])
    xs = [float(x) for x in re.findall(r"(-?\d+(?:\.\d+)?) -?\d+(?:\.\d+)?", shape.get("d", ""))]
    return max(xs) - min(xs)


def test_each_rule_has_its_shape_and_the_legend_names_it() -> None:
    run = [*STEADY, 64, 65, 64, 65, 64, 65, 64, 65]  # above the central line, below halfway
    root = parse(render(make_measure(run)))
    runs = marks(group(root, "x-signal-run"))  # squares
    assert len(runs) == 8 and all("Run of 8 on one side" in title_of(p) for p in runs)
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    assert "Run of 8 on one side" in texts  # the legend explains the square
    near = [*STEADY, 68, 62, 68, 68]  # 3 of 4 beyond the halfway line, inside the limits
    shapes = marks(group(parse(render(make_measure(near))), "x-signal-near"))  # triangles
    assert shapes and all("3 of 4 beyond the halfway line" in title_of(p) for p in shapes)


def test_excluded_point_is_hollow_and_says_why() -> None:
    root = parse(render(full_measure()))
    points = {p.get("data-period"): p for p in marks(group(root, "x-points"))}
    excluded = points["2025-01"]
    assert style_of(excluded)["fill"] == "none"
    assert title_of(excluded) == "2025-01: 80% — excluded: System outage"
    assert style_of(points["2024-01"])["fill"] == VALUE_COLOUR


# --- lines map back to the maths ---------------------------------------------------------------


@pytest.mark.slow
def test_limit_lines_map_to_the_computed_limits() -> None:
    measure = full_measure()
    analysis = analyse(measure)
    root = parse(render(measure))
    first, second = (phase.limits for phase in analysis.xmr.phases)
    assert first is not None and second is not None
    top, bottom = line_y(group(root, "x-unpl-0")), line_y(group(root, "x-lnpl-0"))

    def to_value(y: float) -> float:  # the linear map given by the first phase's limits
        return first.lnpl + (y - bottom) / (top - bottom) * (first.unpl - first.lnpl)

    tolerance = 0.02 * (first.unpl - first.lnpl) / abs(top - bottom)  # 0.02 pt
    for name, expected in (
        ("x-cl-0", first.center),
        ("x-unpl-1", second.unpl),
        ("x-cl-1", second.center),
        ("x-lnpl-1", second.lnpl),
        ("target-0", 78.0),
    ):
        assert to_value(line_y(group(root, name))) == pytest.approx(expected, abs=tolerance)
    points = marks(group(root, "x-points"))
    known = [v for v in analysis.xmr.values if v is not None]
    for point, value in zip(points, known, strict=True):
        assert to_value(float(point.get("y", "nan"))) == pytest.approx(value, abs=tolerance)


@pytest.mark.slow
def test_trial_limits_are_dotted_and_firm_limits_dashed() -> None:
    trial = parse(render(make_measure(STEADY[:8])))
    firm = parse(render(make_measure(STEADY)))
    dotted = style_of(next(iter(marks(group(trial, "x-unpl-0")))))["stroke-dasharray"]
    dashed = style_of(next(iter(marks(group(firm, "x-unpl-0")))))["stroke-dasharray"]
    assert float(dotted.split(",")[0]) < float(dashed.split(",")[0])
    assert "Trial limits" in render(make_measure(STEADY[:8]))  # the legend


def test_mr_panel_lines_and_points() -> None:
    measure = full_measure()
    analysis = analyse(measure)
    root = parse(render(measure))
    ranges = [r for r in analysis.xmr.moving_ranges if r is not None]
    assert len(marks(group(root, "mr-points"))) == len(ranges)
    first = analysis.xmr.phases[0].limits
    assert first is not None
    assert "Upper range limit" in title_of(group(root, "mr-url-0"))
    # The jump into the excluded (explained) value is not judged: plain, and no rule named.
    jump = next(p for p in marks(group(root, "mr-points")) if "2025-01" in title_of(p))
    assert style_of(jump)["fill"] == VALUE_COLOUR
    assert "Moving range above the upper range limit" not in title_of(jump)


def test_a_jump_is_neutral_whichever_direction_is_better() -> None:
    root = parse(render(make_measure([*STEADY, 63, 75])))  # 75 is inside the limits
    (jump,) = marks(group(root, "mr-signal-limit"))
    assert style_of(jump)["fill"] == "currentColor"  # the text colour: no direction
    assert title_of(jump).endswith("Moving range above the upper range limit (neutral)")


def test_the_median_moving_range_is_named_so() -> None:
    svg = render(make_measure(STEADY, limits={"dispersion": "median"}))
    assert title_of(group(parse(svg), "mr-avg-0")).startswith("Median moving range ")
    assert "Median mR" in svg and "Avg mR" not in svg
    assert "Average moving range" in render(make_measure(STEADY))


def test_run_chart_has_no_limits_and_says_why() -> None:
    svg = render(make_measure([5, 7, 6]))
    root = parse(svg)
    assert by_id(root, "on-time", "x-cl-0") is None
    assert "Limits need 5 values" in svg
    assert len(marks(group(root, "x-points"))) == 3


# --- roles, targets, events, phases ------------------------------------------------------------


@pytest.mark.slow
def test_target_only_for_an_improve_role_with_a_target() -> None:
    plain = parse(render(make_measure(STEADY)))
    assert by_id(plain, "on-time", "target-0") is None
    assert by_id(plain, "on-time", "key-result-0") is None
    untargeted = parse(render(make_measure(STEADY, roles=[{"from": "2024-Q3", "role": "improve"}])))
    assert by_id(untargeted, "on-time", "target-0") is None
    assert by_id(untargeted, "on-time", "key-result-0") is not None
    targeted = render(
        make_measure(STEADY, roles=[{"from": "2024-Q3", "role": "improve", "target": 70}])
    )
    line = group(parse(targeted), "target-0")
    assert style_of(marks(line)[0])["stroke"] == TARGET_COLOUR
    assert title_of(line) == "Target 70"
    assert "Key result from 2024-Q3" in targeted


def test_target_spans_the_role_in_force() -> None:
    roles = [
        {"from": "2024-Q2", "role": "improve", "target": 70, "deadline": "2024-12-31"},
        {"from": "2025-Q1", "role": "sustain"},
    ]
    measure = make_measure(STEADY, roles=roles)
    spans = role_spans(measure.meta.roles, analyse(measure).periods)
    assert [(s.start, s.end, r.role) for s, r in spans] == [(3, 12, "improve"), (12, 20, "sustain")]
    svg = render(measure)
    assert "Target 70 by 2024-12-31" in svg


def test_events_are_numbered_and_titled() -> None:
    root = parse(render(full_measure()))
    assert titles(group(root, "events")) == [
        "1. Jun 2024 (action): Staff training",
        "2. Jan 2025 (incident): System outage",
    ]


@pytest.mark.slow
def test_phase_boundary_with_reason() -> None:
    root = parse(render(full_measure()))
    boundary = group(root, "x-phase-1")
    assert title_of(boundary) == "3. New phase from 2025-02: New triage process at the front desk"
    assert "New triage" not in "".join(root.itertext()).replace(title_of(boundary), "")
    assert group(root, "mr-phase-1") is not None


def test_phase_changes_and_events_are_numbered_notes_given_below_the_chart() -> None:
    measure = full_measure()
    notes = full_chart_notes(measure, analyse(measure))
    assert [(n.number, n.when, n.kind, n.text) for n in notes] == [
        (1, "Jun 2024", "action", "Staff training"),
        (2, "Jan 2025", "incident", "System outage"),
        (3, "Feb 2025", "new phase", "New triage process at the front desk"),
    ]
    root = parse(render(measure))
    assert [e.text for e in group(root, "phase-number-1").iter() if e.tag.endswith("text")] == ["3"]


def test_the_baseline_is_marked_under_the_axis() -> None:
    root = parse(render(make_measure(STEADY, limits={"baseline": 12})))
    bar = group(root, "baseline-0")
    assert title_of(bar) == (
        "Baseline: the 12 values from Jan 2024 to Dec 2024, from which the limits from "
        "2024-01 are computed"
    )
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    assert "Baseline of the limits" in texts


def path_xs(group_element: ET.Element) -> list[float]:
    path = next(e for e in group_element if e.tag.endswith("path"))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    return numbers[0::2]


def test_a_target_in_force_runs_on_towards_its_deadline() -> None:
    role = {"from": "2025-Q3", "role": "improve", "target": 70, "deadline": "2025-12-31"}
    measure = make_measure(STEADY, roles=[role], unit="%")
    for size in ("full", "small"):
        root = parse(render(measure, size))
        last = float(points_of(root, size=size)[-1].get("x", "nan"))
        start, end = path_xs(group(root, "target-0", size=size))[:2]
        assert start < last < end and end - start > 40  # visible: 3 periods ahead, capped
    small = parse(render(measure, "small"))
    texts = [e.text for e in small.iter() if e.tag.endswith("text")]
    assert "Target" in texts and "70%" in texts  # labelled in the small chart's margin


def test_limits_are_shown_to_the_precision_of_the_spread_with_their_unit() -> None:
    values: list[float | None] = [round(1 + 0.01 * ((i * 37) % 29 - 14), 3) for i in range(20)]
    svg = render(make_measure(values, unit="days"))
    texts = [e.text or "" for e in parse(svg).iter() if e.tag.endswith("text")]
    centre = next(t for t in texts if t.startswith("CL "))
    assert centre == "CL 1.0 days"  # values to 2 decimals, sigma about 0.1
    assert any(t.startswith("URL ") and t.endswith(" days") for t in texts)


# --- escaping ----------------------------------------------------------------------------------


def hostile_measure() -> Measure:
    """Hostile text in every field a chart shows: title, unit, event, phase, exclusion."""
    return make_measure(
        [1, 2, 3, 2, 1, 2, 3, 30, 2, 1, 2, 1, 2, 3],
        title=HOSTILE,
        unit=HOSTILE,
        events=[{"date": "2024-03", "text": HOSTILE}],
        roles=[{"from": "2024-Q2", "role": "improve", "target": 2.5}],
        limits={
            "phases": [{"from": "2024-08", "reason": HOSTILE}],
            "exclude": [{"period": "2024-02", "reason": HOSTILE}],
        },
    )


def test_hostile_text_is_escaped_everywhere() -> None:
    measure = hostile_measure()
    svg = render(measure, description=HOSTILE)
    assert "<script" not in svg and "<img" not in svg
    assert chart_shaped(svg), "what the chart cache would accept"
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    tags = {e.tag.rpartition("}")[2] for e in root.iter()}
    assert not tags & {"script", "img", "foreignObject"}
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    texts = [e.text or "" for e in root.iter()]
    assert HOSTILE in texts  # the title, desc and hover titles carry the full text
    assert any("$x$" in t for t in texts), "a dollar sign is not mathtext"


def test_blank_lines_in_user_text_never_reach_the_page() -> None:
    reason = "First line\n\nthird line"
    measure = make_measure(STEADY, limits={"phases": [{"from": "2024-06", "reason": reason}]})
    svg = render(measure, description="Reading\n\n\nmore")
    assert all(line.strip() for line in svg.splitlines())


# --- sizes and scale ---------------------------------------------------------------------------


def test_small_is_a_compact_x_chart() -> None:
    root = parse(render(full_measure(), "small"))
    assert root.get("class") == "pumpsite-chart pumpsite-chart-small"
    assert by_id(root, "on-time", "mr-points", "small") is None
    assert len(marks(group(root, "x-points", size="small"))) == 23
    svg = render(full_measure(), "small")
    assert (
        "UNPL" not in svg and "Central line" not in svg.split("</title>", 1)[1].split("<title")[0]
    )


@pytest.mark.parametrize("n", [1, 5, 250])
def test_any_length_renders(n: int) -> None:
    values: list[float | None] = [float(10 + (i * 7) % 5) for i in range(n)]
    root = parse(render(make_measure(values, start="2015-W01", frequency="weekly")))
    assert len(marks(group(root, "x-points"))) == n


def long_measure() -> Measure:
    """1,300 weekly values in two phases: the second from week 1,101, inside the window of the
    latest 250; a point beyond the limits long before the window, and another inside it."""
    values: list[float | None] = [float(10 + (i * 7) % 5) for i in range(1300)]
    values[100] = values[1200] = 40.0
    phases = [{"from": "2025-W05", "reason": "New process"}]  # index 1100
    return make_measure(values, start="2004-W01", frequency="weekly", limits={"phases": phases})


def test_a_long_series_draws_its_latest_250_values_each_with_its_title() -> None:
    measure = long_measure()
    analysis = analyse(measure)
    periods = [p.label for p in analysis.periods]
    root = parse(render(measure))
    points = points_of(root)
    assert [p.get("data-period") for p in points] == periods[1050:]
    assert all(title_of(p) for p in points)
    assert len(points_of(root, "mr")) == 249  # none where the phase starts
    assert title_of(points[150]) == f"{periods[1200]}: 40 — Point beyond the limits (improvement)"
    assert len(marks(group(root, "x-signal-limit"))) == 1  # the earlier one is outside the window
    small = parse(render(measure, "small"))
    shown = points_of(small, size="small")
    assert [p.get("data-period") for p in shown] == periods[1200:]


def test_a_phase_that_began_before_the_window_keeps_its_start_and_limits() -> None:
    measure = long_measure()
    analysis = analyse(measure)
    first = analysis.xmr.phases[0].limits
    assert first is not None
    root = parse(render(measure))
    center = fmt(first.center, level_decimals(analysis.xmr))
    assert title_of(group(root, "x-cl-0")) == f"Central line {center} (phase from 2004-W01)"
    assert title_of(group(root, "x-phase-1")) == "1. New phase from 2025-W05: New process"
    assert by_id(root, "on-time", "x-phase-2") is None


def test_all_values_missing_but_one() -> None:
    root = parse(render(make_measure([None, None, 4])))
    assert len(marks(group(root, "x-points"))) == 1


# --- helpers -----------------------------------------------------------------------------------


def test_tick_indices_follow_the_calendar() -> None:
    def labels(start: str, n: int, most: int) -> list[str]:
        first = parse_label(start)
        assert first is not None
        periods = [first + i for i in range(n)]
        return [periods[i].label for i in tick_indices(periods, most)]

    assert labels("2021-01", 60, 12) == [
        f"{y}-{m}" for y in range(2021, 2026) for m in ("01", "07")
    ]
    assert labels("2024-01", 6, 12) == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
        "2024-06",
    ]
    assert labels("2020-W01", 500, 8) == [
        "2020-W02",
        "2022-W01",
        "2024-W01",
        "2026-W02",
        "2028-W01",
    ]
    assert labels("2020-Q1", 30, 12)[:2] == ["2020-Q1", "2021-Q1"]
    assert len(labels("2024-01-01", 400, 10)) <= 10


def tick_texts(svg: str) -> list[str]:
    """The texts of the x-axis tick labels: the only centred texts of a full chart."""
    return [
        e.text or ""
        for e in parse(svg).iter()
        if e.tag.endswith("text")
        and "text-anchor: middle" in e.get("style", "")
        and "rotate" not in e.get("transform", "")  # the axis titles
    ]


def test_yearly_axes_tick_on_round_years() -> None:
    first = parse_label("1700")
    assert first is not None
    periods = [first + i for i in range(326)]
    step, ticks = tick_step(periods, 12)
    assert [tick_label(periods[i], step) for i in ticks] == [str(y) for y in range(1700, 2026, 50)]
    values: list[float | None] = [50 + (i * 37) % 23 for i in range(326)]
    shown = tick_texts(render(make_measure(values, start="1700", frequency="yearly")))
    assert shown and all(int(year) % 25 == 0 for year in shown)  # the latest 250: 1776 on


def test_weekly_and_daily_axes_tick_on_month_starts() -> None:
    values: list[float | None] = [10 + i % 5 for i in range(80)]
    weekly = tick_texts(render(make_measure(values, start="2025-W01", frequency="weekly")))
    assert weekly[:3] == ["Jan 2025", "Apr 2025", "Jul 2025"]
    days: list[float | None] = [10 + i % 5 for i in range(200)]
    daily = tick_texts(render(make_measure(days, start="2026-01-01", frequency="daily")))
    assert daily[:2] == ["Jan 2026", "Feb 2026"]
    short = tick_texts(render(make_measure(values[:20], start="2026-01-01", frequency="daily")))
    assert short[0] == "2026-01-05"  # a Monday: weeks for a short span


def test_spread_labels_never_overlap() -> None:
    placed = spread_labels([50, 51, 52, 10], [10, 10, 10, 10], 0, 100)
    ordered = sorted(placed)
    assert all(b - a >= 10 - 1e-9 for a, b in pairwise(ordered))
    assert placed[3] == 10
    assert spread_labels([95, 99], [10, 10], 0, 100) == [85, 95]


def test_text_helpers() -> None:
    assert with_unit("17", "complaints") == "17 complaints"
    assert with_unit("12.5", "%") == "12.5%"
    assert with_unit("3", "") == "3"
    assert truncate("short", 100, 7.5) == "short"
    assert truncate("a rather long phase reason", 40, 7.5).endswith("…")
    assert truncate("anything", 5, 7.5) == ""


# --- golden files ------------------------------------------------------------------------------


GOLDEN_CASES = {
    "phases-gap-exclusion-target-events.svg": lambda: render(full_measure(), description="G1."),
    "phases-gap-exclusion-target-events-small.svg": lambda: render(full_measure(), "small", "G2."),
    "run-chart-then-signal-neutral.svg": lambda: render(
        make_measure(
            [*STEADY[:12], None, 70, 71, 72, 71, 70, 72, 71, 73, 70, 71, 72],
            id="neutral-nhs",
            start="2023-Q1",
            frequency="quarterly",
            better="neutral",
            unit="days",
            limits={"rules": "nhs", "phases": [{"from": "2028-Q1", "reason": "New rota"}]},
        ),
        description="G3.",
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    assert_golden(GOLDEN / name, GOLDEN_CASES[name]() + "\n")


def test_a_glyph_missing_from_matplotlibs_font_raises_no_warning(
    recwarn: pytest.WarningsRecorder,
) -> None:
    """The browser draws the text in the page's font; matplotlib's font is only for layout."""
    svg = render(make_measure(STEADY, unit="件 📦"))
    assert "件 📦" in svg
    assert not [w for w in recwarn if "missing from font" in str(w.message)]

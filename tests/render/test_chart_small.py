"""The small chart, drawn without matplotlib: it agrees with the full chart drawn from the same
plan (points, titles, lines), its geometry maps back to the data, and it holds only what a
chart may (the cache's shape check) with hostile text escaped."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

from pumpsite.build.chart_cache import chart_shaped
from pumpsite.render.chart.plan import PAGE_BACKGROUND
from tests.render.test_chart import (
    HOSTILE,
    STEADY,
    full_measure,
    group,
    hostile_measure,
    make_measure,
    parse,
    points_of,
    render,
    style_of,
    title_of,
)


def titled_groups(root: ET.Element, size: str) -> dict[str, str]:
    """Every group with a title of its own, by its id without the chart's prefix."""
    found = {}
    for element in root.iter():
        gid = element.get("id", "")
        title = next((e for e in element if e.tag.endswith("title")), None)
        if element.tag.endswith("g") and title is not None:
            found[gid.removeprefix(f"on-time-{size}-")] = title.text or ""
    return found


def test_the_small_chart_shows_the_full_charts_points_titles_and_lines() -> None:
    measure = full_measure()
    full, small = parse(render(measure)), parse(render(measure, "small"))
    as_shown = [(p.get("data-period"), title_of(p)) for p in points_of(full)]
    assert [(p.get("data-period"), title_of(p)) for p in points_of(small, size="small")] == as_shown
    lines = titled_groups(full, "full")
    in_small = titled_groups(small, "small")
    assert in_small and all(lines[gid] == title for gid, title in in_small.items())
    shared = {g for g in lines if not g.startswith(("mr-", "phase-note"))}
    assert set(in_small) == shared


def test_each_point_sits_at_its_value_on_the_y_axis_and_its_period_on_the_x_axis() -> None:
    values: list[float | None] = [*STEADY, None, 70.5, 30]
    root = parse(render(make_measure(values), "small"))
    ticks = [
        (float(t.get("y", "nan")), float((t.text or "").rstrip("%")))
        for t in root.iter()
        if t.tag.endswith("text")
        and t.get("style", "").endswith("end; fill: currentColor")
        and re.fullmatch(r"-?\d+(\.\d+)?", t.text or "")
    ]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    shown = points_of(root, size="small")
    known = [v for v in values if v is not None]
    for point, value in zip(shown, known, strict=True):
        y = float(point.get("y", "nan")) + 0.38 * 10  # a label's baseline sits below its tick
        assert abs(v0 + (y - y0) * (v1 - v0) / (y1 - y0) - value) < 0.05
    xs = [float(p.get("x", "nan")) for p in shown]
    steps = [b - a for a, b in itertools.pairwise(xs)]
    one = min(steps)
    assert [round(step / one) for step in steps] == [1] * 19 + [2, 1], "a gap skips a period"
    assert all(abs(step - round(step / one) * one) < 0.04 for step in steps)
    line = next(e for e in group(root, "x-line", size="small") if e.tag.endswith("path"))
    assert line.get("d", "").count("M") == 2, "a missing value breaks the line"


def test_signals_are_shaped_by_rule_and_a_concern_is_open() -> None:
    root = parse(render(make_measure([*STEADY, 90, 63, 30]), "small"))
    (improvement, concern) = [
        p for p in points_of(root, size="small") if p.get("data-period") in ("2025-09", "2025-11")
    ]
    assert style_of(improvement) == {"fill": "#0072b2"}
    assert style_of(concern)["fill"] == PAGE_BACKGROUND
    assert improvement.get("href") == concern.get("href") == "#on-time-small-limit"


def test_hostile_text_is_escaped_and_the_chart_passes_the_caches_shape_check() -> None:
    measure = hostile_measure()
    svg = render(measure, "small", description=HOSTILE)
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    assert chart_shaped(svg)
    root = parse(svg)
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    assert HOSTILE in [e.text or "" for e in root.iter()]
    assert all(line.strip() for line in svg.splitlines())


def test_no_value_and_one_value_draw_without_failing() -> None:
    for values in ([None, None, 4.0], [4.0]):
        root = parse(render(make_measure(values), "small"))
        assert len(points_of(root, size="small")) == 1

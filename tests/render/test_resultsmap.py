"""The results map SVG: tree layout, links, focus, escaping, cycle safety, determinism, golden.

The golden file lives in tests/golden/resultsmap/; refresh with `PUMPSITE_UPDATE_GOLDEN=1`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import combinations
from typing import Any

import pytest

from pumpsite.model import Goal, Measure
from pumpsite.render.resultsmap import BOX_WIDTH, FOCUS, MARGIN, MAX_LINES, render_results_map, wrap
from pumpsite.schema import GoalMeta, MeasureMeta
from tests import golden_files
from tests.golden_files import assert_golden

GOLDEN = golden_files.GOLDEN / "resultsmap"
HOSTILE = '<script>alert(1)</script> "><img onerror=x> &'
NS = "{http://www.w3.org/2000/svg}"


def make_goal(id: str, title: str, parent: str | None = None) -> Goal:
    data: dict[str, Any] = {"kind": "goal", "title": title}
    if parent is not None:
        data["parent"] = parent
    return Goal(id, f"goals/{id}.md", GoalMeta.model_validate(data), "")


def make_measure(id: str, goal: str) -> Measure:
    data = {"title": f"Measure {id}", "goal": goal, "frequency": "monthly", "better": "up"}
    meta = MeasureMeta.model_validate(data, context={"frequency": "monthly"})
    return Measure(id, f"measures/{id}.md", meta, "", f"data/{id}.csv", None)


def goals_of(*goals: Goal) -> dict[str, Goal]:
    return {goal.id: goal for goal in goals}


def council() -> dict[str, Goal]:
    return goals_of(
        make_goal("mission", "Residents get the help they need, when they need it"),
        make_goal("fast", "Residents get answers quickly", "mission"),
        make_goal("right", "Problems are solved the first time", "mission"),
        make_goal("calls", "Calls are answered within two minutes", "fast"),
        make_goal("email", "Emails are answered within a working day", "fast"),
        make_goal("web", "Residents find answers on the website", "fast"),
        make_goal("fix", "Repairs are fixed on the first visit", "right"),
    )


def render(goals: dict[str, Goal], focus: frozenset[str] = frozenset(), **kw: Any) -> str:
    measures = kw.pop("measures", {})
    return render_results_map(goals, measures, link=lambda g: f"goals/{g}/", focus=focus, **kw)


def anchors(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {a.get("data-goal", ""): a for a in root.iter(f"{NS}a")}


def rect(anchor: ET.Element) -> tuple[float, float, float, float]:
    box = anchor.find(f"{NS}rect")
    assert box is not None
    x, y = float(box.get("x", "0")), float(box.get("y", "0"))
    return x, y, x + float(box.get("width", "0")), y + float(box.get("height", "0"))


def middle(anchor: ET.Element) -> float:
    _, top, _, bottom = rect(anchor)
    return (top + bottom) / 2


def overlapping(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# --- structure ---------------------------------------------------------------------------------


def test_root_is_inline_ready() -> None:
    svg = render(council())
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert all(line.strip() for line in svg.splitlines())
    assert "<script" not in svg and "<style" not in svg
    root = ET.fromstring(svg)
    assert root.get("class") == "pumpsite-results-map"
    assert root.get("role") == "group"  # not "img", which would hide its links
    assert root.get("width") is None
    title, desc = list(root)[:2]
    assert title.tag == f"{NS}title" and desc.tag == f"{NS}desc"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text == "Results map of 7 goals."


def test_links_follow_the_tree_each_goal_before_its_children_top_to_bottom() -> None:
    # Keyboard and screen-reader order is the order of the links in the page: the tree's,
    # which is also the drawing's from top to bottom within each column.
    root = ET.fromstring(render(council()))
    order = [a.get("data-goal") for a in root.iter(f"{NS}a")]
    assert order == ["mission", "right", "fix", "fast", "calls", "email", "web"]
    connectors = [g for g in root.iter(f"{NS}g") if g.find(f"{NS}path") is not None]
    assert [g.get("aria-hidden") for g in connectors] == ["true"]


def test_every_goal_is_one_linked_box_with_its_full_title() -> None:
    goals = council()
    boxes = anchors(render(goals))
    assert sorted(boxes) == sorted(goals)
    for goal_id, anchor in boxes.items():
        assert anchor.get("href") == f"goals/{goal_id}/"
        title = anchor.find(f"{NS}title")
        assert title is not None and (title.text or "").startswith(goals[goal_id].title)


def test_box_title_counts_measures() -> None:
    measures = {m.id: m for m in (make_measure("m1", "calls"), make_measure("m2", "calls"))}
    boxes = anchors(render(council(), measures=measures))
    assert boxes["calls"].findtext(f"{NS}title", "").endswith("(2 measures)")
    assert boxes["web"].findtext(f"{NS}title", "").endswith("(no measures yet)")


def test_children_right_of_parents_and_parents_centred() -> None:
    boxes = anchors(render(council()))
    assert rect(boxes["mission"])[0] == MARGIN
    assert rect(boxes["fast"])[0] > rect(boxes["mission"])[2]
    assert rect(boxes["calls"])[0] > rect(boxes["fast"])[2]
    kids = [middle(boxes[k]) for k in ("calls", "email", "web")]
    assert middle(boxes["fast"]) == pytest.approx((min(kids) + max(kids)) / 2, abs=0.1)


def test_children_sorted_by_title() -> None:
    boxes = anchors(render(council()))
    order = sorted(("calls", "email", "web"), key=lambda k: rect(boxes[k])[1])
    assert order == ["calls", "email", "web"]


def test_no_boxes_overlap_and_viewbox_holds_them_all() -> None:
    goals = {
        f"g{i}": make_goal(f"g{i}", f"Goal {i} " + "is happening " * (i % 5), f"g{(i - 1) // 3}")
        for i in range(1, 100)
    } | {"g0": make_goal("g0", "The mission")}
    svg = render(goals)
    boxes = anchors(svg)
    assert len(boxes) == 100
    rects = [rect(a) for a in boxes.values()]
    assert not any(overlapping(a, b) for a, b in combinations(rects, 2))
    _, _, width, height = (float(v) for v in ET.fromstring(svg).get("viewBox", "").split())
    assert max(r[2] for r in rects) <= width and max(r[3] for r in rects) <= height


def test_focus_is_highlighted_and_tagged() -> None:
    svg = render(council(), focus=frozenset({"calls"}))
    boxes = anchors(svg)
    focused = boxes["calls"].find(f"{NS}rect")
    plain = boxes["email"].find(f"{NS}rect")
    assert focused is not None and plain is not None
    assert focused.get("stroke") == FOCUS and plain.get("stroke") == "currentColor"
    assert "in focus" in "".join(boxes["calls"].itertext())
    assert "in focus" not in "".join(boxes["email"].itertext())
    assert (
        ET.fromstring(svg)
        .findtext(f"{NS}desc", "")
        .endswith("in focus this quarter: Calls are answered within two minutes.")
    )


# --- robustness --------------------------------------------------------------------------------


def test_missing_parent_makes_a_root() -> None:
    boxes = anchors(render(goals_of(make_goal("lost", "Lost goal", "nowhere"))))
    assert rect(boxes["lost"])[0] == MARGIN


def test_cycles_terminate_and_place_each_goal_once() -> None:
    goals = goals_of(
        make_goal("a", "Cycle A", "b"),
        make_goal("b", "Cycle B", "c"),
        make_goal("c", "Cycle C", "a"),
        make_goal("self", "Its own parent", "self"),
        make_goal("leaf", "Under the cycle", "b"),
    )
    svg = render(goals)
    boxes = anchors(svg)
    assert sorted(boxes) == sorted(goals)
    assert rect(boxes["a"])[0] == MARGIN and rect(boxes["self"])[0] == MARGIN
    assert svg.count("<a ") == len(goals)


def test_hostile_text_and_links_are_escaped() -> None:
    goals = goals_of(make_goal("x", HOSTILE), make_goal("y", "Child", "x"))
    svg = render_results_map(goals, {}, link=lambda g: f'"><script>{g}', focus=frozenset({"x"}))
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)
    assert not {e.tag for e in root.iter()} & {f"{NS}script", f"{NS}img"}
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    assert anchors(svg)["x"].get("href") == '"><script>x'
    assert anchors(svg)["x"].findtext(f"{NS}title", "").startswith(HOSTILE)


def test_blank_lines_in_titles_never_reach_the_page() -> None:
    svg = render(goals_of(make_goal("x", "First\n\nsecond")), focus=frozenset({"x"}))
    assert all(line.strip() for line in svg.splitlines())


def test_deterministic_whatever_the_input_order() -> None:
    goals = council()
    backwards = dict(reversed(list(goals.items())))
    assert render(goals) == render(goals) == render(backwards)


def test_no_goals() -> None:
    svg = render({})
    assert "No goals yet." in svg
    ET.fromstring(svg)


def test_wrap() -> None:
    assert wrap("Calls are answered within two minutes") == [
        "Calls are answered within",
        "two minutes",
    ]
    long = wrap("word " * 60)
    assert len(long) == MAX_LINES and long[-1].endswith("…")
    assert all(len(line) * 0.52 * 13 <= BOX_WIDTH - 20 for line in wrap("x" * 100))


# --- golden ------------------------------------------------------------------------------------


def test_golden() -> None:
    goals = council() | goals_of(make_goal("lost", "A goal whose parent is gone", "gone"))
    svg = render(goals, focus=frozenset({"calls", "fix"}))
    assert_golden(GOLDEN / "council.svg", svg + "\n")

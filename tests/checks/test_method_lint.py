"""The method's five tests and the overdue action, as warnings asserted word for word."""

from datetime import date
from typing import Any

from pumpsite.checks.inspection import analyse_repo
from pumpsite.checks.method_lint import lint_method
from pumpsite.model import Action, Goal, Measure
from pumpsite.problems import Problem
from tests.factories import action, goal, measure, repo

TODAY = date(2026, 11, 23)
STEADY = [20.0, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22, 18, 20, 21, 19, 20, 22, 18, 20]
KR = {"role": "improve", "target": 40, "deadline": "2026-12-31", "owner": "Ana"}


def steady(id: str, values: list[float] = STEADY, **meta: Any) -> Measure:
    """A measure whose 20 values run up to Oct 2026, the last full month at TODAY."""
    return measure(id, list(values), start="2025-03", lines={"title": 2, "roles": 5}, **meta)


def lint(*items: Goal | Measure | Action, kpis: int = 1) -> list[str]:
    """The warnings, with `kpis` steady KPIs besides `items` (so that one key result is not
    everything)."""
    r = repo(goal("g"), *items, *(steady(f"kpi{n}") for n in range(kpis)))
    return [str(p) for p in lint_method(r, analyse_repo(r, TODAY), TODAY)]


def messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems]


def test_a_running_action_past_its_planned_end() -> None:
    late = action("a", ["m"], end="2026-10-31", lines={"end": 9})
    assert lint(steady("m"), late) == [
        "measures/actions/a.md:9: warning: The action is still running, but its planned end was "
        "2026-10-31. Record what happened: a status done or dropped with its date, or a later "
        "end if it goes on. [PS419]"
    ]
    done = action("a", ["m"], end="2026-10-31", status=[("done", "2026-10-30")])
    assert lint(steady("m"), done) == []


def test_a_wishful_number_is_a_target_without_a_means() -> None:
    wish = steady("m", roles=[{"from": "2026-Q4", **KR}])
    assert lint(wish) == [
        "measures/m.md:5: warning: Wishful number: the target 40 is not met unless the process "
        "changes, and no planned or running action aims to move this measure. A target without "
        "a means is a wish: write the action (kind: action) that will change the process. [PS420]"
    ]
    assert lint(wish, action("a", ["m"])) == []
    assert lint(wish, action("a", ["m"], status=[("dropped", "2026-10-01")])) != []


def test_a_target_without_a_baseline() -> None:
    early = steady("m", roles=[{"from": "2025-Q2", **KR}])
    assert lint(early, action("a", ["m"]))[0] == (
        "measures/m.md:5: warning: Target without a baseline: the key result starts in 2025-Q2, "
        "when the measure has 1 value and a baseline needs at least 5. Measure first, then set "
        "the target: without limits nobody knows what the process does now. [PS421]"
    )


def test_the_deadline_test_four_full_quarters() -> None:
    year = steady("m", roles=[{"from": "2025-Q3", "role": "sustain"}, {"from": "2025-Q4", **KR}])
    assert lint(year, action("a", ["m"])) == [
        "measures/m.md:5: warning: The deadline test: it has been a key result for 4 full "
        "quarters in a row (since 2025-Q4). A key result that never ends is a KPI that wandered "
        "into the wrong document: make it sustain, or set a deadline it will keep. [PS422]"
    ]
    three = steady("m", roles=[{"from": "2026-Q1", **KR}])
    assert lint(three, action("a", ["m"])) == []


def test_the_deadline_test_pushed_out() -> None:
    roles = [
        {"from": "2026-Q2", **KR, "deadline": "2026-06-30"},
        {"from": "2026-Q3", **KR, "deadline": "2026-09-30"},
        {"from": "2026-Q4", **KR, "deadline": "2026-12-31"},
    ]
    assert lint(steady("m", roles=roles), action("a", ["m"])) == [
        "measures/m.md:5: warning: The deadline test: its deadline was pushed out 2 times. A key "
        "result that never ends is a KPI that wandered into the wrong document: make it "
        "sustain, or set a deadline it will keep. [PS422]"
    ]


def test_everything_is_an_okr() -> None:
    kr = [{"from": "2026-Q4", **KR}]
    aims = action("a", ["k1", "k2"])
    assert lint(steady("k1", roles=kr), steady("k2", roles=kr), aims) == [
        ".: warning: Everything is an OKR: 2 key results and 1 KPI in 2026-Q4. If everything is "
        "a key result, nothing has been prioritised: keep a few to change this quarter, and "
        "monitor the rest as KPIs. [PS423]"
    ]
    assert lint(steady("k1", roles=kr), action("a", ["k1"])) == []


DROPPED = [*STEADY[:15], 10, 10, 10, 10, 10]  # from 2026-06, far below the limits


def test_passive_monitoring_of_a_change() -> None:
    kpi = steady("m", DROPPED, limits={"baseline": 15})
    assert lint(kpi) == [
        "measures/m.md:2: warning: Passive monitoring of a change: an unwanted signal since "
        "2026-06 has lasted the whole of 2026-Q3, and no role decision or action followed. "
        "Decide: make it an improvement focus (an improve role), or explain why not in a "
        "note. [PS424]"
    ]
    assert lint(kpi, action("a", ["m"], start="2026-07-01")) == []
    decided = steady(
        "m",
        DROPPED,
        limits={"baseline": 15},
        roles=[{"from": "2026-Q3", "role": "sustain", "note": "a new supplier, accepted"}],
    )
    assert lint(decided) == []
    up = steady("m", [*STEADY[:15], 30, 30, 30, 30, 30], limits={"baseline": 15})
    assert lint(up) == []

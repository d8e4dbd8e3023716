"""Checks across files for actions: their goal, their measures, the order of their statuses."""

from pumpsite.checks.actions import check_actions
from tests.factories import action, goal, measure, repo


def check(*items) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in check_actions(repo(*items))]


def test_an_action_names_existing_goal_and_measures() -> None:
    assert check(goal("g"), measure("churn"), action("a", ["churn"])) == []


def test_unknown_goal_and_measure_with_did_you_mean() -> None:
    lines = {"goal": 4, "measures.0.measure": 6}
    typo = action("a", ["chrun"], goal="customer", lines=lines)
    assert check(goal("customers"), measure("churn"), typo) == [
        "measures/actions/a.md:4: error: Goal 'customer' does not exist: an action serves a "
        "goal. Did you mean 'customers'? [PS208]",
        "measures/actions/a.md:6: error: Measure 'chrun' does not exist. Did you mean "
        "'churn'? [PS209]",
    ]


def test_status_changes_in_date_order_and_not_before_the_start() -> None:
    status = [("planned", "2026-02-01"), ("running", "2026-01-15")]
    late = action("a", ["m"], start="2026-02-01", status=status, lines={"status.1.date": 12})
    assert check(goal("g"), measure("m"), late) == [
        "measures/actions/a.md:12: error: The status 'running' on 2026-01-15 comes after "
        "'planned' on 2026-02-01: list the changes oldest first. [PS210]",
        "measures/actions/a.md:12: error: The action is running from 2026-01-15, before its "
        "start (2026-02-01): make the two dates agree. [PS210]",
    ]

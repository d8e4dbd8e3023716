from datetime import date
from typing import Any

from pumpsite.checks.inspection import analyse_repo
from pumpsite.checks.lint import lint_repo
from pumpsite.model import Measure
from pumpsite.problems import Problem, Severity
from tests.factories import goal, measure, repo

TODAY = date(2026, 11, 23)
STEADY = [20.0, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22, 18, 20, 21, 19, 20, 22, 18, 20]


def steady(id: str, **meta: Any) -> Measure:
    """A measure whose 20 values run up to Oct 2026, the last full month at TODAY."""
    return measure(id, STEADY, start="2025-03", **meta)


def lint(*items) -> list[Problem]:  # type: ignore[no-untyped-def]
    r = repo(*items)
    return lint_repo(r, analyse_repo(r, TODAY), TODAY)


def codes(problems: list[Problem]) -> list[str]:
    return sorted(p.code for p in problems)


def test_weasel_words_and_activities_in_goal_titles() -> None:
    problems = lint(goal("g", "Implement an efficient and robust platform"))
    assert codes(problems) == ["PS401", "PS402"]
    assert (
        "'efficient', 'robust'" in problems[0].message
        or "'efficient', 'robust'" in problems[1].message
    )


def test_a_result_worded_goal_is_clean() -> None:
    assert lint(goal("g", "Our systems run without downtime")) == []


def test_improve_role_needs_target_deadline_owner() -> None:
    roles = [{"from": "2026-Q4", "role": "improve"}]
    problems = lint(goal("g"), steady("m", roles=roles))
    assert codes(problems) == ["PS403"]
    assert "no target or deadline or owner" in problems[0].message


def test_measure_owner_counts_as_the_improve_owner() -> None:
    roles = [{"from": "2026-Q4", "role": "improve", "target": 40, "deadline": "2026-12-31"}]
    assert lint(goal("g"), steady("m", roles=roles, owner="Ana")) == []


def test_sustain_with_target_and_improve_past_deadline() -> None:
    roles = [
        {"from": "2024-Q1", "role": "sustain", "target": 3},
        {
            "from": "2026-Q2",
            "role": "improve",
            "target": 40,
            "deadline": "2026-09-30",
            "owner": "A",
        },
    ]
    assert codes(lint(goal("g"), steady("m", roles=roles))) == ["PS405", "PS407"]


def test_target_inside_the_limits_will_be_hit_by_chance() -> None:
    roles = [
        {"from": "2026-Q4", "role": "improve", "target": 21, "deadline": "2026-12-31", "owner": "A"}
    ]
    problems = lint(goal("g"), steady("m", roles=roles))
    assert codes(problems) == ["PS406"]
    assert problems[0].message.startswith(
        "The target 21 sits inside the current natural process limits"
    )


def test_target_beyond_the_limits_is_not_flagged_here() -> None:
    roles = [
        {"from": "2026-Q4", "role": "improve", "target": 40, "deadline": "2026-12-31", "owner": "A"}
    ]
    assert lint(goal("g"), steady("m", roles=roles)) == []


def test_more_than_five_key_results_under_one_goal() -> None:
    role = [
        {"from": "2026-Q4", "role": "improve", "target": 99, "deadline": "2026-12-31", "owner": "A"}
    ]
    measures = [steady(f"m{i}", roles=role) for i in range(6)]
    problems = lint(goal("g"), *measures)
    assert codes(problems) == ["PS404"]
    assert "dashboard wearing a costume" in problems[0].message


def improve(target: float) -> list[dict[str, object]]:
    return [
        {
            "from": "2026-Q4",
            "role": "improve",
            "target": target,
            "deadline": "2026-12-31",
            "owner": "A",
        }
    ]


def test_a_target_exactly_on_a_limit_is_inside_for_lint_as_for_the_page() -> None:
    limits = analyse_repo(repo(goal("g"), steady("m")), TODAY)["m"].xmr.current_phase.limits
    assert limits is not None
    on_limit = steady("m", roles=improve(limits.unpl))
    analysis = analyse_repo(repo(goal("g"), on_limit), TODAY)["m"]
    assert analysis.target is not None and analysis.target.assurance == "hit_or_miss"
    assert codes(lint(goal("g"), on_limit)) == ["PS406"]


def test_a_target_the_central_line_is_already_past_is_not_hit_by_chance() -> None:
    # Central line 20, higher is better: a target of 19 is met more often than not already.
    problems = lint(goal("g"), steady("m", roles=improve(19)))
    assert codes(problems) == ["PS406"]
    assert problems[0].message == (
        "The target 19 sits inside the current natural process limits (13.28 to 26.72) and the "
        "central line (20) is already at or past it: the process meets it more often than not "
        "without changing, and misses it now and then by chance. It is met every time only "
        "once the lower limit clears it; a key result's target should ask for a change."
    )


def test_no_capability_warning_while_the_latest_values_are_signals() -> None:
    # The last 8 values are a run above the central line: the limits no longer describe it.
    drifting = [*STEADY, *[21.5] * 8]  # up to Oct 2026, the last full month at TODAY
    assert lint(goal("g"), measure("m", drifting, start="2024-07", roles=improve(21))) == []


def test_limits_that_no_longer_describe_the_process() -> None:
    # Values from week 1 of 2026 rise 1 a week up to week 47, the last full week at TODAY: from
    # week 14 on every value is a signal.
    rising = [float(i) for i in range(47)]
    lines = {"title": 2, "limits.phases": 9}
    problems = lint(
        goal("g"),
        measure("m", rising, start="2026-W01", frequency="weekly", lines=lines),
        steady("steady"),
    )
    assert [(p.path, p.line, p.code, p.message, p.severity) for p in problems] == [
        (
            "measures/m.md",
            9,
            "PS413",
            "20 of the latest 20 values (since 2026-W28) are signals: the natural process "
            "limits no longer describe the process. If something changed, record a phase under "
            "'limits: phases:' from when it did; if not, the data may have a trend or a season, "
            "which limits around one central line cannot describe.",
            Severity.WARNING,
        )
    ]
    without_phases = lint(goal("g"), measure("m", rising, start="2023-01", lines={"title": 2}))
    assert [(p.line, p.code) for p in without_phases] == [(2, "PS413")]

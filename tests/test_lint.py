from datetime import date

from pumpsite.lint import lint_repo
from pumpsite.model import Problem, Severity
from pumpsite.pipeline import analyse_repo
from tests.factories import goal, measure, repo

TODAY = date(2026, 11, 23)
STEADY = [20.0, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22, 18, 20, 21, 19, 20, 22, 18, 20]


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
    problems = lint(goal("g"), measure("m", STEADY, roles=roles))
    assert codes(problems) == ["PS403"]
    assert "no target or deadline or owner" in problems[0].message


def test_measure_owner_counts_as_the_improve_owner() -> None:
    roles = [{"from": "2026-Q4", "role": "improve", "target": 40, "deadline": "2026-12-31"}]
    assert lint(goal("g"), measure("m", STEADY, roles=roles, owner="Ana")) == []


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
    assert codes(lint(goal("g"), measure("m", STEADY, roles=roles))) == ["PS405", "PS407"]


def test_target_inside_the_limits_will_be_hit_by_chance() -> None:
    roles = [
        {"from": "2026-Q4", "role": "improve", "target": 21, "deadline": "2026-12-31", "owner": "A"}
    ]
    problems = lint(goal("g"), measure("m", STEADY, roles=roles))
    assert codes(problems) == ["PS406"]
    assert problems[0].message.startswith(
        "The target 21 sits inside the current natural process limits"
    )


def test_target_beyond_the_limits_is_not_flagged_here() -> None:
    roles = [
        {"from": "2026-Q4", "role": "improve", "target": 40, "deadline": "2026-12-31", "owner": "A"}
    ]
    assert lint(goal("g"), measure("m", STEADY, roles=roles)) == []


def test_more_than_five_key_results_under_one_goal() -> None:
    role = [
        {"from": "2026-Q4", "role": "improve", "target": 99, "deadline": "2026-12-31", "owner": "A"}
    ]
    measures = [measure(f"m{i}", STEADY, roles=role) for i in range(6)]
    problems = lint(goal("g"), *measures)
    assert codes(problems) == ["PS404"]
    assert "dashboard wearing a costume" in problems[0].message


def test_limits_that_no_longer_describe_the_process() -> None:
    # Values from week 1 of 2026 rise 1 a week: from week 14 on every value is a signal.
    rising = [float(i) for i in range(46)]
    lines = {"title": 2, "limits.phases": 9}
    problems = lint(
        goal("g"),
        measure("m", rising, start="2026-W01", frequency="weekly", lines=lines),
        measure("steady", STEADY),
    )
    assert [(p.path, p.line, p.code, p.message, p.severity) for p in problems] == [
        (
            "measures/m.md",
            9,
            "PS413",
            "20 of the latest 20 values (since 2026-W27) are signals: the natural process "
            "limits no longer describe the process. If something changed, record a phase under "
            "'limits: phases:' from when it did; if not, the data may have a trend or a season, "
            "which limits around one central line cannot describe.",
            Severity.WARNING,
        )
    ]
    without_phases = lint(goal("g"), measure("m", rising, lines={"title": 2}))
    assert [(p.line, p.code) for p in without_phases] == [(2, "PS413")]

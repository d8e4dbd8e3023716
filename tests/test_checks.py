from pumpsite.checks import check_repo
from pumpsite.model import Problem, Severity
from tests.factories import goal, measure, repo

VALUES = [float(v) for v in range(1, 25)]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_a_consistent_repo_has_no_problems() -> None:
    assert check_repo(repo(goal("g"), measure("m", VALUES))) == []


def test_missing_goal_suggests_the_closest_id() -> None:
    problems = check_repo(
        repo(goal("customers-stay"), measure("m", VALUES, goal="customer-stay", lines={"goal": 4}))
    )
    assert [p for p in problems if p.is_error] == [
        Problem(
            "measures/m.md",
            4,
            "PS201",
            "Goal 'customer-stay' does not exist. Did you mean 'customers-stay'?",
        )
    ]


def test_missing_goal_without_close_match_lists_the_goals() -> None:
    problems = check_repo(repo(goal("alpha"), measure("m", VALUES, goal="zzz")))
    assert problems[0].message == "Goal 'zzz' does not exist. Known goals: alpha."


def test_goal_pointing_at_a_measure() -> None:
    problems = check_repo(repo(goal("g"), measure("m", VALUES), measure("n", VALUES, goal="m")))
    assert codes(problems) == ["PS205"]


def test_missing_parent_and_cycles() -> None:
    problems = check_repo(
        repo(
            goal("a", parent="b"),
            goal("b", parent="a"),
            goal("c", parent="nope"),
            measure("m", VALUES, goal="a"),
            measure("n", VALUES, goal="c"),
        )
    )
    assert sorted(codes(problems)) == ["PS202", "PS203"]
    cycle = next(p for p in problems if p.code == "PS203")
    assert "a → b → a" in cycle.message


def test_goal_without_measures_is_a_warning() -> None:
    problems = check_repo(repo(goal("g"), goal("lonely"), measure("m", VALUES)))
    assert codes(problems) == ["PS204"]
    assert problems[0].severity is Severity.WARNING


def test_two_roles_in_one_quarter() -> None:
    roles = [{"from": "2024-Q1", "role": "sustain"}, {"from": "2024-Q1", "role": "improve"}]
    problems = check_repo(repo(goal("g"), measure("m", VALUES, roles=roles)))
    assert codes(problems) == ["PS206"]


def test_no_data_and_few_values_are_warnings() -> None:
    problems = check_repo(repo(goal("g"), measure("m", []), measure("n", [1.0, 2.0])))
    assert codes(problems) == ["PS310", "PS311"]
    assert all(p.severity is Severity.WARNING for p in problems)


def test_settings_outside_the_data() -> None:
    limits = {
        "phases": [{"from": "2030-01", "reason": "future"}, {"from": "2024-01", "reason": "first"}],
        "exclude": [{"period": "2023-05", "reason": "before"}],
        "baseline": {"from": "2024-06", "to": "2024-02"},
    }
    problems = check_repo(repo(goal("g"), measure("m", VALUES, limits=limits)))
    messages = [p.message for p in problems]
    assert (
        "The phase 2030-01 is outside the data: the data runs from 2024-01 to 2025-12." in messages
    )
    assert (
        "The exclusion 2023-05 is outside the data: the data runs from 2024-01 to 2025-12."
        in messages
    )
    assert any(p.code == "PS313" for p in problems)
    assert any("starts at the first value" in m for m in messages)

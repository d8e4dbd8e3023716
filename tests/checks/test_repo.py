from pathlib import Path

import pytest
from click.testing import CliRunner

from pumpsite.checks.repo import check_repo
from pumpsite.cli import cli
from pumpsite.model import Goal
from pumpsite.problems import Problem, Severity
from tests.conftest import make_repo
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


@pytest.mark.slow
def test_missing_goal_lists_a_few_of_many_goals() -> None:
    goals = [goal(f"g{n:04}") for n in range(2_000)]
    problems = check_repo(repo(*goals, measure("m", VALUES, goal="zzz")))
    assert problems[0].message == (
        "Goal 'zzz' does not exist. Known goals: g0000, g0001, g0002, g0003, g0004, g0005, "
        "g0006, g0007, g0008, g0009 and 1,990 more."
    )


# --- how deep goals nest --------------------------------------------------------------------------


def chain(depth: int) -> list[Goal]:
    """g1, the top goal, then g2 under it, and so on: `depth` levels."""
    return [goal(f"g{n}", parent=f"g{n - 1}" if n > 1 else None) for n in range(1, depth + 1)]


def test_twenty_levels_of_goals_are_fine() -> None:
    problems = check_repo(repo(*chain(20), measure("m", VALUES, goal="g20")))
    assert problems == []


def test_a_chain_of_1200_goals_is_one_problem_not_a_recursion_error() -> None:
    problems = check_repo(repo(*chain(1_200), measure("m", VALUES, goal="g1200")))
    assert problems == [
        Problem(
            "measures/g21.md",
            None,
            "PS120",
            "Goal 'g21' is 21 levels deep (g21 → g20 → g19 → … → g2 → g1): expected at most 20 "
            "levels of goals, as deep as the results map and the goal pages go. Give it a parent "
            "higher up.",
        )
    ]


def test_a_long_cycle_is_named_by_its_ends_and_not_also_too_deep() -> None:
    goals = chain(1_000)
    goals[0] = goal("g1", parent="g1000")  # the top closes the loop: no goal is at the top
    problems = check_repo(repo(*goals, measure("m", VALUES, goal="g5")))
    assert [(p.code, p.message) for p in problems] == [
        (
            "PS203",
            "Goals form a cycle through 'parent': g1 → g1000 → g999 → … → g2 → g1. A results map "
            "is a tree: remove one of these parents.",
        )
    ]


def goal_chain_on_disk(root: Path, depth: int) -> Path:
    """A repository whose goals nest `depth` levels deep, with one measure at the bottom."""
    files = {
        "measures/m.md": (
            f"---\ntitle: Orders on time\ngoal: g{depth}\nfrequency: monthly\nbetter: up\n---\n"
        ),
        "data/m.csv": "period,value\n" + "".join(f"2025-{n:02},{90 + n}\n" for n in range(1, 13)),
    }
    for n in range(1, depth + 1):
        parent = f"parent: g{n - 1}\n" if n > 1 else ""
        files[f"measures/chain/g{n}.md"] = f"---\nkind: goal\ntitle: Result {n}\n{parent}---\n"
    return make_repo(root, files)


@pytest.mark.slow
def test_a_goal_chain_1200_deep_stops_the_build_with_the_problem(tmp_path: Path) -> None:
    root = goal_chain_on_disk(tmp_path / "repo", 1_200)
    result = CliRunner().invoke(cli, ["build", str(root), "--as-of", "2026-01-15"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not RecursionError
    assert "measures/chain/g21.md:4: error: Goal 'g21' is 21 levels deep" in result.output
    assert "The previous site is unchanged" in result.output


@pytest.mark.slow
def test_a_goal_chain_20_deep_builds(tmp_path: Path) -> None:
    root = goal_chain_on_disk(tmp_path / "repo", 20)
    result = CliRunner().invoke(cli, ["build", str(root), "--as-of", "2026-01-15"])
    assert result.exit_code == 0, result.output
    assert (root / "site" / "goals" / "g20.html").is_file()

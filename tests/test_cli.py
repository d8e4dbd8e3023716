"""The command line through click's runner: wiring, output formats and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pumpsite import cli as cli_module
from pumpsite.cli import cli
from pumpsite.load.repo import load_repo
from pumpsite.problems import Problem
from tests import worked_examples
from tests.conftest import make_repo
from tests.example_site import TODAY, copy_example

TV1 = "\n".join(str(v) for v in worked_examples.TV1)
CORPUS_BASE = Path(__file__).parent / "corpus" / "_base"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def broken(example: Path) -> Path:
    churn = next((example / "measures").rglob("customer-churn.md"))
    text = churn.read_text().replace("better: down", "better: lower").replace("unit:", "unti:", 1)
    churn.write_text(text)
    (example / "data" / "response-time-days.csv").write_text(
        "period,value\n2024-01,1,2\n2024-02,0.9\n"
    )
    return example


def test_check_is_clean_on_the_example(example: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(example)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("No problems (")


def test_check_reports_every_problem_with_file_and_line(example: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(broken(example))])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(":" in line and "[PS107]" in line and "'better'" in line for line in lines), lines
    assert any("Unknown key 'unti'" in line and "Did you mean 'unit'?" in line for line in lines), (
        lines
    )
    assert any(line.startswith("data/response-time-days.csv:2: error:") for line in lines), lines
    assert "Traceback" not in result.output
    assert "error" in result.stderr


def test_check_says_when_more_checks_wait_on_fixes(example: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(broken(example))])
    assert result.stderr.splitlines()[-1] == (
        "More checks wait on fixes: 2 goal or measure files could not be read in full, so the "
        "checks of their limits, exclusions, roles, stale data and the measures they name left "
        "them out (the goals they name were checked). Run pumpsite check again after fixing the "
        "errors above."
    )


def test_check_github_annotations(example: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "github", str(broken(example))])
    assert result.exit_code == 1
    assert any(
        line.startswith("::error file=measures/") and ",line=" in line and "title=PS107::" in line
        for line in result.stdout.splitlines()
    ), result.stdout


def test_github_annotations_escape_what_github_would_misread() -> None:
    problem = Problem("data/a,b:c.csv", 3, "PS311", "100% wrong")  # a warning
    line = cli_module.format_problem(problem, "github")
    assert line == "::warning file=data/a%2Cb%3Ac.csv,line=3,title=PS311::100%25 wrong"
    whole_repo = Problem("", None, "PS116", "No measures/ folder.")
    assert cli_module.format_problem(whole_repo, "github") == (
        "::error file=.,title=PS116::No measures/ folder."
    )


EVIL_NAMES = [
    "clear\x1b[2J\x1b]0;pwned\x07.md",  # clears the screen, retitles the terminal
    "x\n::error file=g.md,line=1::Forged.md",  # a second line, a second annotation
    "\u202edm.exe.md",  # a right-to-left override: shows as 'md.exe.md' reversed
]


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_control_characters_in_file_names_cannot_forge_output(tmp_path: Path, fmt: str) -> None:
    root = Path(shutil.copytree(CORPUS_BASE, tmp_path / "repo"))
    for name in EVIL_NAMES:
        (root / "measures" / name).write_text("---\nkind: goal\ntitle: A result\n---\n")
    result = CliRunner().invoke(cli, ["check", "--format", fmt, "--as-of", "2026-01-15", str(root)])
    assert result.exit_code == 1
    if fmt == "json":  # JSON escapes what it must, and keeps the names exact for tools
        paths = {row["path"] for row in json.loads(result.stdout)}
        assert paths == {f"measures/{name}" for name in EVIL_NAMES}
        return
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # one per file: no forged line
    assert all(line.startswith("measures/" if fmt == "text" else "::error file=") for line in lines)
    assert not any(char in result.stdout for char in "\x1b\x07\u202e")
    assert "clear\\x1b[2J\\x1b]0;pwned\\x07" in result.stdout
    assert "x\\n::error" in result.stdout and "\\u202edm.exe" in result.stdout


def test_xmr_labels_reach_the_terminal_escaped(tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    rows = [
        f"2025-{m:02d}\x1b[31m,{v}"
        for m, v in zip(range(1, 13), [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 30, 6], strict=True)
    ]
    csv.write_text("period,value\n" + "\n".join(rows) + "\n")
    result = CliRunner().invoke(cli, ["xmr", str(csv)])
    assert result.exit_code == 1, result.output  # no such period: as the site reads it
    assert "\x1b" not in result.stdout and "got '2025-01\\x1b[31m'" in result.stdout


def test_check_json(example: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(broken(example))])
    rows = json.loads(result.stdout)
    assert {"path", "line", "code", "severity", "message"} <= set(rows[0])
    assert any(r["code"] == "PS107" for r in rows)


def test_strict_makes_warnings_fatal(example: Path) -> None:
    lonely = example / "measures" / "lonely.md"
    lonely.write_text("---\nkind: goal\ntitle: Our lonely result is happening\n---\n")
    assert CliRunner().invoke(cli, ["check", str(example)]).exit_code == 0
    strict = CliRunner().invoke(cli, ["check", "--strict", str(example)])
    assert strict.exit_code == 1
    assert "warning" in strict.stdout and "[PS204]" in strict.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["check", str(tmp_path / "nope")]).exit_code == 2
    assert CliRunner().invoke(cli, ["check", "--as-of", "soon", str(tmp_path)]).exit_code == 2
    assert CliRunner().invoke(cli, ["xmr", str(tmp_path / "nope.csv")]).exit_code == 2


def test_xmr_reproduces_wheelers_example_as_a_table() -> None:
    result = CliRunner().invoke(cli, ["xmr", "-"], input=TV1)
    assert result.exit_code == 0, result.output
    assert "central line 4135.50" in result.stdout
    assert "natural process limits 3188.72 to 5082.28" in result.stdout
    assert "upper range limit 1163.19" in result.stdout
    assert "Point beyond the limits: 16 (high, neutral)" in result.stdout


def test_xmr_json_has_the_documented_shape() -> None:
    result = CliRunner().invoke(cli, ["xmr", "--json", "--rules", "nhs", "-"], input=TV1)
    document = json.loads(result.stdout)
    phase = document["phases"][0]
    assert set(phase) >= {"start", "center", "average_mr", "unpl", "lnpl", "url", "baseline_points"}
    assert phase["unpl"] == pytest.approx(5082.28, abs=0.01)
    flagged = {p["period"]: p["signals"] for p in document["points"] if p["signals"]}
    assert flagged["16"] == ["beyond_limits"]
    assert flagged["9"] == ["long_run"]
    assert "two_of_three" in flagged["13"]


def test_xmr_reads_a_csv_with_periods(tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text(
        "period,count\n"
        + "\n".join(
            f"2025-{m:02d},{v}"
            for m, v in zip(range(1, 13), [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 30, 6], strict=True)
        )
    )
    result = CliRunner().invoke(cli, ["xmr", str(csv), "--column", "count", "--better", "down"])
    assert result.exit_code == 0, result.output
    assert "Point beyond the limits: 2025-11 (high, concern)" in result.stdout


def test_xmr_does_not_call_a_run_chart_predictable() -> None:
    result = CliRunner().invoke(cli, ["xmr", "-"], input="5\n7\n6\n")
    assert result.exit_code == 0, result.output
    assert "predictable" not in result.stdout
    assert (
        "No signals can be found: too few values to judge (a run chart has no limits)."
        in result.stdout
    )


def test_xmr_names_a_run_by_its_length() -> None:
    values = "\n".join(["11", "9"] * 10 + ["10.5"] * 9)
    result = CliRunner().invoke(cli, ["xmr", "-"], input=values + "\n")
    assert "Run of 9 on one side: 21 to 29 (high, neutral)" in result.stdout
    assert "Run of 8" not in result.stdout


def test_xmr_bad_input_is_a_problem_not_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["xmr", "-"], input="1\n2\nthree\n4,5\n")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "<stdin>:3: error:" in result.stdout


SHORT_ROWS = "period,value,note\n2026-01,4.1\n2026-02,,late\n2026-03,3.9,\n2026-04\n2026-05,3.5\n"
"""Rows without their note (read as empty), and one without its value cell (a problem)."""


def test_xmr_and_the_site_read_short_rows_alike(tmp_path: Path) -> None:
    measure = "---\ntitle: Churn\ngoal: g\nfrequency: monthly\nbetter: down\n---\n"
    root = make_repo(
        tmp_path / "repo",
        {"measures/g.md": "---\nkind: goal\ntitle: G\n---\n", "measures/m.md": measure},
    )
    (root / "data").mkdir()
    (root / "data" / "m.csv").write_text(SHORT_ROWS)
    _, site_problems = load_repo(root)
    xmr = CliRunner().invoke(cli, ["xmr", str(root / "data" / "m.csv")])
    assert xmr.exit_code == 1
    assert [str(p) for p in site_problems] == [
        "data/m.csv:5: error: The row has 1 cell, expected 3 like the header (period, value, "
        "note). Add the missing cells (a cell may be empty). [PS320]"
    ]
    assert xmr.stdout == f"{root / 'data' / 'm.csv'}:5: error: " + (
        "The row has 1 cell, expected 3 like the header (period, value, note). Add the "
        "missing cells (a cell may be empty). [PS320]\n"
    )
    (root / "data" / "m.csv").write_text(SHORT_ROWS.replace("2026-04\n", "2026-04,3.7\n"))
    repo, site_problems = load_repo(root)
    xmr = CliRunner().invoke(cli, ["xmr", "--json", str(root / "data" / "m.csv")])
    assert xmr.exit_code == 0 and not [p for p in site_problems if p.is_error]
    series = repo.measures["m"].series
    assert series is not None
    read_by_xmr = [(p["period"], p["value"]) for p in json.loads(xmr.stdout)["points"]]
    assert read_by_xmr == [(str(o.period), o.value) for o in series.observations]
    assert read_by_xmr == [
        ("2026-01", 4.1),
        ("2026-02", None),
        ("2026-03", 3.9),
        ("2026-04", 3.7),
        ("2026-05", 3.5),
    ]

"""`pumpsite check` validates `source` blocks and connections without running them; and no
command but `pull` runs a source, even one whose query would have a side effect."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pumpsite.cli import cli
from pumpsite.problems import codes_of
from tests.pull.repos import AS_OF, pull, repo

SETTINGS = "site_name: T\nextra:\n  pumpsite:\n    connections:\n      warehouse: {url}\n"

PROBLEM_CODES = codes_of("sources")

CASES = [
    pytest.param(
        "file: data/raw/r.csv\nquery: SELECT 1\n", "",
        "measures/m.md:6: error: 'source' needs either file: (records in a file) or query: "
        "(SQL), not both or neither. [PS800]",
        id="PS800",
    ),
    pytest.param(
        "file: data/raw/r.ods\nsheet: One\n", "",
        "measures/m.md:6: error: 'source' expects a file ending in .csv, .xlsx, .parquet, got "
        "'data/raw/r.ods'; takes sheet: with an .xlsx file only; needs date: the column with "
        "each record's date, which decides its period. [PS800]",
        id="PS800-file",
    ),
    pytest.param(
        "file: r.csv\ndate: d\naggregate: sum\nnumerator: n\n", "",
        "measures/m.md:6: error: 'source' needs column: the column whose values sum adds up; "
        "does not use numerator with aggregate: sum; sum, mean and median take column:. [PS800]",
        id="PS800-aggregate",
    ),
    pytest.param(
        "query: SELECT 1\naggregate: sum\n", "",
        "measures/m.md:6: error: 'source' has aggregate but no date: a query without date: "
        "returns the columns period and value itself; with date: its rows are records to "
        "aggregate. [PS800]",
        id="PS800-query",
    ),
    pytest.param(
        "file: ../exports/r.csv\ndate: d\n", "",
        "measures/m.md:7: error: Source file '../exports/r.csv' points outside the repository: "
        "expected a path inside the repository, like data/raw/complaints.csv. A query can read "
        "files elsewhere. [PS801]",
        id="PS801",
    ),
    pytest.param(
        "file: .env\ndate: d\n", "",
        "measures/m.md:6: error: 'source' expects a file ending in .csv, .xlsx, .parquet, got "
        "'.env'. [PS800]",
        id="PS800-hidden",
    ),
    pytest.param(
        "connection: warehose\nquery: SELECT 1\n",
        SETTINGS.format(url="postgresql://me:${PW}@db/x"),
        "measures/m.md:7: error: Connection 'warehose' is not defined in mkdocs.yml. Did you "
        "mean 'warehouse'? [PS802]",
        id="PS802",
    ),
    pytest.param(
        "query: SELECT 1\n", SETTINGS.format(url="postgresql://me:hunter2@db/x"),
        "mkdocs.yml:5: error: 'warehouse' in extra.pumpsite.connections holds a password: "
        "credentials come from environment variables, never from a file in the repository. "
        "Write ${NAME} where the password goes, like "
        "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, and set NAME where "
        "pumpsite pull runs. [PS803]",
        id="PS803",
    ),
    pytest.param(
        "query: SELECT 1\n", SETTINGS.format(url="db.example.com"),
        "mkdocs.yml:5: error: 'warehouse' in extra.pumpsite.connections expects a URL like "
        "duckdb:data/warehouse.duckdb or "
        "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, got 'db.example.com'. "
        "[PS804]",
        id="PS804",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("source", "settings", "expected"), CASES)
def test_problem_code(tmp_path: Path, source: str, settings: str, expected: str) -> None:
    files = {"mkdocs.yml": settings} if settings else {}
    root = repo(tmp_path, source, files)
    result = CliRunner().invoke(cli, ["check", "--as-of", AS_OF, str(root)])
    assert expected in result.stdout.splitlines(), result.stdout
    assert result.exit_code == 1


def test_every_code_is_tested_and_documented() -> None:
    assert {case.id.split("-")[0] for case in CASES} == set(PROBLEM_CODES)
    docs = (Path(__file__).parents[2] / "docs/sources.md").read_text()
    assert all(code in docs for code in PROBLEM_CODES)


def test_passwords_from_the_environment_and_git_ignored_files_are_fine(tmp_path: Path) -> None:
    root = repo(tmp_path, "connection: warehouse\nquery: SELECT 1 AS period, 2 AS value\n",
                {"mkdocs.yml": SETTINGS.format(url="postgresql://me:${PW}@db/x?sslmode=require"),
                 "data/m.csv": "period,value\n2026-10,1\n"})  # fmt: skip
    result = CliRunner().invoke(cli, ["check", "--as-of", AS_OF, str(root)])
    assert "PS80" not in result.stdout


def side_effect(root: Path) -> str:
    return f"query: COPY (SELECT 1 AS period) TO '{root / 'side-effect.csv'}'\n"


@pytest.mark.parametrize("command", ["check", "build"])
def test_only_pull_runs_a_source(tmp_path: Path, command: str) -> None:
    """A pull request can edit a query: build and check never run it."""
    root = repo(tmp_path, side_effect(tmp_path), {"data/m.csv": "period,value\n2026-10,1\n"})
    result = CliRunner().invoke(cli, [command, "--as-of", AS_OF, str(root)])
    assert result.exit_code == 0, result.output
    assert not (root / "side-effect.csv").exists()
    pull(root)  # the query runs here, and only here
    assert (root / "side-effect.csv").exists()


def test_check_build_serve_and_diff_never_import_the_pull_engines(tmp_path: Path) -> None:
    root = repo(tmp_path, side_effect(tmp_path), {"data/m.csv": "period,value\n2026-10,1\n"})
    script = (
        "import sys\nfrom datetime import date\nfrom pathlib import Path\n"
        "import pumpsite.serve.run, pumpsite.diff.run, pumpsite.cli\n"
        "from pumpsite.build.run import build\n"
        f"build(Path({str(root)!r}), today=date.fromisoformat({AS_OF!r}))\n"
        "loaded = [m for m in ('duckdb', 'sqlalchemy', 'openpyxl', 'pumpsite.pull') "
        "if m in sys.modules]\nassert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)
    assert not (root / "side-effect.csv").exists()
    assert date.fromisoformat(AS_OF)

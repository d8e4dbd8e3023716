"""Every problem `pumpsite pull` finds by running a source, with its exact message, at the line
of the `source` block or of its key; no traceback, and the previous CSV left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpsite.problems import codes_of
from tests.pull.repos import csv_lines, pull, repo

REGISTER = {"data/raw/r.csv": csv_lines("1,2026-08-03,complaint,10", "2,2026-10-02,question,x")}
FILE = "file: data/raw/r.csv\ndate: logged_on\n"
OLD = "period,value\n2020-01,1\n"

PROBLEM_CODES = codes_of("pull")

CASES = [
    pytest.param(
        "file: data/raw/nope.csv\ndate: d\n", {},
        "measures/m.md:7: error: Source file 'data/raw/nope.csv' does not exist: expected a file "
        "of records, one per row with a header row. Put the export there, or fix file:. [PS810]",
        id="PS810",
    ),
    pytest.param(
        "file: data/raw/r.xlsx\nsheet: Sheet 9\ndate: d\n",
        {"data/raw/r.xlsx": b"not a zip"},
        "measures/m.md:7: error: Source file 'data/raw/r.xlsx' cannot be read as an .xlsx "
        "workbook: File is not a zip file. [PS811]",
        id="PS811",
    ),
    pytest.param(
        "file: data/raw/r.csv\ndate: Logged_On\n", REGISTER,
        "measures/m.md:8: error: Column 'Logged_On' is not in the records. Did you mean "
        "'logged_on'? [PS812]",
        id="PS812",
    ),
    pytest.param(
        FILE + "aggregate: sum\ncolumn: minutes\n", REGISTER,
        "measures/m.md:10: error: Column 'minutes' holds 'x' in record 2: expected a number. "
        "Correct the records, or leave the cell empty. [PS813]",
        id="PS813",
    ),
    pytest.param(
        "file: data/raw/r.csv\ndate: kind\n", REGISTER,
        "measures/m.md:8: error: Column 'kind' holds 'complaint' in record 1 (and 1 more): "
        "expected a date like 2026-03-31. Correct the records, or leave the cell empty. [PS814]",
        id="PS814",
    ),
    pytest.param(
        FILE + "where: {kind: escalation}\n", REGISTER,
        "measures/m.md:9: error: None of the 2 records match where:, so there is nothing to "
        "pull. [PS815]",
        id="PS815",
    ),
    pytest.param(
        "connection: w\nquery: SELECT 1\n",
        {"mkdocs.yml": "site_name: T\nextra:\n  pumpsite:\n    connections:\n"
         "      w: postgresql://me:${PUMPSITE_TEST_UNSET}@localhost/db\n"},
        "measures/m.md:7: error: Connection 'w' needs the environment variable "
        "PUMPSITE_TEST_UNSET, which is not set. Set it where pumpsite pull runs (in a workflow, "
        "from a secret: env: PUMPSITE_TEST_UNSET: ${{ secrets.PUMPSITE_TEST_UNSET }}). [PS816]",
        id="PS816",
    ),
    pytest.param(
        "connection: w\nquery: SELECT 1\n",
        {"mkdocs.yml": "site_name: T\nextra:\n  pumpsite:\n    connections:\n"
         "      w: postgresql://me:${PUMPSITE_TEST_PW}@127.0.0.1:1/db\n"},
        "measures/m.md:7: error: Connection 'w' (postgresql://me:***@127.0.0.1:1/db) cannot be "
        "opened: connection failed: connection to server at \"127.0.0.1\", port 1 failed: "
        "Connection refused. [PS817]",
        id="PS817",
    ),
    pytest.param(
        "query: SELECT * FROM complaints\n", {},
        "measures/m.md:7: error: The query fails: Catalog Error: Table with name complaints does "
        "not exist!. [PS818]",
        id="PS818",
    ),
    pytest.param(
        "query: SELECT '2026-03' AS period, 1 AS value UNION ALL SELECT '2026-03-31', 2\n", {},
        "measures/m.md:7: error: The query returns two rows for 2026-03 (rows 1 and 2): expected "
        "one row per period. Group by the period. [PS819]",
        id="PS819",
    ),
    pytest.param(
        FILE, {"data/raw/r.csv": csv_lines("1,2026-08-03,a,1", "2,,a,1")},
        "measures/m.md:8: warning: 1 record has no date in column 'logged_on' and is left out: "
        "each record's date decides its period. [PS820]",
        id="PS820",
    ),
    pytest.param(
        "query: SELECT '2026-03' AS period, 1e16 AS value\n", {},
        "measures/m.md:7: error: The value in row 1 is 1e+16: expected a finite number between "
        "-10^15 and 10^15. Use a larger unit. [PS821]",
        id="PS821",
    ),
    pytest.param(
        "file: raw/r.csv\ndate: logged_on\n",
        {"raw/r.csv": REGISTER["data/raw/r.csv"], "elsewhere/m.csv": OLD},
        "measures/m.md:6: error: Cannot write data/m.csv: data is a symbolic link, which "
        "pumpsite never writes through. The previous file is unchanged. [PS822]",
        id="PS822",
    ),
    pytest.param(
        FILE + "colour: blue\n", REGISTER,
        "measures/m.md:6: error: Not pulled: the measure's file has errors. Correct them first "
        "(pumpsite check). [PS823]",
        id="PS823",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("source", "files", "expected"), CASES)
def test_problem_code(tmp_path: Path, source: str, files: dict[str, str], expected: str) -> None:
    root = repo(tmp_path, source, files)
    if "elsewhere/m.csv" in files:  # data/ is a link: nothing is written through it
        (root / "data").symlink_to("elsewhere")
    result = pull(root, env={"PUMPSITE_TEST_PW": "pw"})
    assert expected in result.stdout.splitlines(), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for path in ("data/m.csv", "elsewhere/m.csv"):
        if path in files:
            assert (root / path).read_text() == files[path]
    assert result.exit_code == (0 if ": warning: " in expected else 1)


def test_every_code_is_tested_and_documented() -> None:
    assert {case.id for case in CASES} == set(PROBLEM_CODES)
    docs = (Path(__file__).parents[2] / "docs/sources.md").read_text()
    assert all(code in docs for code in PROBLEM_CODES)


def test_a_named_measure_whose_file_does_not_load(tmp_path: Path) -> None:
    root = repo(tmp_path, FILE + "colour: blue\n", REGISTER)
    result = pull(root, "m")
    assert result.exit_code == 1
    assert result.stdout == (
        "measures/m.md:6: error: Not pulled: the measure's file has errors. Correct them first "
        "(pumpsite check). [PS823]\n"
        "measures/m.md:9: error: Unknown key 'colour' in source. Did you mean 'column'? "
        "[PS103]\n"
    )

"""`pumpsite pull` end to end through the command line: raw records from CSV, .xlsx and Parquet
files, the periods, the snapshot and the report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import openpyxl

from pumpsite.load.repo import load_repo
from tests.pull.repos import csv_lines, pull, repo

REGISTER = csv_lines(
    "1,2026-08-03,complaint,10",
    "2,2026-08-17,question,20",
    "3,2026-08-30 23:59:00,complaint,30",
    "4,2026-10-02,complaint,41",
    "5,2026-11-02,complaint,5",
)


def test_counts_records_per_month(tmp_path: Path) -> None:
    root = repo(tmp_path, "file: data/raw/r.csv\ndate: logged_on\n", {"data/raw/r.csv": REGISTER})
    result = pull(root)
    assert result.exit_code == 0, result.output
    assert (root / "data/m.csv").read_text() == "period,value\n2026-08,3\n2026-09,0\n2026-10,1\n"
    assert result.stdout == (
        "m → data/m.csv: updated\n"
        "  3 new periods: 2026-08: 3, 2026-09: 0, 2026-10: 1\n"
        "  2026-11 left out: still in progress on 2026-11-23\n"
    )
    assert result.stderr == "Pulled 1 measure as of 2026-11-23, 1 updated.\n"


def test_the_snapshot_loads_back_as_pulled(tmp_path: Path) -> None:
    source = "file: data/raw/r.csv\ndate: logged_on\naggregate: mean\ncolumn: minutes\n"
    root = repo(tmp_path, source, {"data/raw/r.csv": REGISTER})
    assert pull(root).exit_code == 0
    loaded, problems = load_repo(root)
    assert [p for p in problems if p.is_error] == []
    series = loaded.measures["m"].series
    assert series is not None
    assert [(o.period.label, o.value) for o in series.observations] == [
        ("2026-08", 20.0),
        ("2026-09", None),
        ("2026-10", 41.0),
    ]


def test_filters_sums_medians_and_ratios(tmp_path: Path) -> None:
    files = {"data/raw/r.csv": REGISTER}
    cases = {
        "where: {kind: complaint}\n": "2026-08,2\n2026-09,0\n2026-10,1\n",
        "where: {kind: [complaint, question]}\naggregate: sum\ncolumn: minutes\n": (
            "2026-08,60\n2026-09,0\n2026-10,41\n"
        ),
        "aggregate: median\ncolumn: minutes\n": "2026-08,20\n2026-09,\n2026-10,41\n",
        "aggregate: ratio\nnumerator: minutes\nscale: 100\ndecimals: 1\n": (
            "2026-08,2000\n2026-09,\n2026-10,4100\n"
        ),
    }
    for number, (extra, expected) in enumerate(cases.items()):
        root = repo(
            tmp_path / str(number), "file: data/raw/r.csv\ndate: logged_on\n" + extra, files
        )
        assert pull(root).exit_code == 0
        assert (root / "data/m.csv").read_text() == "period,value\n" + expected, extra


def test_weeks_quarters_years_and_days_follow_the_csv_rules(tmp_path: Path) -> None:
    rows = ["1,2025-12-29,a,1", "2,2026-01-04,a,1", "3,2026-01-05,a,1", "4,2026-03-31,a,1"]
    files = {"data/raw/r.csv": csv_lines(*rows)}
    expected = {
        "weekly": "2026-W01,2\n2026-W02,1\n"
        + "".join(f"2026-W{w:02d},0\n" for w in range(3, 14))
        + "2026-W14,1\n",
        "quarterly": "2025-Q4,1\n2026-Q1,3\n",
        "yearly": "2025,1\n",  # 2026 is still in progress on 2026-12-31
    }
    for frequency, rows_text in expected.items():
        root = repo(tmp_path / frequency, "file: data/raw/r.csv\ndate: logged_on\n", files,
                    frequency=frequency)  # fmt: skip
        assert pull(root, "--as-of", "2026-12-31").exit_code == 0
        assert (root / "data/m.csv").read_text() == "period,value\n" + rows_text
    root = repo(tmp_path / "daily", "file: data/raw/r.csv\ndate: logged_on\n", files,
                frequency="daily")  # fmt: skip
    assert pull(root, "--as-of", "2026-01-06").exit_code == 0
    assert (root / "data/m.csv").read_text() == "period,value\n" + "".join(
        f"{date(2025, 12, 29) + timedelta(days=n)},{1 if n in (0, 6, 7) else 0}\n" for n in range(8)
    )


def test_an_excel_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Tickets")
    sheet.append(["opened", "hours", "team"])
    for day, hours in [(1, 2.5), (2, 3.5), (40, 4.0), (41, None)]:
        sheet.append([datetime_at(day), hours, "support"])
    root = repo(tmp_path, "file: data/raw/t.xlsx\nsheet: Tickets\ndate: opened\naggregate: mean\n"
                "column: hours\n", {})  # fmt: skip
    book.save(root / "data/raw/t.xlsx") if (root / "data/raw").mkdir(parents=True) is None else None
    result = pull(root)
    assert result.exit_code == 0, result.output
    assert (root / "data/m.csv").read_text() == "period,value\n2026-01,3\n2026-02,4\n"


def datetime_at(day: int) -> object:
    from datetime import datetime

    return datetime(2026, 1, 1, 9, 30) + timedelta(days=day - 1)


def test_a_parquet_file(tmp_path: Path) -> None:
    root = repo(tmp_path, "file: data/raw/r.parquet\ndate: at\naggregate: sum\ncolumn: amount\n")
    (root / "data/raw").mkdir(parents=True)
    duckdb.sql(
        "COPY (SELECT TIMESTAMPTZ '2026-01-31 23:30:00-02' AS at, 2.5 AS amount "
        "UNION ALL SELECT TIMESTAMPTZ '2026-03-01 00:00:00+00', 1) "
        f"TO '{root / 'data/raw/r.parquet'}' (FORMAT parquet)"
    )
    assert pull(root).exit_code == 0
    # 23:30 at UTC-2 is 01:30 UTC on 1 February: times with a zone count in UTC.
    assert (root / "data/m.csv").read_text() == "period,value\n2026-02,2.5\n2026-03,1\n"


def test_notes_of_the_previous_csv_stay_and_revisions_are_news(tmp_path: Path) -> None:
    previous = "period,value,note\n2026-08,3,Register moved to the new form\n2026-09,2,\n"
    root = repo(tmp_path, "file: data/raw/r.csv\ndate: logged_on\n",
                {"data/raw/r.csv": REGISTER, "data/m.csv": previous})  # fmt: skip
    result = pull(root)
    assert result.stdout == (
        "m → data/m.csv: updated\n"
        "  1 new period: 2026-10: 1\n"
        "  1 revised value: 2026-09: 2 → 0\n"
        "  2026-11 left out: still in progress on 2026-11-23\n"
    )
    assert (root / "data/m.csv").read_text() == (
        "period,value,note\n2026-08,3,Register moved to the new form\n2026-09,0,\n2026-10,1,\n"
    )
    again = pull(root)
    assert again.stdout.startswith("m → data/m.csv: no change\n")


def test_only_the_named_measures(tmp_path: Path) -> None:
    root = repo(tmp_path, "file: data/raw/r.csv\ndate: logged_on\n", {"data/raw/r.csv": REGISTER})
    assert pull(root, "m").exit_code == 0
    result = pull(root, "g", "nope")
    assert result.exit_code == 2
    assert "Error: Nothing to pull: 'g' is not a measure; 'nope' is not a measure.\n" in (
        result.stderr
    )


def test_the_examples_complaints_are_pulled_from_the_register(tmp_path: Path) -> None:
    """The example's complaints measure is counted from one row per complaint: pulling it keeps
    the committed CSV as it is, note included, and leaves out November, in progress on the
    report date; without the CSV, it writes the same values."""
    from tests.example_site import ROOT, copy_example

    root = copy_example(tmp_path / "example")
    result = pull(root)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "customer-complaints → data/customer-complaints.csv: no change\n"
        "  2026-11 left out: still in progress on 2026-11-23\n"
    )
    committed = (ROOT / "data/customer-complaints.csv").read_text()
    assert (root / "data/customer-complaints.csv").read_text() == committed
    (root / "data/customer-complaints.csv").unlink()
    assert pull(root).exit_code == 0
    pulled = (root / "data/customer-complaints.csv").read_text().splitlines()
    assert pulled == [",".join(line.split(",")[:2]) for line in committed.splitlines()]


def test_named_measures_report_only_their_own_problems(tmp_path: Path) -> None:
    other = "---\ntitle: O\ngoal: g\nfrequency: monthly\nbetter: up\nsource:\n  query: SELEC\n---\n"
    root = repo(tmp_path, "file: data/raw/r.csv\ndate: logged_on\n",
                {"data/raw/r.csv": REGISTER, "measures/o.md": other})  # fmt: skip
    assert pull(root, "m").exit_code == 0
    everything = pull(root)
    assert everything.exit_code == 1
    assert everything.stdout.splitlines()[-1] == (
        'measures/o.md:7: error: The query fails: Parser Error: syntax error at or near "SELEC". '
        "[PS818]"
    )

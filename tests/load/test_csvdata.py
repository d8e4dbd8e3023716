"""CSV data: series, physical line numbers and exact problems."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpsite.load import csvdata
from pumpsite.load.csvdata import (
    read_measure_csv,
    read_series_file,
    read_series_text,
)
from pumpsite.load.text import UTF16_BOMS
from pumpsite.model import Observation, Series
from pumpsite.periods import Frequency, Period
from pumpsite.problems import Problem, Severity

CSV = "data/m.csv"


def month(year: int, number: int) -> Period:
    return Period("monthly", year * 12 + number - 1)


def read(
    tmp_path: Path, content: str | bytes, column: str = "value", frequency: Frequency = "monthly"
) -> tuple[Series | None, list[Problem]]:
    path = tmp_path / "m.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_measure_csv(path, CSV, column, frequency)


def problems_of(
    tmp_path: Path, content: str | bytes, frequency: Frequency = "monthly"
) -> list[Problem]:
    return read(tmp_path, content, frequency=frequency)[1]


def one(line: int, code: str, message: str) -> list[Problem]:
    return [Problem(CSV, line, code, message)]


# --- a valid file ---------------------------------------------------------------------------------


def test_valid_file_with_gaps_notes_and_missing_values(tmp_path: Path) -> None:
    series, problems = read(
        tmp_path,
        "Period,value,Note\n2026-01,4.5,\n2026-02,,not reported\n\n2026-04,-1e2,x\n",
    )
    assert problems == []
    assert series == Series(
        CSV,
        "value",
        (
            Observation(month(2026, 1), 4.5, "", 2),
            Observation(month(2026, 2), None, "not reported", 3),
            Observation(month(2026, 4), -100.0, "x", 5),
        ),
    )
    assert series.values_by_period() == (
        [month(2026, 1), month(2026, 2), month(2026, 3), month(2026, 4)],
        [4.5, None, None, -100.0],
    )


def test_period_column_may_be_any_first_column_and_dates_map_to_periods(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "month,x,total\n2026-01-31,9,1\n2026-02-28,9,2\n", "total")
    assert problems == []
    assert series is not None
    assert [(o.period, o.value) for o in series.observations] == [
        (month(2026, 1), 1.0),
        (month(2026, 2), 2.0),
    ]


def test_bom_crlf_and_quoted_cells(tmp_path: Path) -> None:
    series, problems = read(tmp_path, '\ufeffperiod,value\r\n"2026-01"," 7 "\r\n2026-02,8\r\n')
    assert problems == []
    assert series is not None
    assert [(o.value, o.line) for o in series.observations] == [(7.0, 2), (8.0, 3)]


def test_lines_are_physical_lines_after_a_multiline_note(tmp_path: Path) -> None:
    content = 'period,value,note\n2026-01,1,"two\nlines"\n2026-02,x,\n'
    series, problems = read(tmp_path, content)
    assert series is not None and [o.line for o in series.observations] == [2]
    assert [p.line for p in problems] == [4]


def test_header_only_is_an_empty_series(tmp_path: Path) -> None:
    # checks.py reports "no data yet" (PS310) for an empty series.
    assert read(tmp_path, "period,value\n") == (Series(CSV, "value", ()), [])


def test_out_of_order_rows_are_kept_and_sorted(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "period,value\n2026-03,3\n2026-01,1\n2026-02,2\n")
    assert problems == one(
        3,
        "PS325",
        "Period 2026-01 comes after 2026-03 (line 2): periods must be in ascending order. "
        "Sort the rows by period.",
    )
    assert series is not None
    assert [o.value for o in series.observations] == [1.0, 2.0, 3.0]


def test_good_rows_are_kept_when_others_are_bad(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "period,value\n2026-01,1\n2026-02,x\n2026-13,3\n2026-04,4\n")
    assert [p.code for p in problems] == ["PS305", "PS322"]
    assert series is not None
    assert [o.value for o in series.observations] == [1.0, 4.0]


# --- problems, one test per code ------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert read(tmp_path, "") == (
        None,
        one(
            1,
            "PS303",
            "The file is empty: expected a header row like period,value and one row per period.",
        ),
    )


def test_missing_column_with_did_you_mean(tmp_path: Path) -> None:
    assert read(tmp_path, "period,Value\n2026-01,1\n") == (
        None,
        one(
            1,
            "PS304",
            "Column 'value' is not in the header: the columns are period, Value. "
            "Did you mean 'Value'?",
        ),
    )


def test_missing_column_without_a_close_name(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,amount\n2026-01,1\n") == one(
        1,
        "PS304",
        "Column 'value' is not in the header: the columns are period, amount. Add it, or set "
        "column: in the measure to the column that holds the values.",
    )


def test_value_column_is_the_only_column(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "value\n1\n") == one(
        1,
        "PS304",
        "Column 'value' holds the values, so there is no period column: expected a column "
        "named 'period', or periods in the first column.",
    )


def test_not_a_number(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-01,ten\n") == one(
        2,
        "PS305",
        "Value 'ten' in column 'value' is not a number: expected a number like 12.5, "
        "or an empty cell for a missing value.",
    )


def test_decimal_comma(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'period,value\n2026-01,"12,5"\n') == one(
        2,
        "PS306",
        "Value '12,5' in column 'value' uses a decimal comma: expected a decimal point. "
        "Did you mean 12.5?",
    )


@pytest.mark.parametrize("cell", ['"1,234"', "1 234"])
def test_thousands_separator(tmp_path: Path, cell: str) -> None:
    text = cell.strip('"')
    assert problems_of(tmp_path, f"period,value\n2026-01,{cell}\n") == one(
        2,
        "PS307",
        f"Value '{text}' in column 'value' uses a thousands separator: expected digits only. "
        "Did you mean 1234?",
    )


@pytest.mark.parametrize("cell", ["NaN", "inf", "-Infinity"])
def test_not_finite(tmp_path: Path, cell: str) -> None:
    assert problems_of(tmp_path, f"period,value\n2026-01,{cell}\n") == one(
        2,
        "PS308",
        f"Value '{cell}' in column 'value' is not a finite number: "
        "leave the cell empty for a missing value.",
    )


@pytest.mark.parametrize(
    ("cell", "found", "hint"),
    [
        ("١٢٣", "'١' (ARABIC-INDIC DIGIT ONE)", " Did you mean 123?"),
        ("１２３", "'１' (FULLWIDTH DIGIT ONE)", " Did you mean 123?"),
        ("12³", "'³' (SUPERSCRIPT THREE)", ""),
    ],
)
def test_digits_other_than_0_to_9_are_named(
    tmp_path: Path, cell: str, found: str, hint: str
) -> None:
    assert problems_of(tmp_path, f"period,value\n2026-01,{cell}\n") == one(
        2,
        "PS305",
        f"Value '{cell}' in column 'value' contains {found}, which is not one of the digits 0-9: "
        f"expected a number like 12.5.{hint}",
    )


def test_a_period_with_other_digits_is_invalid(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-０３,1\n") == one(
        2,
        "PS322",
        "Invalid period in column 'period': expected a monthly period like 2026-03 (or a date), "
        "got '2026-０３'. It contains '０' (FULLWIDTH DIGIT ZERO), which is not one of the digits "
        "0-9.",
    )


@pytest.mark.parametrize("cell", ["1e400", "-1e309"])
def test_a_value_that_overflows_is_too_large(tmp_path: Path, cell: str) -> None:
    [problem] = problems_of(tmp_path, f"period,value\n2026-01,{cell}\n")
    assert (problem.code, problem.message) == (
        "PS329",
        f"Value '{cell}' in column 'value' is too large: expected a number between -10^15 and "
        "10^15. Write the values in a larger unit (thousands, millions) and say so in unit:.",
    )


@pytest.mark.parametrize("cell", ["1e-400", "-2e-320"])
def test_a_value_that_underflows_is_too_small(tmp_path: Path, cell: str) -> None:
    [problem] = problems_of(tmp_path, f"period,value\n2026-01,{cell}\n2026-02,0.0000\n")
    assert (problem.line, problem.code) == (2, "PS331")


@pytest.mark.slow
def test_more_rows_than_the_limit_stop_the_reading(tmp_path: Path) -> None:
    first = date(1900, 1, 1)
    rows = (f"{first + timedelta(days=n)},{n % 7}\n" for n in range(100_000))
    garbage = "not a period,not a number\n" * 50_000  # never read
    content = "period,value\n" + "".join(rows) + garbage
    assert problems_of(tmp_path, content, frequency="daily") == one(
        100_002,
        "PS332",
        "The file has more than 100,000 rows of data: expected at most 100,000 per measure (a "
        "century of daily data is 36,525 rows). Move older rows to another file, or record the "
        "measure weekly or monthly instead.",
    )


def test_semicolons(tmp_path: Path) -> None:
    assert read(tmp_path, "period;value\n2026-01;12,5\n") == (
        None,
        one(
            1,
            "PS309",
            "The file is separated by semicolons: expected commas, like period,value. "
            "Export it as CSV with commas (in Excel: CSV UTF-8 (Comma delimited)).",
        ),
    )


def test_tabs(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "period\tvalue\n2026-01\t1\n")
    assert problem.message.startswith("The file is separated by tabs:")


def test_extra_cells(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-01,12,5\n") == one(
        2,
        "PS320",
        "The row has 3 cells, expected 2 like the header (period, value). "
        "Write numbers without commas (12.5, not 12,5) and quote text that contains one.",
    )


def test_missing_cells(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,note,value\n2026-01,1\n") == one(
        2,
        "PS320",
        "The row has 2 cells, expected 3 like the header (period, note, value). "
        "Add the missing cells (a cell may be empty).",
    )


def test_missing_trailing_cells_are_empty(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "period,value,note\n2026-01,1\n2026-02,2,late\n")
    assert problems == [] and series is not None
    assert [(o.value, o.note) for o in series.observations] == [(1.0, ""), (2.0, "late")]


@pytest.mark.parametrize("cell", ["1e16", "-1000000000000001", "1.7e308"])
def test_too_large(tmp_path: Path, cell: str) -> None:
    assert [p.code for p in problems_of(tmp_path, f"period,value\n2026-01,{cell}\n")] == ["PS329"]


def test_largest_allowed(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "period,value\n2026-01,1e15\n2026-02,-1e15\n")
    assert problems == [] and series is not None


def test_cell_larger_than_the_limit(tmp_path: Path) -> None:
    content = 'period,value\n2026-01,1\n2026-02,"' + "x" * 1_100_000 + "\n2026-03,3\n"
    series, problems = read(tmp_path, content)
    assert problems == one(
        3,
        "PS321",
        "A cell is longer than 1 MB: expected short cells. "
        'Look for a quote (") that is opened but never closed.',
    )
    assert series is not None and len(series.observations) == 1


def test_unclosed_quote(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'period,value\n2026-01,"1\n2026-02,2\n') == one(
        2,
        "PS321",
        'A quote (") on this line is not closed until line 3: expected one row per line. '
        "Remove the stray quote.",
    )


def test_invalid_period(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-13,1\n") == one(
        2,
        "PS322",
        "Invalid period in column 'period': expected a monthly period like 2026-03 "
        "(or a date), got '2026-13'.",
    )


def test_date_with_time(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-01-31 00:00:00,1\n") == one(
        2,
        "PS322",
        "Invalid period in column 'period': expected a monthly period like 2026-03 "
        "(or a date), got '2026-01-31 00:00:00'. Did you mean 2026-01-31?",
    )


def test_empty_period(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n,1\n") == one(
        2,
        "PS322",
        "The period in column 'period' is empty: expected a monthly period like 2026-03 "
        "(or a date).",
    )


def test_year_zero_is_not_a_period(tmp_path: Path) -> None:
    assert [
        p.code for p in problems_of(tmp_path, "period,value\n0000,1\n", frequency="yearly")
    ] == ["PS322"]


def test_period_in_another_frequency(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value\n2026-W09,1\n") == one(
        2,
        "PS323",
        "Period '2026-W09' is weekly, but the measure is monthly: expected a monthly period "
        "like 2026-03 (or a date), got '2026-W09'.",
    )


def test_duplicate_period(tmp_path: Path) -> None:
    series, problems = read(tmp_path, "period,value\n2026-01-15,1\n2026-02,2\n2026-01,3\n")
    assert problems == one(
        4,
        "PS324",
        "Period 2026-01 appears twice, on lines 2 and 4: expected one row per period. "
        "Remove or merge one.",
    )
    assert series is not None and [o.value for o in series.observations] == [1.0, 2.0]


def test_duplicate_column(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "period,value,Value\n2026-01,1,2\n") == one(
        1,
        "PS326",
        "Column 'Value' appears twice in the header (columns 2 and 3): expected unique names. "
        "Rename or remove one.",
    )


def test_no_header(tmp_path: Path) -> None:
    assert read(tmp_path, "2026-01,1\n2026-02,2\n") == (
        None,
        one(
            1,
            "PS327",
            "The first row looks like data, not a header: expected column names like "
            "period,value, got 2026-01,1. Add a header row.",
        ),
    )


def test_not_utf8_keeps_the_good_rows(tmp_path: Path) -> None:
    series, problems = read(tmp_path, b"period,value,note\n2026-01,1,caf\xe9\n2026-02,2,\n")
    assert problems == one(
        2,
        "PS100",
        "The file is not valid UTF-8: byte 0xe9 at column 14 cannot be read. "
        "Save the file as UTF-8 (in Excel: Save As, CSV UTF-8).",
    )
    assert series is not None and [o.note for o in series.observations] == ["caf\ufffd", ""]


def test_nul_bytes(tmp_path: Path) -> None:
    series, problems = read(tmp_path, b"period,value\n2026-01,1\n\x00\x00\x00")
    assert problems == one(
        3,
        "PS100",
        "The file contains a NUL byte: expected UTF-8 text, got what looks like a binary file.",
    )
    assert series is not None and len(series.observations) == 1


def test_utf16(tmp_path: Path) -> None:
    assert read(tmp_path, "period,value\n".encode("utf-16")) == (
        None,
        one(
            1,
            "PS100",
            "The file is UTF-16: expected UTF-8 text. "
            "Save it as UTF-8 (in Excel: Save As, CSV UTF-8).",
        ),
    )


def test_unreadable(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    series, problems = read_measure_csv(tmp_path / "folder.csv", CSV, "value", "monthly")
    assert series is None
    assert [(p.code, p.severity) for p in problems] == [("PS117", Severity.ERROR)]


@pytest.mark.slow
def test_100k_rows_load(tmp_path: Path) -> None:
    """Speed is the benchmark's job (benchmarks/); this only proves a large file loads whole."""
    first = date(1800, 1, 1)
    rows = "".join(f"{first + timedelta(days=i)},{i}.5\n" for i in range(100_000))
    series, problems = read(tmp_path, "period,value\n" + rows, frequency="daily")
    assert problems == [] and series is not None and len(series.observations) == 100_000


# --- xmr input ------------------------------------------------------------------------------------


def test_series_one_number_per_line() -> None:
    assert read_series_text("\n5045\n4350\n\n3975\n\n", "<stdin>") == (
        ["1", "2", "3", "4"],
        [5045.0, 4350.0, None, 3975.0],
        [],
    )


def test_series_numbers_with_problems() -> None:
    assert read_series_text("12,5\n3\nten\n", "<stdin>") == (
        ["1", "2", "3"],
        [None, 3.0, None],
        [
            Problem(
                "<stdin>",
                1,
                "PS306",
                "Value '12,5' in column 'value' uses a decimal comma: expected a decimal point. "
                "Did you mean 12.5?",
            ),
            Problem(
                "<stdin>",
                3,
                "PS305",
                "Value 'ten' in column 'value' is not a number: expected a number like 12.5, "
                "or an empty cell for a missing value.",
            ),
        ],
    )


def test_series_csv_with_value_column() -> None:
    text = "period,count,value\n2026-01,9,1\n2026-02,9,\n2026-03,9,3\n"
    assert read_series_text(text, "x.csv") == (
        ["2026-01", "2026-02", "2026-03"],
        [1.0, None, 3.0],
        [],
    )


def test_series_csv_with_the_single_numeric_column() -> None:
    text = "week,team,calls,note\n2026-W01,a,10,\n2026-W02,b,,quiet\n"
    assert read_series_text(text, "x.csv") == (["2026-W01", "2026-W02"], [10.0, None], [])


def test_series_csv_with_a_named_column() -> None:
    text = "period,a,b\n2026-01,1,2\n"
    assert read_series_text(text, "x.csv", "b") == (["2026-01"], [2.0], [])
    assert read_series_text(text, "x.csv", "c") == (
        [],
        [],
        [
            Problem(
                "x.csv",
                1,
                "PS304",
                "Column 'c' is not in the header: the columns are period, a, b. "
                "Add it, or choose one with --column.",
            )
        ],
    )


def test_series_csv_with_only_a_value_column_is_numbered() -> None:
    assert read_series_text("value\n1\n2\n", "x.csv") == (["1", "2"], [1.0, 2.0], [])


def test_series_ambiguous_column() -> None:
    assert read_series_text("period,a,b\n2026-01,1,2\n", "x.csv") == (
        [],
        [],
        [
            Problem(
                "x.csv",
                1,
                "PS328",
                "No column is named 'value' and 2 columns hold numbers: expected one value "
                "column, got period, a, b. Choose one with --column.",
            )
        ],
    )


def test_series_empty_input() -> None:
    assert read_series_text("\n \n", "<stdin>") == (
        [],
        [],
        [
            Problem(
                "<stdin>",
                1,
                "PS303",
                "The input is empty: expected a CSV with a header like period,value, or numbers.",
            )
        ],
    )


def test_series_file(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"\xef\xbb\xbfperiod,value\r\n2026-01,1\r\n2026-02,caf\xe9\r\n")
    labels, values, problems = read_series_file(path)
    assert (labels, values) == (["2026-01"], [1.0])  # the bad row is left out, as the site does
    assert [(p.path, p.line, p.code) for p in problems] == [
        (str(path), 3, "PS100"),
        (str(path), 3, "PS305"),
    ]


def test_series_file_missing(tmp_path: Path) -> None:
    labels, values, problems = read_series_file(tmp_path / "nope.csv")
    assert (labels, values) == ([], [])
    assert [(p.code, p.message) for p in problems] == [
        ("PS117", "The file cannot be read: No such file or directory.")
    ]


def test_series_file_binary(tmp_path: Path) -> None:
    path = tmp_path / "s.bin"
    path.write_bytes(b"1\n2\n\x00\x00")
    assert read_series_file(path) == (
        ["1", "2"],
        [1.0, 2.0],
        [
            Problem(
                str(path),
                3,
                "PS100",
                "The file contains a NUL byte: expected UTF-8 text, "
                "got what looks like a binary file.",
            )
        ],
    )


# --- plain files, read without the csv module -----------------------------------------------------

CORPUS = Path(__file__).parents[1] / "corpus"
PLAIN_OR_NOT = [
    b"period,value\n2025-01,1\n2025-02,2\n",
    b"period,value\r\n2025-01,1\r\n2025-02,2",
    b"\xef\xbb\xbfperiod,value,note\n2025-01,1,a\n\n , ,\n2025-03,,c\n2025-02,2",
    b"period,value\n2025-01,1\r2025-02,2\n",  # a lone CR ends a line for the csv module
    b'period,value\n2025-01,"1"\n2025-02,"2\n3"\n',
    b"period,value\n2025-01,1\x00\n",
    b"period,value\n2025-01,1\xff\n",
    b"period;value\n2025-01;1\n",
    b"period,value\n2025-01,1,9\n2025-02\n2025-02,x\n2025-02,0\n1925-02,-0\n2025-02,2\n",
    b"period,value,note\n2025-01,1e3\n2025-02,1e400,\n2025-03,12,5,\n 2025-04 ,  7 ,  n  \n",
    b"",
    b"\n\n",
]


def _corpus_csv_files() -> list[bytes]:
    return [path.read_bytes() for path in sorted(CORPUS.glob("*/data/*.csv")) if path.is_file()]


@pytest.mark.parametrize("frequency", ["monthly", "daily", "yearly"])
def test_plain_files_read_as_the_csv_module_reads_them(frequency: Frequency) -> None:
    """The fast path (split lines and commas) gives the very series and problems the csv
    module's reader does, on hand-made edge cases and on every CSV file of the bad corpus."""
    files = [*PLAIN_OR_NOT, *_corpus_csv_files()]
    assert len(files) > 40
    plain = 0
    for data in files:
        if data.startswith(UTF16_BOMS):
            continue  # refused before either reader
        expected = csvdata._read_by_csv(data, CSV, "value", frequency)
        assert csvdata.read_measure_bytes(data, CSV, "value", frequency) == expected, data[:80]
        plain += csvdata._plain_lines(data) is not None
    assert plain > len(files) // 2  # the fast path is taken, not only its fallback


def test_which_files_are_plain() -> None:
    assert csvdata._plain_lines(b"period,value\r\n2025-01,1\r\n") == [
        "period,value",
        "2025-01,1",
        "",
    ]
    for data in (b'a,"b"\n', b"a\rb\n", b"a\x00\n", b"a\xff\n", b"a\n" * 600_000):
        assert csvdata._plain_lines(data) is None, data[:20]


def test_a_large_file_is_streamed_and_read_the_same(tmp_path: Path) -> None:
    rows = "".join(f"{date(1800, 1, 1) + timedelta(days=n)},{n % 97}.5\n" for n in range(70_000))
    content = ("period,value\n" + rows + "bad,row\n").encode()
    assert len(content) > csvdata.SMALL_FILE
    streamed = read(tmp_path, content, frequency="daily")
    assert streamed == csvdata._read_by_csv(content, CSV, "value", "daily")
    assert streamed[0] is not None and len(streamed[0].observations) == 70_000
    assert [p.line for p in streamed[1]] == [70_002, 70_002]  # its period and its value


def test_the_row_limit_counts_the_same_rows_on_both_paths() -> None:
    rows = [f"{1000 + n % 9000},{n % 10}\n" for n in range(csvdata.MAX_ROWS + 5)]
    rows[7] = ",\n \n"  # blank rows are not counted
    data = ("period,value\n" + "".join(rows)).encode()
    assert csvdata._plain_lines(data) is not None
    read = csvdata.read_measure_bytes(data, CSV, "value", "yearly")
    assert read == csvdata._read_by_csv(data, CSV, "value", "yearly")
    assert [p.line for p in read[1] if p.code == "PS332"] == [csvdata.MAX_ROWS + 4]

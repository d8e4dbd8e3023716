"""Raw records aggregated per period, in DuckDB: one query groups a few million rows in seconds,
so nothing goes through Python row by row.

The records are a DuckDB view named `records`: a CSV or Parquet file read by DuckDB itself, an
.xlsx sheet turned into CSV first (DuckDB's excel extension is not installed with the wheel), or
a query's rows (`pumpsite.pull.query`). Each record's date decides its period, by the same rules
as the CSV reader: ISO weeks from Monday, months, quarters, years, days; times with a zone count
in UTC. What goes wrong is a `SourceError` naming the column and the first bad value.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb

from pumpsite.numbers import LARGEST
from pumpsite.periods import Frequency, Period, containing
from pumpsite.problems import closest, short
from pumpsite.pull.problems import (
    BAD_DATE,
    EMPTY_RESULT,
    MISSING_FILE,
    OUT_OF_RANGE,
    UNKNOWN_COLUMN,
    UNREADABLE_FILE,
    WRONG_TYPE,
    SourceError,
)
from pumpsite.schema import FilterValue, Source

VIEW = "records"
_TRUNCATE = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}
_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True, slots=True)
class Aggregated:
    """Each period's value (None: its records give no value, like the mean of empty cells),
    and how many records had no date."""

    values: dict[Period, float | None]
    undated: int


def connect(root: Path, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection reading paths relative to the repository, times in UTC."""
    con = duckdb.connect(database, read_only=database != ":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET file_search_path = {literal(str(root))}")
    return con


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def first_line(error: BaseException | None) -> str:
    """The first line of an error's message, for a problem (a database's can run to pages)."""
    text = str(error).strip().splitlines()
    return text[0].rstrip(".") if text else type(error).__name__


# --- records from a file ----------------------------------------------------------------------


def view_file(con: duckdb.DuckDBPyConnection, root: Path, source: Source, scratch: Path) -> None:
    """Make the view `records` of the source's file."""
    assert source.file is not None
    path = root / source.file
    if not path.is_file():
        raise SourceError(
            MISSING_FILE,
            f"Source file '{short(source.file)}' does not exist: expected a file of records, "
            "one per row with a header row. Put the export there, or fix file:.",
            "file",
        )
    if path.suffix.lower() == ".xlsx":
        path = xlsx_to_csv(path, source.sheet, scratch / "sheet.csv", source.file)
    reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv"
    options = "" if reader == "read_parquet" else ", header = true"
    try:
        con.execute(f"CREATE VIEW {VIEW} AS SELECT * FROM {reader}({literal(str(path))}{options})")
    except duckdb.Error as error:
        message = f"Source file '{short(source.file)}' cannot be read: {first_line(error)}."
        raise SourceError(UNREADABLE_FILE, message, "file") from None


def view_rows(
    con: duckdb.DuckDBPyConnection, names: list[str], rows: Iterable[tuple[Any, ...]], at: Path
) -> None:
    """Make the view `records` of rows from elsewhere (a database), through a CSV file."""
    write_csv(at, names, rows)
    con.execute(f"CREATE VIEW {VIEW} AS SELECT * FROM read_csv({literal(str(at))}, header = true)")


def write_csv(at: Path, names: list[str], rows: Iterable[Iterable[Any]]) -> None:
    with at.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_cell(value) for value in row])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def xlsx_to_csv(path: Path, sheet: str | None, at: Path, shown: str) -> Path:
    """The sheet (the first one by default) of an .xlsx workbook, as a CSV file for DuckDB."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        message = f"Source file '{short(shown)}' cannot be read as an .xlsx workbook: {error}."
        raise SourceError(UNREADABLE_FILE, message, "file") from None
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            close = closest(sheet, names)
            hint = f"Did you mean '{close}'?" if close else f"It has {', '.join(names)}."
            message = f"Sheet '{short(sheet)}' is not in '{short(shown)}'. {hint}"
            raise SourceError(UNREADABLE_FILE, message, "sheet")
        rows = book[sheet or names[0]].iter_rows(values_only=True)
        header = next(rows, ())
        kept = (row for row in rows if any(value is not None for value in row))
        write_csv(at, [_cell(name) for name in header], kept)
    finally:
        book.close()
    return at


# --- aggregation ------------------------------------------------------------------------------


def aggregate(con: duckdb.DuckDBPyConnection, source: Source, frequency: Frequency) -> Aggregated:
    """The view `records` aggregated per period of `frequency` as the source says."""
    assert source.date is not None
    types = _types(con)
    when = _date_expression(con, source.date, types)
    values = _value_expressions(con, source, types)
    where, parameters = _filters(source.where, types)
    period = (
        "_d" if frequency == "daily" else f"CAST(date_trunc('{_TRUNCATE[frequency]}', _d) AS DATE)"
    )
    inner = f"SELECT {when} AS _d, {values} FROM {VIEW} WHERE {where}"
    sql = (
        f"SELECT {period} AS p, {_aggregate_expression(source)} AS v, count(*) AS n "
        f"FROM ({inner}) GROUP BY p ORDER BY p NULLS FIRST"
    )
    rows = _run(con, sql, parameters, "where" if source.where else "date")
    undated = sum(n for p, _, n in rows if p is None)
    if not rows:
        raise SourceError(
            EMPTY_RESULT, _empty_message(con, source), "where" if source.where else None
        )
    values_by_start = {
        containing(p, frequency): _checked(v, source) for p, v, _ in rows if p is not None
    }
    if not values_by_start:
        message = (
            f"None of the {undated:,} records has a date in column '{short(source.date)}', "
            "so there is nothing to pull."
        )
        raise SourceError(EMPTY_RESULT, message, "date")
    return Aggregated(values_by_start, undated)


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list[FilterValue], key: str
) -> list[tuple[Any, ...]]:
    try:
        return con.execute(sql, parameters).fetchall()
    except duckdb.ConversionException as error:
        code = WRONG_TYPE if key == "where" else BAD_DATE
        raise SourceError(code, f"The records cannot be read: {first_line(error)}.", key) from None
    except duckdb.Error as error:
        message = f"The records cannot be aggregated: {first_line(error)}."
        raise SourceError(UNREADABLE_FILE, message, key) from None


def _types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    try:
        described = con.execute(f"DESCRIBE {VIEW}").fetchall()
    except duckdb.Error as error:
        raise SourceError(
            UNREADABLE_FILE, f"The records cannot be read: {first_line(error)}."
        ) from None
    return {str(name): str(kind) for name, kind, *_ in described}


def _column(name: str, types: dict[str, str], key: str) -> str:
    if name in types:
        return types[name]
    names = list(types)
    by_case = [n for n in names if n.casefold() == name.casefold()]
    close = by_case[0] if by_case else closest(name, names)
    hint = f"Did you mean '{close}'?" if close else f"The columns are {_listed(names)}."
    raise SourceError(UNKNOWN_COLUMN, f"Column '{short(name)}' is not in the records. {hint}", key)


def _listed(names: list[str]) -> str:
    shown = ", ".join(short(n) for n in names[:12])
    return shown + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def _date_expression(con: duckdb.DuckDBPyConnection, name: str, types: dict[str, str]) -> str:
    kind, column = _column(name, types, "date"), quote(name)
    if kind == "DATE":
        return column
    if kind.startswith("TIMESTAMP"):
        return f"CAST({column} AS DATE)"
    if kind != "VARCHAR":
        message = (
            f"Column '{short(name)}' holds {kind.lower()} values, not dates: expected dates like "
            "2026-03-31 (or date and time)."
        )
        raise SourceError(BAD_DATE, message, "date")
    text = f"NULLIF(trim({column}), '')"
    parsed = f"TRY_CAST({text} AS TIMESTAMP)"
    _first_bad(
        con,
        name,
        f"{text} IS NOT NULL AND {parsed} IS NULL",
        BAD_DATE,
        "a date like 2026-03-31",
        "date",
    )
    return f"CAST({parsed} AS DATE)"


def _value_expressions(
    con: duckdb.DuckDBPyConnection, source: Source, types: dict[str, str]
) -> str:
    keys = {
        "column": source.column,
        "numerator": source.numerator,
        "denominator": source.denominator,
    }
    parts = ["1 AS _one"]
    for key, name in keys.items():
        if name is not None:
            parts.append(f"{_number_expression(con, name, types, key)} AS _{key}")
    return ", ".join(parts)


def _number_expression(
    con: duckdb.DuckDBPyConnection, name: str, types: dict[str, str], key: str
) -> str:
    kind, column = _column(name, types, key), quote(name)
    if kind.startswith(_NUMBERS) or kind == "BOOLEAN":
        return f"CAST({column} AS DOUBLE)"
    if kind != "VARCHAR":
        message = f"Column '{short(name)}' holds {kind.lower()} values: expected numbers."
        raise SourceError(WRONG_TYPE, message, key)
    text = f"NULLIF(trim({column}), '')"
    parsed = f"TRY_CAST({text} AS DOUBLE)"
    _first_bad(con, name, f"{text} IS NOT NULL AND {parsed} IS NULL", WRONG_TYPE, "a number", key)
    return parsed


def _first_bad(
    con: duckdb.DuckDBPyConnection, name: str, bad: str, code: str, expected: str, key: str
) -> None:
    """Raise when a record's value in `name` is not `expected`, naming the first such value."""
    sql = (
        f"SELECT count(*) OVER (), _row, {quote(name)} FROM "
        f"(SELECT row_number() OVER () AS _row, * FROM {VIEW}) WHERE {bad} ORDER BY _row LIMIT 1"
    )
    found = _run(con, sql, [], key)
    if found:
        count, row, value = found[0]
        others = f" (and {count - 1:,} more)" if count > 1 else ""
        message = (
            f"Column '{short(name)}' holds '{short(str(value))}' in record {row:,}{others}: "
            f"expected {expected}. Correct the records, or leave the cell empty."
        )
        raise SourceError(code, message, key)


def _filters(
    where: dict[str, FilterValue | list[FilterValue]], types: dict[str, str]
) -> tuple[str, list[FilterValue]]:
    conditions, parameters = ["TRUE"], []
    for name, wanted in where.items():
        kind = _column(name, types, "where")
        values = wanted if isinstance(wanted, list) else [wanted]
        if kind == "VARCHAR":
            values = [_text(value) for value in values]
        conditions.append(f"{quote(name)} IN ({', '.join('?' for _ in values)})")
        parameters += values
    return " AND ".join(conditions), parameters


def _text(value: FilterValue) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _aggregate_expression(source: Source) -> str:
    below = "sum(_denominator)" if source.denominator else "count(*)"
    expression = {
        "count": "count(*)",
        "sum": "sum(_column)",
        "mean": "avg(_column)",
        "median": "median(_column)",
        "ratio": f"sum(_numerator) / nullif({below}, 0)",
    }[source.aggregate]
    return expression if source.scale == 1 else f"({expression}) * {source.scale!r}"


def _checked(value: Any, source: Source) -> float | None:
    return checked_number(
        value, source.decimals, f"The {source.aggregate} of a period", "aggregate"
    )


def checked_number(value: Any, decimals: int | None, subject: str, key: str) -> float | None:
    """A value as the snapshot holds it: finite, within ±10^15, rounded to `decimals`."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) > LARGEST:
        message = (
            f"{subject} is {number:g}: expected a finite number between -10^15 and 10^15. "
            "Use a larger unit."
        )
        raise SourceError(OUT_OF_RANGE, message, key)
    return round(number, decimals) if decimals is not None else number


def _empty_message(con: duckdb.DuckDBPyConnection, source: Source) -> str:
    total = con.execute(f"SELECT count(*) FROM {VIEW}").fetchone()
    count = int(total[0]) if total else 0
    if count and source.where:
        return f"None of the {count:,} records match where:, so there is nothing to pull."
    return "The source has no records: nothing to pull."

"""SQL sources: a query against a connection named in `mkdocs.yml` (`extra: pumpsite:
connections:`), or against DuckDB, embedded, when the source names none.

A connection is a URL. `${NAME}` in it is the environment variable NAME, read when the query
runs: a URL that is one placeholder (`${DATABASE_URL}`) is taken as the variable holds it, a
placeholder inside a URL is percent-encoded (a password may hold `@` or `/`). `duckdb:PATH`
opens a DuckDB database file (relative to the repository), read-only; any other URL goes to
SQLAlchemy, whose dialects reach PostgreSQL, Snowflake, BigQuery, Trino and the rest.

Without `date:` a query returns one row per period, in the columns `period` (a label like
2026-03, or any date inside the period) and `value`, and optionally `note`. With `date:` its
rows are raw records, aggregated as a file's are (`pumpsite.pull.records`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import duckdb

from pumpsite.periods import EXAMPLE_LABELS, Frequency, Period, containing, parse_period
from pumpsite.problems import short
from pumpsite.pull import records
from pumpsite.pull.problems import (
    BAD_DATE,
    CANNOT_CONNECT,
    DUPLICATE_PERIOD,
    EMPTY_RESULT,
    MISSING_ENV,
    QUERY_FAILED,
    UNKNOWN_COLUMN,
    WRONG_TYPE,
    SourceError,
)
from pumpsite.schema import PLACEHOLDER, Source


@dataclass(frozen=True, slots=True)
class PeriodValues:
    """What a query of periods returns: each period's value and note."""

    values: dict[Period, float | None]
    notes: dict[Period, str]


def expand(url: str, environ: Mapping[str, str], name: str) -> str:
    """The URL of connection `name` with its `${NAME}` placeholders filled in."""
    missing = sorted({var for var in PLACEHOLDER.findall(url) if var not in environ})
    if missing:
        var = missing[0]
        more = f" (and {', '.join(missing[1:])})" if len(missing) > 1 else ""
        message = (
            f"Connection '{short(name)}' needs the environment variable {var}{more}, which is not "
            f"set. Set it where pumpsite pull runs (in a workflow, from a secret: env: {var}: "
            f"${{{{ secrets.{var} }}}})."
        )
        raise SourceError(MISSING_ENV, message, "connection")
    if whole := PLACEHOLDER.fullmatch(url):
        return environ[whole[1]]
    return PLACEHOLDER.sub(lambda m: url_quote(environ[m[1]], safe=""), url)


def run_query(
    source: Source,
    frequency: Frequency,
    root: Path,
    url: str | None,
    scratch: Path,
) -> PeriodValues | records.Aggregated:
    """Run the source's query on DuckDB (`url` None or `duckdb:…`) or through SQLAlchemy."""
    if url is None or url.startswith("duckdb:"):
        return _duckdb_query(source, frequency, root, url)
    return _sqlalchemy_query(source, frequency, url, scratch)


def _duckdb_query(
    source: Source, frequency: Frequency, root: Path, url: str | None
) -> PeriodValues | records.Aggregated:
    assert source.query is not None
    database = (url or "duckdb:").removeprefix("duckdb:").removeprefix("//") or ":memory:"
    if database != ":memory:":
        database = str(root / database)
    try:
        con = records.connect(root, database)
    except duckdb.Error as error:
        message = f"Connection '{source.connection}' cannot be opened: {records.first_line(error)}."
        raise SourceError(CANNOT_CONNECT, message, "connection") from None
    with con:
        try:
            relation = con.sql(source.query)
        except duckdb.Error as error:
            raise _query_failed(error) from None
        if source.date is not None:
            relation.create_view(records.VIEW)
            return records.aggregate(con, source, frequency)
        try:
            rows = relation.fetchall()
        except duckdb.Error as error:
            raise _query_failed(error) from None
        return period_values(relation.columns, rows, source, frequency)


def _query_failed(error: BaseException | None) -> SourceError:
    return SourceError(QUERY_FAILED, f"The query fails: {records.first_line(error)}.", "query")


def _sqlalchemy_query(
    source: Source, frequency: Frequency, url: str, scratch: Path
) -> PeriodValues | records.Aggregated:
    import sqlalchemy
    from sqlalchemy import exc

    assert source.query is not None
    name = source.connection or ""
    try:
        parsed = sqlalchemy.engine.make_url(url)
        arguments = {"connect_timeout": 15} if parsed.get_backend_name() == "postgresql" else {}
        engine = sqlalchemy.create_engine(parsed, connect_args=arguments)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        message = f"Connection '{short(name)}' cannot be used: {records.first_line(error)}."
        raise SourceError(CANNOT_CONNECT, message, "connection") from None
    try:
        try:
            connection = engine.connect()
        except exc.DBAPIError as error:
            shown = parsed.render_as_string(hide_password=True)
            message = (
                f"Connection '{short(name)}' ({shown}) cannot be opened: "
                f"{records.first_line(error.orig)}."
            )
            raise SourceError(CANNOT_CONNECT, message, "connection") from None
        with connection:
            # The driver's own cursor: no parameters, so `%` and `:name` in the SQL stay as written.
            cursor: Any = connection.connection.cursor()  # DB-API: description may be None
            try:
                cursor.execute(source.query)
                if cursor.description is None:
                    message = "The query returns no rows: expected a SELECT query."
                    raise SourceError(QUERY_FAILED, message, "query")
                names = [str(column[0]) for column in cursor.description]
                if source.date is not None:
                    with records.connect(scratch) as con:
                        records.view_rows(con, names, _batches(cursor), scratch / "rows.csv")
                        return records.aggregate(con, source, frequency)
                rows = cursor.fetchall()
            except engine.dialect.loaded_dbapi.Error as error:
                raise _query_failed(error) from None
            finally:
                cursor.close()
    finally:
        engine.dispose()
    return period_values(names, [tuple(row) for row in rows], source, frequency)


def _batches(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while batch := cursor.fetchmany(10_000):
        yield from batch


# --- rows of period and value -----------------------------------------------------------------


def period_values(
    names: Sequence[str], rows: Sequence[tuple[Any, ...]], source: Source, frequency: Frequency
) -> PeriodValues:
    """A query's rows as one value (and note) per period."""
    lower = [name.lower() for name in names]
    if "period" not in lower or "value" not in lower:
        shown = ", ".join(short(n) for n in names[:12]) or "none"
        message = (
            f"The query returns the columns {shown}: expected period and value (and optionally "
            "note), one row per period. Name them with AS, or give date: to aggregate the rows "
            "as records."
        )
        raise SourceError(UNKNOWN_COLUMN, message, "query")
    if not rows:
        raise SourceError(EMPTY_RESULT, "The query returns no rows: nothing to pull.", "query")
    at = {key: lower.index(key) for key in ("period", "value", "note") if key in lower}
    values: dict[Period, float | None] = {}
    notes: dict[Period, str] = {}
    first_row: dict[Period, int] = {}
    for number, row in enumerate(rows, 1):
        period = _period(row[at["period"]], frequency, number)
        if period in first_row:
            message = (
                f"The query returns two rows for {period} (rows {first_row[period]:,} and "
                f"{number:,}): expected one row per period. Group by the period."
            )
            raise SourceError(DUPLICATE_PERIOD, message, "query")
        first_row[period] = number
        values[period] = _value(row[at["value"]], source, number)
        note = row[at["note"]] if "note" in at else None
        if note is not None and str(note).strip():
            notes[period] = str(note).strip()
    return PeriodValues(values, notes)


def _period(cell: Any, frequency: Frequency, row: int) -> Period:
    if isinstance(cell, datetime):
        return containing(cell.date(), frequency)
    if isinstance(cell, date):
        return containing(cell, frequency)
    text = str(cell) if isinstance(cell, str | int) and not isinstance(cell, bool) else None
    period = parse_period(text, frequency) if text is not None else None
    if period is None:
        message = (
            f"The query returns the period '{short(str(cell))}' in row {row:,}: expected a "
            f"{frequency} period like {EXAMPLE_LABELS[frequency]}, or a date."
        )
        raise SourceError(BAD_DATE, message, "query")
    return period


def _value(cell: Any, source: Source, row: int) -> float | None:
    if cell is None:
        return None
    number: Any = cell
    if isinstance(cell, str):
        try:
            number = float(cell.strip()) if cell.strip() else None
        except ValueError:
            number = cell
    if number is not None and (
        isinstance(number, bool) or not isinstance(number, int | float | Decimal)
    ):
        message = (
            f"The query returns the value '{short(str(cell))}' in row {row:,}: expected a number "
            "(or NULL for a missing value)."
        )
        raise SourceError(WRONG_TYPE, message, "query")
    subject = f"The value in row {row:,}"
    return records.checked_number(number, source.decimals, subject, "query")

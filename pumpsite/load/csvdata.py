"""Reading measure data: CSV files of periods and values, checked row by row.

Files are streamed (one pass, one row in memory at a time), decoded as UTF-8 with invalid bytes
kept as surrogates so that the first bad byte can be reported with its line while the good rows
still load. Line numbers are physical lines of the file, as an editor shows them.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pumpsite.load.text import UTF16_BOMS, encoding_problem, nul_problem, split_lines, utf16_problem
from pumpsite.model import Observation, Series
from pumpsite.numbers import Number, counted, foreign_digit, parse_number, plain_number
from pumpsite.periods import EXAMPLE_LABELS, Frequency, Period, detect_frequency, parse_period
from pumpsite.problems import (
    BAD_PERIOD_CELL,
    CELL_COUNT,
    CSV_SYNTAX,
    DECIMAL_COMMA,
    DUPLICATE_COLUMN,
    DUPLICATE_PERIOD,
    EMPTY_FILE,
    FAR_APART,
    NO_COLUMN,
    NO_HEADER,
    NOT_A_NUMBER,
    NOT_FINITE,
    NOT_TEXT,
    OTHER_FREQUENCY,
    SEPARATOR,
    THOUSANDS,
    TOO_LARGE,
    TOO_MANY_ROWS,
    TOO_SMALL,
    UNORDERED,
    UNREADABLE,
    WHICH_COLUMN,
    Problem,
    closest,
    short,
)

CENTURY: dict[Frequency, int] = {
    "daily": 36_525,
    "weekly": 5_218,
    "monthly": 1_200,
    "quarterly": 400,
    "yearly": 100,
}

FIELD_SIZE_LIMIT = 1_000_000
SMALL_FILE = FIELD_SIZE_LIMIT
"""Files up to this size are read whole (60 monthly rows are about 1 KB, a century of daily
data under 1 MB); a larger one is streamed, so that its size never decides the memory used."""
MAX_ROWS = 100_000
"""Rows of data per measure: a century of daily data is 36,525 rows, so this is room for any
real measure while keeping a build's work and memory per measure bounded."""
EXCEL_HINT = " (in Excel: Save As, CSV UTF-8)"
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_NEWLINE = re.compile("[\r\n]")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d", re.ASCII)
_YEAR_AS_NUMBER = re.compile(r"(\d{4})\.0+", re.ASCII)
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)


# --- numbers --------------------------------------------------------------------------------------


def number_message(text: str, column: str, number: Number) -> str:
    subject = f"Value '{short(text)}' in column '{short(column)}'"
    mean = f" Did you mean {number.suggestion}?" if number.suggestion else ""
    if number.code == NOT_FINITE:
        return f"{subject} is not a finite number: leave the cell empty for a missing value."
    if number.code == TOO_LARGE:
        return (
            f"{subject} is too large: expected a number between -10^15 and 10^15. "
            "Write the values in a larger unit (thousands, millions) and say so in unit:."
        )
    if number.code == TOO_SMALL:
        return (
            f"{subject} is too close to zero to store as written (a computer rounds it toward "
            "0): expected 0, or a number at least 10^-307 away from 0. Write the values in a "
            "smaller unit (thousandths, millionths) and say so in unit:."
        )
    if digit := foreign_digit(text):
        return f"{subject} contains {digit}: expected a number like 12.5.{mean}"
    if number.code == DECIMAL_COMMA:
        return f"{subject} uses a decimal comma: expected a decimal point.{mean}"
    if number.code == THOUSANDS:
        return f"{subject} uses a thousands separator: expected digits only.{mean}"
    return (
        f"{subject} is not a number: expected a number like 12.5, "
        f"or an empty cell for a missing value.{mean}"
    )


# --- rows -----------------------------------------------------------------------------------------


def _checked_lines(lines: Iterable[str], path: str, problems: list[Problem]) -> Iterator[str]:
    """Stop at a NUL byte; report the first undecodable byte and replace it."""
    reported = False
    for number, line in enumerate(lines, 1):
        if "\x00" in line:
            problems.append(nul_problem(path, number))
            return
        bad = _BAD_BYTE.search(line)
        if bad is not None:
            if not reported:
                column = len(line[: bad.start()].encode("utf-8", "surrogateescape")) + 1
                byte = ord(bad.group()) - 0xDC00
                problems.append(encoding_problem(path, number, column, byte, EXCEL_HINT))
                reported = True
            line = _BAD_BYTE.sub("\ufffd", line)
        yield line


@dataclass(slots=True)
class _Row:
    line: int  # the physical line the row starts on
    end: int  # and ends on (a quoted cell may span lines)
    cells: list[str]


@functools.cache
def _allow_large_cells() -> None:
    """Let a cell be up to FIELD_SIZE_LIMIT long (csv's default is 128 KB). The limit is the
    csv module's, for the whole process: set once, before the first file is read."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)


def _rows(lines: Iterable[str], path: str, problems: list[Problem]) -> Iterator[_Row]:
    """Non-blank CSV rows with their physical lines."""
    _allow_large_cells()
    reader = csv.reader(_checked_lines(lines, path, problems))
    end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(_csv_error(path, end + 1, error))  # where the bad row starts
            return
        start, end = end + 1, reader.line_num
        if "".join(cells).strip():
            yield _Row(start, end, cells)


def _csv_error(path: str, line: int, error: csv.Error) -> Problem:
    if "field larger than field limit" in str(error):
        message = (
            "A cell is longer than 1 MB: expected short cells. "
            'Look for a quote (") that is opened but never closed.'
        )
    else:
        message = f"The CSV cannot be read past this line: {error}."
    return Problem(path, line, CSV_SYNTAX, message)


def _names(cells: list[str]) -> str:
    shown = ", ".join(short(cell) for cell in cells[:12])
    return shown + ", …" if len(cells) > 12 else shown


@dataclass(frozen=True, slots=True)
class _Header:
    names: list[str]
    period: int
    value: int
    note: int | None


def _check_header(row: _Row, path: str, problems: list[Problem]) -> list[str] | None:
    """The column names, or None when the first row is no usable header."""
    names = [cell.strip() for cell in row.cells]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        kind = "semicolons" if ";" in names[0] else "tabs"
        message = (
            f"The file is separated by {kind}: expected commas, like period,value. "
            "Export it as CSV with commas (in Excel: CSV UTF-8 (Comma delimited))."
        )
        problems.append(Problem(path, row.line, SEPARATOR, message))
        return None
    if detect_frequency(names[0]) is not None:
        message = (
            f"The first row looks like data, not a header: expected column names like "
            f"period,value, got {','.join(short(name) for name in names[:3])}. Add a header row."
        )
        problems.append(Problem(path, row.line, NO_HEADER, message))
        return None
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name and name.casefold() in seen:
            first = seen[name.casefold()] + 1
            message = (
                f"Column '{short(name)}' appears twice in the header (columns {first} "
                f"and {i + 1}): expected unique names. Rename or remove one."
            )
            problems.append(Problem(path, row.line, DUPLICATE_COLUMN, message))
        seen.setdefault(name.casefold(), i)
    return names


def _find(names: list[str], wanted: str) -> int | None:
    matches = [i for i, name in enumerate(names) if name.casefold() == wanted]
    return matches[0] if matches else None


def _missing_column(row: _Row, names: list[str], column: str, path: str, how: str) -> Problem:
    close = closest(column, [n for n in names if n])
    close = close or next((n for n in names if n.casefold() == column.casefold()), None)
    hint = f" Did you mean '{short(close)}'?" if close else f" Add it, or {how}."
    message = (
        f"Column '{short(column)}' is not in the header: the columns are {_names(names)}.{hint}"
    )
    return Problem(path, row.line, NO_COLUMN, message)


# --- measure CSV files ----------------------------------------------------------------------------


def small_file(path: str | Path) -> bytes | None:
    """The bytes of the file at `path` when it has at most SMALL_FILE of them, else None.
    Raises OSError."""
    with open(path, "rb") as raw:
        data = raw.read(SMALL_FILE + 1)
    return data if len(data) <= SMALL_FILE else None


def read_measure_csv(
    path: Path, rel: str, column: str, frequency: Frequency
) -> tuple[Series | None, list[Problem]]:
    """A measure's series from its CSV file; None when the file gives no usable table."""
    problems: list[Problem] = []
    try:
        data = small_file(path)
        if data is not None:
            return read_measure_bytes(data, rel, column, frequency)
        with path.open("rb") as raw:
            if raw.read(2) in UTF16_BOMS:
                return None, [utf16_problem(rel, EXCEL_HINT)]
            raw.seek(0)
            text = io.TextIOWrapper(raw, "utf-8-sig", errors="surrogateescape", newline="")
            reader = _MeasureReader(rel, column, frequency, problems)
            series = reader.read(_rows(text, rel, problems))
    except OSError as error:
        return None, [Problem(rel, None, UNREADABLE, f"The file cannot be read: {error.strerror}.")]
    return series, problems


def read_measure_bytes(
    data: bytes, rel: str, column: str, frequency: Frequency
) -> tuple[Series | None, list[Problem]]:
    """A measure's series from the bytes of its CSV file, read exactly as `read_measure_csv`
    reads the file. Pure."""
    if data.startswith(UTF16_BOMS):
        return None, [utf16_problem(rel, EXCEL_HINT)]
    problems: list[Problem] = []
    reader = _MeasureReader(rel, column, frequency, problems)
    lines = _plain_lines(data)
    if lines is None:
        return _read_by_csv(data, rel, column, frequency)
    return reader.read_plain(lines), problems


def _read_by_csv(
    data: bytes, rel: str, column: str, frequency: Frequency
) -> tuple[Series | None, list[Problem]]:
    """`read_measure_bytes` through the csv module, which reads any file (the tests compare)."""
    problems: list[Problem] = []
    text = io.TextIOWrapper(io.BytesIO(data), "utf-8-sig", errors="surrogateescape", newline="")
    reader = _MeasureReader(rel, column, frequency, problems)
    return reader.read(_rows(text, rel, problems)), problems


def _plain_lines(data: bytes) -> list[str] | None:
    """The lines of a file the csv module would read as plain comma-separated cells, one row a
    line: valid UTF-8 without quotes, NUL bytes or a lone \\r (nearly every file); None for
    anything else, which the csv module reads."""
    if len(data) > FIELD_SIZE_LIMIT or b'"' in data or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    return text.split("\n")


def _plain_rows(lines: list[str]) -> Iterator[_Row]:
    """Non-blank rows of plain lines (see `_plain_lines`), as `_rows` gives them."""
    for number, line in enumerate(lines, 1):
        cells = line.split(",")
        if "".join(cells).strip():
            yield _Row(number, number, cells)


class _MeasureReader:
    def __init__(
        self, path: str, column: str, frequency: Frequency, problems: list[Problem]
    ) -> None:
        self.path = path
        self.column = column
        self.frequency = frequency
        self.century = CENTURY[frequency]  # periods further apart than this are reported
        self.problems = problems
        self.seen: dict[int, int] = {}  # period ordinal -> line
        self.latest: tuple[Period, int] | None = None
        self.unordered_reported = False
        self.jump_reported = False

    def problem(self, line: int, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, code, message))

    def read(self, rows: Iterator[_Row]) -> Series | None:
        header = self.start(next(rows, None))
        if header is None:
            return None
        observations = []
        for count, row in enumerate(rows, 1):
            if count > MAX_ROWS:
                self.problem(row.line, TOO_MANY_ROWS, _too_many_rows())
                break
            if (observation := self.observation(row, header)) is not None:
                observations.append(observation)
        return self.series(observations)

    def read_plain(self, lines: list[str]) -> Series | None:
        """`read` for plain lines (see `_plain_lines`), each line a row: the common row is read
        here, without a row object or a call; any other goes to `observation`."""
        first = next(_plain_rows(lines), None)
        header = self.start(first)
        if header is None or first is None:
            return None
        observations = []
        count, width, plain = 0, len(header.names), self.plain_observation
        for number in range(first.line + 1, len(lines) + 1):
            cells = lines[number - 1].split(",")
            wide = len(cells) == width
            if not (wide and cells[header.period].strip()) and not "".join(cells).strip():
                continue  # a blank row, which the csv module's reader skips
            count += 1
            if count > MAX_ROWS:
                self.problem(number, TOO_MANY_ROWS, _too_many_rows())
                break
            observation = plain(number, cells, header) if wide else None
            if observation is None:
                observation = self.checked_observation(_Row(number, number, cells), header)
            if observation is not None:
                observations.append(observation)
        return self.series(observations)

    def start(self, first: _Row | None) -> _Header | None:
        """The header in the first row; None (with the problem) when there is none."""
        if first is None:
            if not self.problems:
                message = (
                    "The file is empty: expected a header row like period,value "
                    "and one row per period."
                )
                self.problem(1, EMPTY_FILE, message)
            return None
        if any(p.code == NOT_TEXT for p in self.problems):
            return None  # the header is not text: a binary file or another encoding
        return self.header(first)

    def series(self, observations: list[Observation]) -> Series:
        observations.sort(key=lambda o: o.period.ordinal)
        return Series(self.path, self.column, tuple(observations))

    def observation(self, row: _Row, header: _Header) -> Observation | None:
        if len(row.cells) == len(header.names) and row.end == row.line:
            plain = self.plain_observation(row.line, row.cells, header)
            if plain is not None:
                return plain
        return self.checked_observation(row, header)

    def header(self, row: _Row) -> _Header | None:
        names = _check_header(row, self.path, self.problems)
        if names is None:
            return None
        value = names.index(self.column) if self.column in names else None
        if value is None:
            how = "set column: in the measure to the column that holds the values"
            self.problems.append(_missing_column(row, names, self.column, self.path, how))
            return None
        period = _find(names, "period")
        period = 0 if period is None else period
        if period == value:
            message = (
                f"Column '{self.column}' holds the values, so there is no period column: "
                "expected a column named 'period', or periods in the first column."
            )
            self.problem(row.line, NO_COLUMN, message)
            return None
        return _Header(names, period, value, _find(names, "note"))

    def plain_observation(self, line: int, cells: list[str], header: _Header) -> Observation | None:
        """The row's observation when it is the common case: a remembered period label, an empty
        or plainly written value, a period not seen before. None for anything else, which
        `checked_observation` reads (and words the problem of) from the start."""
        period_text = cells[header.period].strip()
        if len(period_text) > LONGEST_LABEL:
            return None
        period = _remembered_period(period_text, self.frequency)
        value_text = cells[header.value].strip()
        value = plain_number(value_text) if value_text else None
        if period is None or (value is None and value_text) or period.ordinal in self.seen:
            return None
        latest = self.latest
        if latest is not None and not 0 < period.ordinal - latest[0].ordinal <= self.century:
            self.in_order(line, period)  # not a duplicate: reports only an order or a jump
        else:  # what `in_order` does for the next period in order
            self.seen[period.ordinal] = line
            self.latest = (period, line)
        note = cells[header.note].strip() if header.note is not None else ""
        return Observation(period, value, note, line)

    def checked_observation(self, row: _Row, header: _Header) -> Observation | None:
        if row.end > row.line and any(_NEWLINE.search(cell) for cell in row.cells[:2]):
            message = (
                f'A quote (") on this line is not closed until line {row.end}: expected one row '
                "per line. Remove the stray quote."
            )
            self.problem(row.line, CSV_SYNTAX, message)
            return None
        cells = _padded(row.cells, header)
        if cells is None:
            self.problem(row.line, CELL_COUNT, _cell_count_message(row, header.names))
            return None
        period_text, value_text = cells[header.period], cells[header.value]
        period = self.period(row.line, period_text.strip(), header.names[header.period])
        valid, value = self.value(row.line, value_text.strip(), header.names[header.value])
        if period is None or not valid or not self.in_order(row.line, period):
            return None
        note = cells[header.note].strip() if header.note is not None else ""
        return Observation(period, value, note, row.line)

    def period(self, line: int, text: str, column: str) -> Period | None:
        label = _remembered_period if len(text) <= LONGEST_LABEL else _valid_period
        period = label(text, self.frequency)
        if period is not None:
            return period
        expected = (
            f"expected a {self.frequency} period like {EXAMPLE_LABELS[self.frequency]} (or a date)"
        )
        found = detect_frequency(text)
        if not text:
            message = f"The period in column '{short(column)}' is empty: {expected}."
            self.problem(line, BAD_PERIOD_CELL, message)
        elif found not in (None, "daily", self.frequency) and parse_period(text, found):
            message = (
                f"Period '{text}' is {found}, but the measure is {self.frequency}: "
                f"{expected}, got '{text}'."
            )
            self.problem(line, OTHER_FREQUENCY, message)
        else:
            message = (
                f"Invalid period in column '{short(column)}': {expected}, "
                f"got '{short(text)}'.{_period_hint(text, self.frequency)}"
            )
            self.problem(line, BAD_PERIOD_CELL, message)
        return None

    def value(self, line: int, text: str, column: str) -> tuple[bool, float | None]:
        """Whether the cell is valid, and its value (None for an empty cell)."""
        if not text:
            return True, None
        number = parse_number(text)
        if number.value is None:
            self.problem(line, number.code or NOT_A_NUMBER, number_message(text, column, number))
        return number.value is not None, number.value

    def in_order(self, line: int, period: Period) -> bool:
        """False for a duplicate period; reports the first period out of order."""
        if period.ordinal in self.seen:
            first = self.seen[period.ordinal]
            message = (
                f"Period {period} appears twice, on lines {first} and {line}: "
                "expected one row per period. Remove or merge one."
            )
            self.problem(line, DUPLICATE_PERIOD, message)
            return False
        self.seen[period.ordinal] = line
        if self.latest is None or period.ordinal > self.latest[0].ordinal:
            self.check_jump(line, period)
            self.latest = (period, line)
        elif not self.unordered_reported:
            latest, latest_line = self.latest
            message = (
                f"Period {period} comes after {latest} (line {latest_line}): "
                "periods must be in ascending order. Sort the rows by period."
            )
            self.problem(line, UNORDERED, message)
            self.unordered_reported = True
        return True

    def check_jump(self, line: int, period: Period) -> None:
        """Report the first jump of more than a century between rows: a typo in a year, which
        would also stretch the chart over every period in between."""
        if self.latest is None or self.jump_reported:
            return
        latest, latest_line = self.latest
        if period.ordinal - latest.ordinal > CENTURY[self.frequency]:
            years = period.start.year - latest.start.year
            message = (
                f"Period {period} comes {years} years after {latest} (line {latest_line}): "
                "expected periods close together. Is one of the years mistyped?"
            )
            self.problem(line, FAR_APART, message)
            self.jump_reported = True


def _valid_period(text: str, frequency: Frequency) -> Period | None:
    """The period a valid label names."""
    period = parse_period(text, frequency)
    if period is not None and "0001" <= text[:4] <= "9998":  # dates exist around the period
        return period
    return None


LONGEST_LABEL = 32
"""Labels up to this length are remembered (every measure repeats the same ones); a longer cell
is parsed each time, so a hostile file cannot fill `serve`'s memory with megabyte-long keys."""
_remembered_period = functools.lru_cache(maxsize=1 << 16)(_valid_period)


def _period_hint(text: str, frequency: Frequency) -> str:
    if digit := foreign_digit(text):
        return f" It contains {digit}."
    if m := _DATE_TIME.match(text):
        return f" Did you mean {m[1]}?"
    if frequency == "yearly" and (m := _YEAR_AS_NUMBER.fullmatch(text)):
        return f" Did you mean {m[1]}? Spreadsheets and pandas write years as numbers like {text}."
    if frequency == "weekly" and (m := _WEEK.fullmatch(text)):
        year, weeks = int(m[1]), date(int(m[1]), 12, 28).isocalendar().week
        if int(m[2]) > weeks:
            return f" {year} has {weeks} ISO weeks."
    return ""


def _too_many_rows() -> str:
    return (
        f"The file has more than {MAX_ROWS:,} rows of data: expected at most {MAX_ROWS:,} per "
        f"measure (a century of daily data is {CENTURY['daily']:,} rows). Move older rows to "
        "another file, or record the measure weekly or monthly instead."
    )


def _padded(cells: list[str], header: _Header) -> list[str] | None:
    """The row's cells, with missing trailing cells read as empty (hand-edited files leave them
    out); None when a cell is too many, or the period or value cell is missing."""
    width = len(header.names)
    if len(cells) > width or len(cells) <= max(header.period, header.value):
        return None if len(cells) != width else cells
    return cells + [""] * (width - len(cells))


def _cell_count_message(row: _Row, names: list[str]) -> str:
    count, width = len(row.cells), len(names)
    if count > width:
        hint = "Write numbers without commas (12.5, not 12,5) and quote text that contains one."
    elif count == 1 and ";" in row.cells[0]:
        hint = "Its cells are separated by semicolons: separate them with commas, like the header."
    else:
        hint = "Add the missing cells (a cell may be empty)."
    cells = counted(count, "cell")
    return f"The row has {cells}, expected {width} like the header ({_names(names)}). {hint}"


# --- a single series for `pumpsite xmr` -----------------------------------------------------------


Series3 = tuple[list[str], list[float | None], list[Problem]]
_NUMBER_LIKE = (None, NOT_FINITE, DECIMAL_COMMA, THOUSANDS, TOO_LARGE, TOO_SMALL)
"""What parsing a number written by a person gives: a number, or one written wrongly."""


def read_series_file(
    path: Path, column: str | None = None, frequency: Frequency | None = None
) -> Series3:
    """Labels and values from a file: see `read_series_text`."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        message = f"The file cannot be read: {error.strerror}."
        return [], [], [Problem(source, None, UNREADABLE, message)]
    return read_series_bytes(data, source, column, frequency)


def read_series_bytes(
    data: bytes, source: str, column: str | None = None, frequency: Frequency | None = None
) -> Series3:
    """Labels and values from bytes (a file, or standard input): see `read_series_text`."""
    if data.startswith(UTF16_BOMS):
        return [], [], [utf16_problem(source, EXCEL_HINT)]
    return read_series_text(data.decode("utf-8-sig", "surrogateescape"), source, column, frequency)


def read_series_text(
    text: str, source: str, column: str | None = None, frequency: Frequency | None = None
) -> Series3:
    """Labels and values from a CSV (a period and a value column) or from one number per line.

    A CSV is read as a measure's CSV is, by the same reader: the period column is `period` or
    the first column, periods in `frequency` (by default the frequency of the first period),
    one row per period in ascending order, a period with no row or an empty cell a gap (None),
    labelled with every period from the first to the last. The value column is `column`, else
    `value`, else the only numeric column; a CSV of only a value column is numbered "1".."n",
    like one number per line, where a blank line is a missing value.
    """
    problems: list[Problem] = []
    lines = split_lines(text.removeprefix("\ufeff"))
    first = next((line.strip() for line in lines if line.strip()), None)
    if first is None:
        message = "The input is empty: expected a CSV with a header like period,value, or numbers."
        return [], [], [Problem(source, 1, EMPTY_FILE, message)]
    if parse_number(first).code in _NUMBER_LIKE:
        labels, values = _read_numbers(lines, source, problems)
    else:
        rows = list(_rows(lines, source, problems))
        labels, values = _read_table(rows, source, column, frequency, problems)
    if not values and not problems:
        message = "The input has a header but no values: expected rows like 2026-01,12.5 below it."
        problems.append(Problem(source, 1, EMPTY_FILE, message))
    return labels, values, problems


def _read_numbers(
    lines: list[str], source: str, problems: list[Problem]
) -> tuple[list[str], list[float | None]]:
    cells = [line.strip() for line in _checked_lines(lines, source, problems)]
    first = next(i for i, cell in enumerate(cells) if cell) if any(cells) else 0
    last = max((i for i, cell in enumerate(cells) if cell), default=-1)
    values: list[float | None] = []
    for i in range(first, last + 1):
        values.append(_series_value(cells[i], "value", i + 1, source, problems))
    return [str(n) for n in range(1, len(values) + 1)], values


def _series_value(
    text: str, column: str, line: int, source: str, problems: list[Problem]
) -> float | None:
    if not text:
        return None
    number = parse_number(text)
    if number.value is None:
        code = number.code or NOT_A_NUMBER
        problems.append(Problem(source, line, code, number_message(text, column, number)))
    return number.value


def _read_table(
    rows: list[_Row],
    source: str,
    column: str | None,
    frequency: Frequency | None,
    problems: list[Problem],
) -> tuple[list[str], list[float | None]]:
    if not rows:
        return [], []
    names = _check_header(rows[0], source, problems)
    if names is None:
        return [], []
    value = _value_column(rows, names, source, column, problems)
    if value is None:
        return [], []
    named = _find(names, "period")
    period = 0 if named is None else named
    if period == value:
        return _numbered(rows, names[value], value, source, problems)
    frequency = frequency or _first_frequency(rows, names, period, source, problems)
    if frequency is None:
        return [], []
    found: list[Problem] = []  # apart: the reader takes an encoding problem for its header's
    series = _MeasureReader(source, names[value], frequency, found).read(iter(rows))
    problems += found
    if series is None:
        return [], []
    periods, values = series.values_by_period()
    return [str(p) for p in periods], values


def _numbered(
    rows: list[_Row], name: str, value: int, source: str, problems: list[Problem]
) -> tuple[list[str], list[float | None]]:
    """A CSV of only a value column: its rows numbered from 1, like one number per line."""
    cells = [(row.cells[value] if value < len(row.cells) else "", row.line) for row in rows[1:]]
    values = [_series_value(cell.strip(), name, line, source, problems) for cell, line in cells]
    return [str(n) for n in range(1, len(values) + 1)], values


def _first_frequency(
    rows: list[_Row], names: list[str], period: int, source: str, problems: list[Problem]
) -> Frequency | None:
    """The frequency the first period is written in (a date: daily); None, with a problem,
    when it is no period."""
    first = rows[1] if len(rows) > 1 else None
    if first is None:
        return "monthly"  # no rows: the reader has nothing to read in any frequency
    text = first.cells[period].strip() if period < len(first.cells) else ""
    found = detect_frequency(text)
    if found is None:
        examples = ", ".join(EXAMPLE_LABELS[f] for f in ("monthly", "weekly", "quarterly"))
        message = (
            f"Invalid period in column '{short(names[period])}': expected a period like "
            f"{examples}, 2026 or a date, got '{short(text)}'. Or give one number per line."
        )
        problems.append(Problem(source, first.line, BAD_PERIOD_CELL, message))
    return found


def _value_column(
    rows: list[_Row], names: list[str], source: str, column: str | None, problems: list[Problem]
) -> int | None:
    if column is not None:
        if column in names:
            return names.index(column)
        problems.append(_missing_column(rows[0], names, column, source, "choose one with --column"))
        return None
    value = _find(names, "value")
    if value is not None:
        return value
    period, note = _find(names, "period"), _find(names, "note")
    others = [i for i in range(len(names)) if i != period and i != note]
    numeric = [i for i in others if _is_numeric(rows[1:], i)]
    if len(numeric) == 1:
        return numeric[0]
    message = (
        f"No column is named 'value' and {len(numeric) or 'no'} columns hold numbers: "
        f"expected one value column, got {_names(names)}. Choose one with --column."
    )
    problems.append(Problem(source, rows[0].line, WHICH_COLUMN, message))
    return None


def _is_numeric(rows: list[_Row], index: int) -> bool:
    cells = [row.cells[index].strip() for row in rows if index < len(row.cells)]
    filled = [cell for cell in cells if cell]
    return bool(filled) and all(parse_number(cell).value is not None for cell in filled)

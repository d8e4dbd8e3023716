"""Numbers as people write and read them: a cell parsed as a number (or why it is none), and
the display of values, which are stored unrounded and rounded only here, for people."""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pumpsite.problems import (
    DECIMAL_COMMA,
    NOT_A_NUMBER,
    NOT_FINITE,
    THOUSANDS,
    TOO_LARGE,
    TOO_SMALL,
)

MAX_DECIMALS = 4
MAX_SPREAD_DECIMALS = 15
"""Limits of a process that hardly varies may need more decimals than data is read with."""
LARGEST = 1e15
"""Values and targets stay within ±10^15: beyond it a double no longer holds every whole number,
and a chart scaled to it draws everyone else's data as a flat line. Use a larger unit instead."""
SMALLEST = sys.float_info.min
"""The smallest size a non-zero value may have: below it a double loses digits, then becomes 0."""


def data_decimals(values: Iterable[float | None]) -> int:
    """The number of decimals the data is written with (as far as floats tell)."""
    return _decimals(values if isinstance(values, tuple) else tuple(values))


@lru_cache(maxsize=256)
def _decimals(values: tuple[float | None, ...]) -> int:
    # Cached: the reading, the chart and the pages ask this of the same series dozens of times.
    most = 0
    for value in values:
        if value is None:
            continue
        text = f"{value:.{MAX_DECIMALS}f}".rstrip("0")
        most = max(most, len(text.split(".")[1]) if "." in text else 0)
    return most


def display_decimals(values: Iterable[float | None], extra: int = 1) -> int:
    """The data's precision plus `extra` digits (`pumpsite xmr` and `pumpsite diff`)."""
    return min(data_decimals(values) + extra, MAX_DECIMALS)


def spread_decimals(sigma: float) -> int:
    """Decimals for limits and central lines, chosen from the process's spread: one significant
    digit of sigma (a third of the distance from the central line to a limit). A central line
    and its limits, three sigma apart, then always look different, and no digit shown is noise:
    0.6 to 1.4 days, 1.0 on average, not 0.567 to 1.449 days, 1.008 on average. Never fewer
    than 0 decimals; without a spread (sigma 0) `MAX_DECIMALS`."""
    if not sigma > 0 or not math.isfinite(sigma):
        return MAX_DECIMALS
    return min(max(0, -math.floor(math.log10(sigma))), MAX_SPREAD_DECIMALS)


def _no_negative_zero(value: float, decimals: int) -> float:
    return 0.0 if round(value, decimals) == 0 else value


def fmt(value: float | None, decimals: int) -> str:
    """For people: thousands grouped with a thin space, e.g. 5 082.28."""
    if value is None:
        return ""
    return f"{_no_negative_zero(value, decimals):,.{decimals}f}".replace(",", "\u2009")


def fmt_plain(value: float | None, decimals: int) -> str:
    """Without grouping: for tables and machine-readable text."""
    if value is None:
        return ""
    return f"{_no_negative_zero(value, decimals):.{decimals}f}"


def as_written(value: float) -> str:
    """The shortest decimal of a value, as a person would have written it: 0, -4.32, 1e-05."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def counted(count: int, noun: str) -> str:
    """`1 measure`, `2 measures`, `0 measures`: a count with its (regular) noun."""
    return f"{count} {noun}{'s' * (count != 1)}"


def listed(items: Sequence[str], most: int = 3) -> str:
    """`a, b and c`; past `most` items, `a, b, c and 1,997 more`: a message stays short however
    many items there are."""
    shown, rest = list(items[:most]), len(items) - most
    if rest > 0:
        return f"{', '.join(shown)} and {rest:,} more"
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)


# --- numbers as people write them -----------------------------------------------------------------


def foreign_digit(text: str) -> str | None:
    """The first character that reads as a digit but is not one of 0-9 (`١`, `１`, `²`), named
    so that a reader can tell it from the digit it looks like: `'１' (FULLWIDTH DIGIT ONE), which
    is not one of the digits 0-9`."""
    for char in text:
        if char.isnumeric() and not char.isascii():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return f"'{char}' ({name}), which is not one of the digits 0-9"
    return None


def ascii_digits(text: str) -> str:
    """`text` with the decimal digits of every script written as 0-9 (superscripts stay)."""
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text
    )


def unstorable(text: str, value: float) -> Literal["overflow", "underflow"] | None:
    """Whether a number written as `text` was not stored as written: `overflow` when it became
    infinite, `underflow` when a non-zero number became 0 or lost digits near 0 (`1e-400`)."""
    if SMALLEST <= abs(value) <= sys.float_info.max:
        return None  # nearly every number: stored as written
    if math.isinf(value) and "inf" not in text.lower():
        return "overflow"
    mantissa = text.lower().partition("e")[0]
    if (value == 0 and mantissa.strip("+-0.")) or 0 < abs(value) < SMALLEST:
        return "underflow"
    return None


# --- parsing -------------------------------------------------------------------------------------

# re.ASCII: \d is 0-9 only; Python's \d would take the digits of other scripts (١٢٣, １２３)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([,'\u00a0\u202f ])\d{3})(?:\1\d{3})*(?:\.\d+)?", re.ASCII)
_GROUPED_DECIMAL_COMMA = re.compile(
    r"[+-]?\d{1,3}(?:([.'\u00a0\u202f ])\d{3})(?:\1\d{3})*,\d+", re.ASCII
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Number:
    """A cell read as a number: the value, or why it is none and what was probably meant."""

    value: float | None
    code: str | None = None
    suggestion: str | None = None


def plain_number(text: str) -> float | None:
    """The value of a cell written plainly (12.5, -3, 1e3) and stored as written, as
    `parse_number` reads it; None when `parse_number` must look closer (anything else, zero, or
    a number beyond the limits). The fast path for the rows of a CSV file."""
    if _NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if SMALLEST <= abs(value) <= LARGEST else None


def parse_number(text: str) -> Number:
    """Parse a non-empty, stripped cell as a finite number written with the digits 0-9."""
    if _NUMBER.fullmatch(text):
        value = float(text)
        if unstorable(text, value) == "underflow":
            return Number(None, TOO_SMALL)
        return Number(value) if abs(value) <= LARGEST else Number(None, TOO_LARGE)
    if foreign_digit(text):
        plain = ascii_digits(text)
        return Number(None, NOT_A_NUMBER, plain if _NUMBER.fullmatch(plain) else None)
    if _NON_FINITE.fullmatch(text):
        return Number(None, NOT_FINITE)
    if grouped := _GROUPED.fullmatch(text):
        return Number(None, THOUSANDS, text.replace(grouped[1], ""))
    if grouped := _GROUPED_DECIMAL_COMMA.fullmatch(text):
        return Number(None, DECIMAL_COMMA, text.replace(grouped[1], "").replace(",", "."))
    if _DECIMAL_COMMA.fullmatch(text):
        return Number(None, DECIMAL_COMMA, text.replace(",", "."))
    if text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip()):
        return Number(None, NOT_A_NUMBER, text[:-1].strip())
    return Number(None, NOT_A_NUMBER)

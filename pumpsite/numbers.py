"""Display of numbers: values are stored unrounded and rounded only here, for people."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

MAX_DECIMALS = 4
LARGEST = 1e15
"""Values and targets stay within ±10^15: beyond it a double no longer holds every whole number,
and a chart scaled to it draws everyone else's data as a flat line. Use a larger unit instead."""


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
    """Limits are shown to the data's precision plus `extra` digits (one on the site)."""
    return min(data_decimals(values) + extra, MAX_DECIMALS)


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


def counted(count: int, noun: str) -> str:
    """`1 measure`, `2 measures`, `0 measures`: a count with its (regular) noun."""
    return f"{count} {noun}{'s' * (count != 1)}"

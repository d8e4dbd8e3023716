"""Exact sides of lines: which side of a limit, a central line or a halfway line a value is on.

Values are decimals (they come from decimal text) and lines are exact rationals (means and
multiples of them), so a value exactly on a line is on it, never above or below it by binary
floating-point chance. Comparing exactly all the time would be slow, and is not needed: a value's
float is its decimal correctly rounded (the CSV reader parses correctly; the shortest `repr` of
a float reads back as it), a line's float is its rational correctly rounded (`float(Fraction)`),
and rounding never reverses an order. So when the two floats differ, they are in the order of
the exact numbers; only when they are equal does the exact comparison decide.

Pure; no dependency on the rest of pumpsite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


def decimal_of(value: float) -> Fraction:
    """The exact decimal a value stands for: the shortest one that reads back as this float
    (for a value read from `28.90`, exactly 289/10)."""
    return Fraction(repr(float(value)))


def scaled(values: Sequence[float]) -> tuple[list[int], int]:
    """The values as whole numbers over one power of ten: `values[k] == ints[k] / 10**scale`
    exactly, each read as `decimal_of` reads it. Sums and differences of these are exact and
    cheap, which is what means and moving ranges need."""
    parts = [_decimal_parts(value) for value in values]
    scale = max((exponent for _, exponent in parts), default=0)
    return [digits * 10 ** (scale - exponent) for digits, exponent in parts], scale


def _decimal_parts(value: float) -> tuple[int, int]:
    """(digits, exponent) with value == digits / 10**exponent, exponent >= 0."""
    text = repr(float(value))  # an int (a target read from YAML) as a float: 15.0
    if "e" not in text:  # nearly always: 28.9, -0.5, 95.0
        point = text.index(".")
        return int(text[:point] + text[point + 1 :]), len(text) - point - 1
    mantissa, _, power = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    exponent = len(fraction) - int(power or 0)
    digits = int(whole + fraction)
    return (digits, exponent) if exponent >= 0 else (digits * 10**-exponent, 0)


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a chart: exactly numerator / denominator (denominator > 0, not necessarily in
    lowest terms), and that ratio correctly rounded to a float."""

    numerator: int
    denominator: int
    value: float

    @classmethod
    def ratio(cls, numerator: int, denominator: int) -> Line:
        """Int true division is correctly rounded, so `value` is the float nearest the line."""
        return cls(numerator, denominator, numerator / denominator)

    @classmethod
    def of(cls, exact: Fraction) -> Line:
        return cls.ratio(exact.numerator, exact.denominator)

    @classmethod
    def at(cls, value: float) -> Line:
        """The line at a number written in decimal (a target, a boundary, a hand-made limit)."""
        digits, exponent = _decimal_parts(value)
        return cls(digits, 10**exponent, value)

    @property
    def exact(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)


def side(value: float, line: Line) -> int:
    """+1 when the value is above the line, -1 below, 0 exactly on it."""
    if value != line.value:
        return 1 if value > line.value else -1
    digits, exponent = _decimal_parts(value)
    return _sign(digits, exponent, line)


def _sign(digits: int, exponent: int, line: Line) -> int:
    """The sign of digits / 10**exponent − line, in whole numbers."""
    difference: int = digits * line.denominator - line.numerator * 10**exponent
    return (difference > 0) - (difference < 0)


def sides(values: Sequence[float | None], line: Line) -> list[int | None]:
    """`side` of each value (None for a missing one), at the speed of a float comparison."""
    at = line.value
    return [None if v is None else 1 if v > at else -1 if v < at else side(v, line) for v in values]


def above(value: float, line: Line) -> bool:
    return side(value, line) > 0


def below(value: float, line: Line) -> bool:
    return side(value, line) < 0


def range_side(previous: float, current: float, line: Line) -> int:
    """The side of the moving range |current − previous| (of the two decimals) against a line.

    The float difference can be off the exact one by a few units in the last place of its
    operands; only a range within that distance of the line is worked out exactly.
    """
    spread = abs(current - previous)
    slack = math.ulp(previous) + math.ulp(current) + math.ulp(spread) + math.ulp(line.value)
    if abs(spread - line.value) > slack:
        return 1 if spread > line.value else -1
    (later, earlier), scale = scaled([current, previous])
    return _sign(abs(later - earlier), scale, line)

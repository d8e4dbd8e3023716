"""Periods: the time buckets a measure is reported in (day, ISO week, month, quarter, year).

A period is a frequency and an ordinal, so consecutive periods differ by one and a gap in the data
is a jump of more than one. Labels are the ISO-like forms people type in CSV files:
`2026-03-31`, `2026-W09`, `2026-03`, `2026-Q1`, `2026`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)

# re.ASCII: \d is 0-9 only, not the digits of other scripts (٢٠٢٦, ２０２６)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q(\d)$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)

EXAMPLE_LABELS: dict[Frequency, str] = {
    "daily": "2026-03-31",
    "weekly": "2026-W09",
    "monthly": "2026-03",
    "quarterly": "2026-Q1",
    "yearly": "2026",
}


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One period of a given frequency; ordering and arithmetic are by ordinal."""

    frequency: Frequency
    ordinal: int

    @property
    def start(self) -> date:
        """The first day of the period."""
        f, n = self.frequency, self.ordinal
        if f == "daily":
            return date.fromordinal(n)
        if f == "weekly":
            return date.fromordinal(n * 7 + 1)  # ordinal 1 is Monday 0001-01-01
        if f == "monthly":
            return date(n // 12, n % 12 + 1, 1)
        if f == "quarterly":
            return date(n // 4, (n % 4) * 3 + 1, 1)
        return date(n, 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return (self + 1).start - timedelta(days=1)

    @property
    def label(self) -> str:
        start = self.start
        if self.frequency == "daily":
            return start.isoformat()
        if self.frequency == "weekly":
            year, week, _ = start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        if self.frequency == "monthly":
            return f"{start.year:04d}-{start.month:02d}"
        if self.frequency == "quarterly":
            return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
        return f"{start.year:04d}"

    def __add__(self, steps: int) -> Period:
        return Period(self.frequency, self.ordinal + steps)

    def __sub__(self, other: Period) -> int:
        if other.frequency != self.frequency:
            raise ValueError("cannot subtract periods of different frequencies")
        return self.ordinal - other.ordinal

    def __str__(self) -> str:
        return self.label


def containing(day: date, frequency: Frequency) -> Period:
    """The period of `frequency` that contains `day`."""
    if frequency == "daily":
        return Period(frequency, day.toordinal())
    if frequency == "weekly":
        monday = day - timedelta(days=day.weekday())
        return Period(frequency, (monday.toordinal() - 1) // 7)
    if frequency == "monthly":
        return Period(frequency, day.year * 12 + day.month - 1)
    if frequency == "quarterly":
        return Period(frequency, day.year * 4 + (day.month - 1) // 3)
    return Period(frequency, day.year)


def detect_frequency(text: str) -> Frequency | None:
    """The frequency a label is written in, or None when it is no period label at all."""
    text = text.strip()
    if _DAY.match(text):
        return "daily"
    if _WEEK.match(text):
        return "weekly"
    if _MONTH.match(text):
        return "monthly"
    if _QUARTER.match(text):
        return "quarterly"
    if _YEAR.match(text):
        return "yearly"
    return None


def parse_label(text: str) -> Period | None:
    """Parse a label in its own frequency (`2026-03` is a month); None if it is not a label."""
    text = text.strip()
    try:
        if m := _DAY.match(text):
            return containing(date(int(m[1]), int(m[2]), int(m[3])), "daily")
        if m := _WEEK.match(text):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return containing(monday, "weekly")
        if m := _MONTH.match(text):
            return containing(date(int(m[1]), int(m[2]), 1), "monthly")
        if (m := _QUARTER.match(text)) and 1 <= int(m[2]) <= 4:
            return Period("quarterly", int(m[1]) * 4 + int(m[2]) - 1)
        if m := _YEAR.match(text):
            return Period("yearly", int(m[1]))
    except ValueError:
        return None
    return None


def parse_period(text: str, frequency: Frequency) -> Period | None:
    """Parse a label as a period of `frequency`.

    The label must be written in that frequency, except that a full date is accepted for any
    frequency and means the period containing it (spreadsheets often key months by their last day).
    Returns None when the label is invalid or written in another frequency.
    """
    period = parse_label(text)
    if period is None:
        return None
    if period.frequency == frequency:
        return period
    if period.frequency == "daily":
        return containing(period.start, frequency)
    return None


def last_full_period(day: date, frequency: Frequency) -> Period:
    """The last period of `frequency` that is over before `day`: on 2026-11-23, October 2026
    (monthly), week 47 (weekly), 2026-Q3 (quarterly), 2025 (yearly), 22 Nov 2026 (daily)."""
    return containing(day, frequency) + (-1)


def quarter_of(day: date) -> Period:
    return containing(day, "quarterly")

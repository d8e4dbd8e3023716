"""Long real-looking series, made deterministically: 44 years of weekly values with a trend and a
season (like atmospheric CO2), the season alone, and their CSV text.

The noise comes from `random.Random(seed).random()`, whose sequence Python keeps the same across
versions for a given seed (unlike `gauss`), summed three at a time for a bell shape.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

WEEKS = 2_284
"""Weekly values from 1983 to week 47 of 2026: 44 years."""
LAST_WEEK = date(2026, 11, 16)
"""Monday of ISO week 47 of 2026, the last full week before the report date 2026-11-23."""
WEEKS_A_YEAR = 365.2425 / 7


def _noise(rng: random.Random, size: float) -> float:
    return size * (rng.random() + rng.random() + rng.random() - 1.5)


def trending(count: int = WEEKS, seed: int = 7) -> list[float | None]:
    """340 ppm rising 1.8 a year, with a season of ±3 and noise: every value after the first
    years is beyond limits computed from the first 20 weeks."""
    rng = random.Random(seed)
    return [
        round(340 + 0.035 * t + 3 * math.sin(2 * math.pi * t / WEEKS_A_YEAR) + _noise(rng, 0.8), 2)
        for t in range(count)
    ]


def seasonal(count: int = WEEKS, seed: int = 11) -> list[float | None]:
    """A level of 200 with a season of ±40 and noise of a few units, no trend: limits from the
    first 20 weeks cover a part of one season."""
    rng = random.Random(seed)
    return [
        round(200 + 40 * math.sin(2 * math.pi * t / WEEKS_A_YEAR) + _noise(rng, 6), 1)
        for t in range(count)
    ]


def week_labels(count: int, last: date = LAST_WEEK) -> list[str]:
    """ISO week labels (2026-W47) of `count` weeks ending with the week of `last`."""
    first = last - timedelta(weeks=count - 1)
    labels = []
    for k in range(count):
        year, week, _ = (first + timedelta(weeks=k)).isocalendar()
        labels.append(f"{year:04d}-W{week:02d}")
    return labels


def csv_text(values: list[float | None], labels: list[str]) -> str:
    rows = (f"{label},{'' if v is None else v}\n" for label, v in zip(labels, values, strict=True))
    return "period,value\n" + "".join(rows)

"""Regenerate the example repository's data, data/*.csv: deterministic, standard library only.

Run from anywhere:

    python scripts/make_example_data.py           # write data/*.csv, then check the stories
    python scripts/make_example_data.py --check   # fail if the committed files differ

Each series is seeded noise around the levels of its story (see the measure files under
measures/). `verify()` recomputes the XmR limits (X̄ ± 2.66·mR̄ from the first 20 points,
URL = 3.268·mR̄) and the signals, and fails if a story no longer holds, so a change to a seed
or a level cannot silently turn the example into a different one.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

Value = float | None


# --- periods -------------------------------------------------------------------------------


def months(first: str, last: str) -> list[str]:
    """Month labels from `first` to `last` inclusive, like 2024-01."""
    year, month = map(int, first.split("-"))
    labels = []
    while True:
        label = f"{year:04d}-{month:02d}"
        labels.append(label)
        if label == last:
            return labels
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def weeks(first: str, last: str) -> list[str]:
    """ISO week labels from `first` to `last` inclusive, like 2026-W09."""
    year, week = first.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    labels = []
    while True:
        iso = monday.isocalendar()
        label = f"{iso.year:04d}-W{iso.week:02d}"
        labels.append(label)
        if label == last:
            return labels
        monday += timedelta(days=7)


MONTHS = months("2024-01", "2026-10")  # the last complete month before 2026-11-23
WEEKS = weeks("2024-W27", "2026-W47")  # 2026-W47 ends on Sunday 2026-11-22


# --- series ----------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    periods: list[str]
    values: list[Value]
    decimals: int
    notes: dict[str, str] = field(default_factory=dict)

    def index(self, period: str) -> int:
        return self.periods.index(period)

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["period", "value", "note"] if self.notes else ["period", "value"])
        for period, value in zip(self.periods, self.values, strict=True):
            text = "" if value is None else f"{value:.{self.decimals}f}"
            writer.writerow([period, text, self.notes.get(period, "")][: 3 if self.notes else 2])
        return out.getvalue()


def noisy(rng: random.Random, level: float, sd: float, decimals: int, floor: float = 0.0) -> float:
    return round(max(floor, level + rng.gauss(0.0, sd)), decimals)


def customer_complaints(seed: int) -> Series:
    """About 20 a month (15-25); the customer success programme (March 2026) moves it to ~15."""
    rng = random.Random(seed)
    values: list[Value] = []
    for period in MONTHS:
        level, sd = (20.0, 1.8) if period < "2026-03" else (15.0, 1.2)
        values.append(noisy(rng, level, sd, 0))
    notes = {"2026-01": "Complaint categories recoded this month; the count is unaffected"}
    return Series("customer-complaints", MONTHS, values, 0, notes)


def downtime_percent(seed: int) -> Series:
    """About 7% a week (2-12%); one power failure; the module upgrade (2026-W24) brings ~4.2%."""
    rng = random.Random(seed)
    values: list[Value] = []
    for period in WEEKS:
        level, sd = (7.0, 1.75) if period < "2026-W24" else (4.2, 0.85)
        values.append(noisy(rng, level, sd, 1, floor=0.3))
    values[WEEKS.index("2024-W38")] = 16.0  # 11.5 hours of 72
    notes = {"2024-W38": "Power failure at the hosting provider: 11.5 hours down"}
    return Series("downtime-percent", WEEKS, values, 1, notes)


def response_time_days(seed: int) -> Series:
    """About 1 working day (0.5-1.5), predictable; November 2025 was lost in a migration."""
    rng = random.Random(seed)
    values: list[Value] = [noisy(rng, 1.0, 0.15, 2) for _ in MONTHS]
    values[MONTHS.index("2025-11")] = None
    notes = {"2025-11": "Ticketing system migration: first-reply times not recorded"}
    return Series("response-time-days", MONTHS, values, 2, notes)


def customer_churn(seed: int) -> Series:
    """About 4% a month, creeping up from February 2026 (after the price change) to ~4.8%."""
    rng = random.Random(seed)
    values: list[Value] = []
    for period in MONTHS:
        if period < "2026-02":
            values.append(noisy(rng, 4.0, 0.22, 2))
        else:
            step = MONTHS.index(period) - MONTHS.index("2026-02")
            values.append(noisy(rng, 4.35 + 0.06 * step, 0.15, 2))
    return Series("customer-churn", MONTHS, values, 2)


def customer_satisfaction(seed: int) -> Series:
    """About 93% satisfied, steady above 90%."""
    rng = random.Random(seed)
    values: list[Value] = [noisy(rng, 93.0, 0.6, 1) for _ in MONTHS]
    return Series("customer-satisfaction", MONTHS, values, 1)


def new_customers(seed: int) -> Series:
    """About 45 a month; the partner referral programme (July 2026) lifts it to ~55."""
    rng = random.Random(seed)
    values: list[Value] = []
    for period in MONTHS:
        level, sd = (45.0, 3.3) if period < "2026-07" else (55.0, 2.5)
        values.append(noisy(rng, level, sd, 0))
    notes = {"2025-12": "Holiday month: sales team at half strength"}
    return Series("new-customers", MONTHS, values, 0, notes)


# --- XmR arithmetic, independent of pumpsite -------------------------------------------------


@dataclass(frozen=True)
class Limits:
    center: float
    mr: float
    lower: float
    upper: float
    url: float

    @property
    def halfway(self) -> tuple[float, float]:
        return self.center - 1.33 * self.mr, self.center + 1.33 * self.mr

    @property
    def two_sigma(self) -> tuple[float, float]:
        return self.center - 2.66 * self.mr * 2 / 3, self.center + 2.66 * self.mr * 2 / 3

    def __str__(self) -> str:
        return (
            f"centre {self.center:.2f}, limits {self.lower:.2f} to {self.upper:.2f} "
            f"(mR̄ {self.mr:.3f}, URL {self.url:.2f})"
        )


def limits(
    values: Sequence[Value], start: int = 0, size: int = 20, excluded: frozenset[int] = frozenset()
) -> Limits:
    """Limits from the first `size` usable values from `start`; moving ranges only between
    neighbours that are both in the baseline."""
    usable = [i for i in range(start, len(values)) if values[i] is not None and i not in excluded]
    base = usable[:size]
    members = set(base)
    xs = [v for i in base if (v := values[i]) is not None]
    ranges = [abs(_v(values, i) - _v(values, i - 1)) for i in base if i - 1 in members]
    center, mr = statistics.fmean(xs), statistics.fmean(ranges)
    return Limits(center, mr, center - 2.66 * mr, center + 2.66 * mr, 3.268 * mr)


def _v(values: Sequence[Value], i: int) -> float:
    value = values[i]
    assert value is not None
    return value


WHEELER = frozenset({"beyond", "mr", "run", "three_of_four"})
EVERY_RULE = WHEELER | {"two_of_three", "trend"}


def signals(
    values: Sequence[Value],
    lim: Limits,
    start: int,
    end: int,
    run_length: int = 8,
    rules: frozenset[str] = WHEELER,
) -> dict[str, list[tuple[int, ...]]]:
    """Points carrying each signal in values[start:end]: the Wheeler rules by default, plus the
    NHS trend (7) and two-of-three rules with `rules=EVERY_RULE`."""
    found: dict[str, list[tuple[int, ...]]] = {}

    def add(rule: str, points: Sequence[int]) -> None:
        if rule in rules:
            found.setdefault(rule, []).append(tuple(points))

    for i in range(start, end):
        value = values[i]
        if value is not None and not lim.lower <= value <= lim.upper:
            add("beyond", [i])
        previous = values[i - 1] if i > start else None
        if value is not None and previous is not None and abs(value - previous) > lim.url:
            add("mr", [i])
    for side in (1, -1):  # runs: a gap breaks a run, a value on the centre line does not count
        run: list[int] = []
        for i in range(start, end + 1):
            value = values[i] if i < end else None
            if value is not None and value == lim.center:
                continue
            if value is not None and (value - lim.center) * side > 0:
                run.append(i)
                continue
            if len(run) >= run_length:
                add("run", run)
            run = []
    for side, line in ((-1, lim.halfway[0]), (1, lim.halfway[1])):
        for i in range(start, end - 3):
            window = [values[j] for j in range(i, i + 4)]
            if None not in window and sum((_v(window, k) - line) * side > 0 for k in range(4)) >= 3:
                add("three_of_four", range(i, i + 4))
    for side, line in ((-1, lim.two_sigma[0]), (1, lim.two_sigma[1])):
        for i in range(start, end - 2):
            window = [values[j] for j in range(i, i + 3)]
            if None in window:
                continue
            same_side = all((_v(window, k) - lim.center) * side > 0 for k in range(3))
            if same_side and sum((_v(window, k) - line) * side > 0 for k in range(3)) >= 2:
                add("two_of_three", range(i, i + 3))
    for direction in (1, -1):  # trends of 7 strictly rising or falling values
        run = []
        for i in range(start, end):
            value = values[i]
            if value is None or (run and (value - _v(values, run[-1])) * direction <= 0):
                if len(run) >= 7:
                    add("trend", run)
                run = [] if value is None else [i]
                continue
            run.append(i)
        if len(run) >= 7:
            add("trend", run)
    return found


# --- the stories -----------------------------------------------------------------------------


class StoryError(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise StoryError(message)


def quiet(found: dict[str, list[tuple[int, ...]]], name: str, where: str) -> None:
    expect(not found, f"{name}: expected no signals {where}, found {found}")


def check_complaints(s: Series) -> list[str]:
    v, action = s.values, s.index("2026-03")
    base = limits(v)
    quiet(signals(v, base, 0, action), s.name, "before the programme")
    before = [_v(v, i) for i in range(action)]
    expect(min(before) >= 15 and max(before) <= 25, f"{s.name}: 15-25 before, got {before}")
    after = [_v(v, i) for i in range(action, len(v))]
    expect(all(x < base.center for x in after), f"{s.name}: all below {base.center} after")
    below = [s.periods[i] for i in range(action, len(v)) if _v(v, i) < base.lower]
    phase = limits(v, start=action)
    expect(14.5 <= phase.center <= 15.5, f"{s.name}: new phase centre {phase}")
    expect(phase.lower > 10, f"{s.name}: target 10 should sit below the new lower limit {phase}")
    quiet(signals(v, phase, action, len(v)), s.name, "in the new phase")
    return [
        f"baseline {base}",
        f"2026-03..2026-10: {len(after)} below the old centre line; below the old lower limit "
        f"in {', '.join(below) or 'none'}",
        f"new phase from 2026-03: {phase} (trial: {len(after)} points)",
    ]


def check_downtime(s: Series) -> list[str]:
    v, upgrade, incident = s.values, s.index("2026-W24"), s.index("2024-W38")
    base = limits(v, excluded=frozenset({incident}))
    expect(6.5 <= base.center <= 7.5, f"{s.name}: baseline centre {base}")
    expect(1 <= base.lower <= 3.5 and 10.5 <= base.upper <= 13, f"{s.name}: limits {base}")
    found = signals(v, base, 0, upgrade)
    around = {(incident,), (incident + 1,)}  # the jumps up to the outage and back down
    expect(
        found.get("beyond") == [(incident,)]
        and set(found.get("mr", [])) <= around
        and set(found) <= {"beyond", "mr"},
        f"{s.name}: only the incident before the upgrade, {found}",
    )
    ordinary = [_v(v, i) for i in range(upgrade) if i != incident]
    expect(min(ordinary) >= 1.5 and max(ordinary) <= 12.5, f"{s.name}: 2-12 before")
    after = signals(v, base, upgrade, len(v))
    runs = after.get("run", [])
    expect(bool(runs) and runs[0][0] == upgrade, f"{s.name}: run from the upgrade {after}")
    below = [s.periods[i] for (i,) in after.get("beyond", [])]
    expect(len(below) >= 1, f"{s.name}: a point below the old lower limit after the upgrade")
    phase = limits(v, start=upgrade)
    expect(4.0 <= phase.center <= 4.6, f"{s.name}: new phase centre {phase}")
    expect(phase.lower < 3 < phase.upper, f"{s.name}: target 3 hit or miss {phase}")
    quiet(signals(v, phase, upgrade, len(v)), s.name, "in the new phase")
    return [
        f"baseline (first 20, 2024-W38 excluded) {base}",
        f"2024-W38 = {_v(v, incident)} beyond the upper limit (power failure)",
        f"after 2026-W24: run of {len(runs[0])} below the old centre line from "
        f"{s.periods[runs[0][0]]}; below the old lower limit in {', '.join(below)}",
        f"new phase from 2026-W24: {phase}",
    ]


def check_predictable(s: Series, low: float, high: float) -> list[str]:
    v = s.values
    base = limits(v)
    for run_length in (7, 8):
        found = signals(v, base, 0, len(v), run_length, EVERY_RULE)
        quiet(found, s.name, f"(run length {run_length})")
    known = [x for x in v if x is not None]
    expect(low <= min(known) and max(known) <= high, f"{s.name}: values within {low}-{high}")
    return [f"baseline {base}", f"no signals; values {min(known)} to {max(known)}"]


def check_response(s: Series) -> list[str]:
    return check_predictable(s, 0.5, 1.5)


def check_satisfaction(s: Series) -> list[str]:
    return check_predictable(s, 90.5, 100)


def check_churn(s: Series) -> list[str]:
    v, creep = s.values, s.index("2026-02")
    base = limits(v)
    expect(3.9 <= base.center <= 4.1, f"{s.name}: baseline centre {base}")
    quiet(signals(v, base, 0, creep), s.name, "before 2026-02")
    after = signals(v, base, creep, len(v))
    runs = after.get("run", [])
    expect(bool(runs) and runs[0] == tuple(range(creep, len(v))), f"{s.name}: run {after}")
    high = [s.periods[i] for (i,) in after.get("beyond", [])]
    decided = s.index("2026-09")
    expect(any(s.index(p) <= decided for p in high), f"{s.name}: a high point by 2026-09")
    expect(base.lower > 2.5, f"{s.name}: target 2.5 below the lower limit {base}")
    return [
        f"baseline {base}",
        f"run of {len(runs[0])} above the centre line from 2026-02; above the upper limit in "
        f"{', '.join(high)}",
    ]


def check_new_customers(s: Series) -> list[str]:
    v, launch = s.values, s.index("2026-07")
    base = limits(v)
    quiet(signals(v, base, 0, launch), s.name, "before the referral programme")
    after = signals(v, base, launch, len(v))
    high = [s.periods[i] for (i,) in after.get("beyond", [])]
    expect(bool(high) and "three_of_four" in after, f"{s.name}: signals after launch {after}")
    expect(base.upper < 60, f"{s.name}: target 60 above the upper limit {base}")
    return [
        f"baseline {base}",
        f"after 2026-07: above the upper limit in {', '.join(high)}; 3 of 4 beyond the "
        "upper halfway line",
    ]


STORIES: dict[str, tuple[Callable[[int], Series], int, Callable[[Series], list[str]]]] = {
    # measure id: (generator, seed, story check); seeds were chosen so the stories hold
    "customer-complaints": (customer_complaints, 14, check_complaints),
    "downtime-percent": (downtime_percent, 2526, check_downtime),
    "response-time-days": (response_time_days, 11, check_response),
    "customer-churn": (customer_churn, 5, check_churn),
    "customer-satisfaction": (customer_satisfaction, 1, check_satisfaction),
    "new-customers": (new_customers, 4, check_new_customers),
}


def build() -> dict[str, Series]:
    return {name: make(seed) for name, (make, seed, _) in STORIES.items()}


def verify(series: dict[str, Series]) -> dict[str, list[str]]:
    """Each measure's story in numbers; raises StoryError when one does not hold."""
    return {name: STORIES[name][2](s) for name, s in series.items()}


def main(argv: list[str]) -> int:
    series = build()
    if "--check" in argv:
        stale = [
            name
            for name, s in series.items()
            if not (DATA / f"{name}.csv").exists()
            or (DATA / f"{name}.csv").read_bytes() != s.csv_text().encode()
        ]
        for name in stale:
            print(f"data/{name}.csv differs from what scripts/make_example_data.py generates")
        return 1 if stale else 0
    for name, lines in verify(series).items():
        print(name)
        for line in lines:
            print(f"  {line}")
    DATA.mkdir(exist_ok=True)
    for name, s in series.items():
        (DATA / f"{name}.csv").write_bytes(s.csv_text().encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

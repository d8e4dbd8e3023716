"""From a measure to its XmR analysis: periods become indices, settings become engine options.

Pure: takes the model, returns values. The maths lives in `pumpsite.xmr`; this module only
translates the measure's limits settings (baseline, phases, exclusions, rules) into `xmr.Options`,
reads the targets of the role in force against the result, and tells whether the data is stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pumpsite.analysis import xmr
from pumpsite.model import Measure
from pumpsite.periods import Period, last_full_period
from pumpsite.schema import BaselineRange, LimitsSettings, Role, SiteSettings
from pumpsite.vocabulary import Better


@dataclass(frozen=True, slots=True)
class TargetReading:
    """How the role in force's target stands against the current phase."""

    target: float
    assurance: xmr.Assurance | None  # None without limits yet, or without a better direction
    achievement: xmr.Achievement

    @property
    def achieved(self) -> bool:
        return self.achievement.achieved


@dataclass(frozen=True, slots=True)
class Staleness:
    """The data is behind the report date: the latest value is older than the last full period
    before it (on 2026-11-23 a monthly measure should have October, a weekly one week 47)."""

    latest: Period  # the last period with a value
    expected: Period  # the last full period before the report date

    @property
    def missing(self) -> int:
        """How many periods have ended since the latest value."""
        return self.expected - self.latest


def staleness(latest: Period | None, report_date: date) -> Staleness | None:
    """The one rule for stale data, shared by `check`, the site and `diff`; None when the data
    is up to date (or there is none: that is a problem of its own)."""
    if latest is None:
        return None
    expected = last_full_period(report_date, latest.frequency)
    return Staleness(latest, expected) if latest < expected else None


@dataclass(frozen=True, slots=True)
class MeasureAnalysis:
    measure_id: str
    periods: tuple[Period, ...]
    xmr: xmr.Analysis
    role: Role | None  # the role in force at the report date
    target: TargetReading | None
    stale: Staleness | None  # at the report date

    def index_of(self, period: Period) -> int | None:
        """The position of `period` in the chart, or None when it is outside the data."""
        if not self.periods or period.frequency != self.periods[0].frequency:
            return None
        index = period - self.periods[0]
        return index if 0 <= index < len(self.periods) else None

    @property
    def latest_period(self) -> Period | None:
        """The last period that has a value."""
        return _latest_period(self.periods, self.xmr.values)


def _latest_period(periods: Sequence[Period], values: Sequence[float | None]) -> Period | None:
    for period, value in zip(reversed(periods), reversed(values), strict=True):
        if value is not None:
            return period
    return None


def engine_options(measure: Measure, periods: list[Period], settings: SiteSettings) -> xmr.Options:
    """The engine options for a measure; settings that point outside the data are left out
    here and reported by `pumpsite.checks`."""
    limits = measure.meta.limits
    first = periods[0]

    def index(period: Period) -> int | None:
        i = period - first
        return i if 0 <= i < len(periods) else None

    phase_starts = sorted(
        {i: p.reason for p in limits.phases if (i := index(p.start)) is not None and i > 0}.items()
    )
    excluded = frozenset(i for e in limits.exclude if (i := index(e.period)) is not None)
    baseline_size, baseline_range = 20, None
    if isinstance(limits.baseline, BaselineRange):
        start, end = index(limits.baseline.start), index(limits.baseline.end)
        first_phase_end = phase_starts[0][0] if phase_starts else len(periods)
        if start is not None and end is not None and start <= min(end, first_phase_end - 1):
            baseline_range = (start, min(end, first_phase_end - 1))
    else:
        baseline_size = limits.baseline
    lower, upper = natural_bounds(limits)
    return xmr.Options(
        baseline_size=baseline_size,
        baseline_range=baseline_range,
        phases=tuple(xmr.PhaseStart(i, reason) for i, reason in phase_starts),
        excluded=excluded,
        dispersion=limits.dispersion,
        profile=limits.rules or settings.rules,
        run_length=limits.run_length or settings.run_length,
        better=measure.meta.better,
        lower_bound=lower,
        upper_bound=upper,
    )


def natural_bounds(limits: LimitsSettings) -> tuple[float | None, float | None]:
    """The measure's (lower, upper) natural boundaries; none when they are reversed (a problem
    `pumpsite.checks` reports)."""
    bounds = limits.bounds
    if bounds is None:
        return None, None
    if bounds.lower is not None and bounds.upper is not None and bounds.lower >= bounds.upper:
        return None, None
    return bounds.lower, bounds.upper


def read_target(analysis: xmr.Analysis, role: Role | None, better: Better) -> TargetReading | None:
    if role is None or role.target is None:
        return None
    return TargetReading(
        target=role.target,
        assurance=xmr.assurance(analysis, role.target, better),
        achievement=xmr.achievement(analysis, role.target, better),
    )


def analyse_measure(
    measure: Measure, settings: SiteSettings, report_date: date
) -> MeasureAnalysis | None:
    """The analysis of one measure as of `report_date` (later data is left out), or None when
    it has no data by then."""
    if measure.series is None:
        return None
    periods, values = measure.series.values_by_period()
    while periods and periods[-1].start > report_date:
        periods.pop()
        values.pop()
    if not periods:
        return None
    result = xmr.analyse(values, engine_options(measure, periods, settings))
    role = measure.role_at(report_date)
    return MeasureAnalysis(
        measure_id=measure.id,
        periods=tuple(periods),
        xmr=result,
        role=role,
        target=read_target(result, role, measure.meta.better),
        stale=staleness(_latest_period(periods, values), report_date),
    )

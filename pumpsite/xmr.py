"""Pure XmR arithmetic: moving ranges, natural process limits, baselines, phases and targets.

Limits follow Wheeler: X̄ ± 2.66·mR̄ and URL = 3.268·mR̄, or with the median moving range
X̄ ± 3.145·m̃R and URL = 3.865·m̃R. Everything is kept unrounded. A phase computes its limits
from its first `baseline_size` usable points and locks them over the rest of the phase; phases
start only where the caller says so.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from pumpsite.signals import DEFAULT_RUN_LENGTH, RULES, Rule, Signal, detect

Dispersion = Literal["average", "median"]
Better = Literal["up", "down", "neutral"]
Profile = Literal["wheeler", "pump", "nhs"]
Assurance = Literal["met_consistently", "hit_or_miss", "not_met", "unpredictable"]
TargetPosition = Literal["below", "within", "above"]
Shortfall = Literal[
    "no_direction",
    "no_new_phase",
    "no_limits",
    "not_better",
    "no_signal",
    "trial",
    "short_of_target",
]
"""What keeps a target from being achieved (see achievement)."""

LIMIT_FACTOR: dict[Dispersion, float] = {"average": 2.66, "median": 3.145}
RANGE_FACTOR: dict[Dispersion, float] = {"average": 3.268, "median": 3.865}
MIN_LIMIT_POINTS = 5
"""Fewer baseline points than this give no limits: the phase is a run chart."""
MIN_FIRM_POINTS = 12
"""Fewer baseline points than this give trial limits."""
LEVEL_RULES: frozenset[Rule] = frozenset(
    {"beyond_limits", "long_run", "short_run", "trend", "two_of_three"}
)
"""The rules of the X chart: signals about the level of the values."""
SHIFT_RULES: frozenset[Rule] = LEVEL_RULES - {"trend"}
"""The rules whose signal can mark a shift to a new level (a trend is a slope, not a level)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Natural process limits of one phase, unrounded. average_mr is the median mR under
    the median dispersion; trial means fewer than 12 baseline points."""

    center: float
    average_mr: float
    unpl: float
    lnpl: float
    url: float
    baseline_points: int
    trial: bool
    dispersion: Dispersion = "average"

    @property
    def upper_halfway(self) -> float:
        return self.center + (self.unpl - self.center) / 2

    @property
    def lower_halfway(self) -> float:
        return self.center - (self.center - self.lnpl) / 2

    @property
    def upper_two_sigma(self) -> float:
        return self.center + (self.unpl - self.center) * 2 / 3

    @property
    def lower_two_sigma(self) -> float:
        return self.center - (self.center - self.lnpl) * 2 / 3


@dataclass(frozen=True, slots=True)
class PhaseStart:
    index: int
    reason: str


@dataclass(frozen=True, slots=True)
class Options:
    """baseline_range (inclusive) replaces baseline_size for the first phase only; run_length
    None means the profile's default (wheeler 8, pump 7, nhs 7), and also sets the nhs trend."""

    baseline_size: int = 20
    baseline_range: tuple[int, int] | None = None
    phases: tuple[PhaseStart, ...] = ()
    excluded: frozenset[int] = frozenset()
    dispersion: Dispersion = "average"
    profile: Profile = "wheeler"
    run_length: int | None = None
    better: Better = "neutral"


DEFAULT_OPTIONS = Options()


@dataclass(frozen=True, slots=True)
class Phase:
    """Indices [start, end) with limits locked on `baseline`; limits None for a run chart
    (fewer than 5 baseline points, or no moving range between them). reason None for the first."""

    start: int
    end: int
    reason: str | None
    limits: Limits | None
    baseline: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """moving_ranges has one entry per value (None at phase starts and around gaps); signals
    are sorted by (first point, rule); rebase_hint is the first point of a long run still
    going at the latest value, only a hint: phases start only where the caller says."""

    values: tuple[float | None, ...]
    moving_ranges: tuple[float | None, ...]
    phases: tuple[Phase, ...]
    signals: tuple[Signal, ...]
    excluded: frozenset[int]
    rebase_hint: int | None
    options: Options

    def phase_of(self, index: int) -> Phase:
        for phase in self.phases:
            if phase.start <= index < phase.end:
                return phase
        raise IndexError(f"index {index} is outside the series of {len(self.values)} values")

    @property
    def current_phase(self) -> Phase:
        return self.phases[-1]

    def limits_at(self, index: int) -> Limits | None:
        return self.phase_of(index).limits

    def rules_at(self, index: int) -> tuple[Rule, ...]:
        hits = {signal.rule for signal in self.signals if index in signal.points}
        return tuple(rule for rule in RULES if rule in hits)


def moving_ranges(
    values: Sequence[float | None], restarts: Iterable[int] = ()
) -> tuple[float | None, ...]:
    """|xᵢ − xᵢ₋₁|; None at index 0, at every restart, at a gap and just after it."""
    starts = frozenset(restarts)
    return tuple(_range_at(values, i, starts) for i in range(len(values)))


def _range_at(values: Sequence[float | None], i: int, starts: frozenset[int]) -> float | None:
    current, previous = values[i], values[i - 1] if i > 0 else None
    if i in starts or current is None or previous is None:
        return None
    return abs(current - previous)


def compute_limits(
    values: Sequence[float], ranges: Sequence[float], dispersion: Dispersion = "average"
) -> Limits:
    """Natural process limits from baseline values and their moving ranges."""
    if not values or not ranges:
        raise ValueError("compute_limits needs at least one value and one moving range")
    center = float(statistics.mean(values))
    spread = float(
        statistics.mean(ranges) if dispersion == "average" else statistics.median(ranges)
    )
    half_width = LIMIT_FACTOR[dispersion] * spread
    return Limits(
        center=center,
        average_mr=spread,
        unpl=center + half_width,
        lnpl=center - half_width,
        url=RANGE_FACTOR[dispersion] * spread,
        baseline_points=len(values),
        trial=len(values) < MIN_FIRM_POINTS,
        dispersion=dispersion,
    )


def analyse(values: Sequence[float | None], options: Options = DEFAULT_OPTIONS) -> Analysis:
    """The XmR analysis of a series: moving ranges, phases with locked limits, signals."""
    data = tuple(None if value is None else float(value) for value in values)
    _validate(data, options)
    starts = sorted(options.phases, key=lambda start: start.index)
    ranges = moving_ranges(data, (start.index for start in starts))
    bounds = [0, *(start.index for start in starts), len(data)]
    reasons = [None, *(start.reason for start in starts)]
    phases = tuple(
        _phase(data, ranges, bounds[k], bounds[k + 1], reasons[k], options)
        for k in range(len(reasons))
    )
    signals = detect(
        data, ranges, phases, options.profile, options.run_length, options.better, options.excluded
    )
    return Analysis(
        values=data,
        moving_ranges=ranges,
        phases=phases,
        signals=signals,
        excluded=options.excluded,
        rebase_hint=_rebase_hint(data, signals),
        options=options,
    )


def _phase(
    data: tuple[float | None, ...],
    ranges: tuple[float | None, ...],
    start: int,
    end: int,
    reason: str | None,
    options: Options,
) -> Phase:
    usable = [i for i in range(start, end) if data[i] is not None and i not in options.excluded]
    if reason is None and options.baseline_range is not None:
        first, last = options.baseline_range
        baseline = tuple(i for i in usable if first <= i <= last)
    else:
        baseline = tuple(usable[: options.baseline_size])
    limits = _baseline_limits(data, ranges, baseline, options.dispersion)
    return Phase(start, end, reason, limits, baseline)


def _baseline_limits(
    data: tuple[float | None, ...],
    ranges: tuple[float | None, ...],
    baseline: tuple[int, ...],
    dispersion: Dispersion,
) -> Limits | None:
    """Limits from the baseline points and the moving ranges with both ends among them."""
    if len(baseline) < MIN_LIMIT_POINTS:
        return None
    members = frozenset(baseline)
    values = [value for i in baseline if (value := data[i]) is not None]
    spans = [r for i in baseline if i - 1 in members and (r := ranges[i]) is not None]
    return compute_limits(values, spans, dispersion) if spans else None


def _rebase_hint(data: tuple[float | None, ...], signals: tuple[Signal, ...]) -> int | None:
    """First point of a long run that is still going at the latest known value."""
    latest = max((i for i, value in enumerate(data) if value is not None), default=None)
    for signal in signals:
        if signal.rule == "long_run" and signal.points[-1] == latest:
            return signal.points[0]
    return None


def _validate(data: tuple[float | None, ...], options: Options) -> None:
    for name, value, allowed in (
        ("dispersion", options.dispersion, Dispersion),
        ("profile", options.profile, Profile),
        ("better", options.better, Better),
    ):
        if value not in get_args(allowed):
            raise ValueError(f"{name} must be one of {get_args(allowed)}, got {value!r}")
    if any(value is not None and not math.isfinite(value) for value in data):
        raise ValueError("values must be finite numbers; use None for a missing period")
    if options.baseline_size < MIN_LIMIT_POINTS:
        raise ValueError(
            f"baseline_size must be at least {MIN_LIMIT_POINTS}, got {options.baseline_size}"
        )
    if options.run_length is not None and options.run_length < 2:
        raise ValueError(f"run_length must be at least 2, got {options.run_length}")
    _validate_phases(len(data), options.phases)
    _validate_baseline_range(len(data), options)
    outside = sorted(i for i in options.excluded if not 0 <= i < len(data))
    if outside:
        raise ValueError(f"excluded indices {outside} are outside the series of {len(data)}")


def _validate_phases(size: int, phases: tuple[PhaseStart, ...]) -> None:
    indices = [start.index for start in phases]
    for index in indices:
        if not 0 < index < size:
            raise ValueError(f"phase start {index} must be between 1 and {size - 1}")
    if len(set(indices)) != len(indices):
        raise ValueError(f"phase starts must be distinct, got {sorted(indices)}")


def _validate_baseline_range(size: int, options: Options) -> None:
    if options.baseline_range is None:
        return
    first, last = options.baseline_range
    first_phase_end = min((start.index for start in options.phases), default=size)
    if not 0 <= first <= last < first_phase_end:
        raise ValueError(
            f"baseline_range {options.baseline_range} must satisfy "
            f"0 <= start <= end < {first_phase_end} (the end of the first phase)"
        )


def target_position(limits: Limits, target: float) -> TargetPosition:
    """Where a target sits against the natural process limits: the one place that decides it,
    for the pages, lint and diff alike. A target exactly on a limit is within: a value on a limit
    is routine variation (no rule flags it), so routine values can just meet it, as in NHS
    Making Data Count's assurance icon."""
    if target < limits.lnpl:
        return "below"
    if target > limits.unpl:
        return "above"
    return "within"


def at_or_past(level: float, target: float, better: Better) -> bool:
    """A level (a value, a central line) at the target or past it in the better direction."""
    return level >= target if better == "up" else level <= target


def latest_judged(analysis: Analysis) -> int | None:
    """The index of the last value the rules judge: known and not excluded."""
    values, excluded = analysis.values, analysis.excluded
    return next(
        (i for i in reversed(range(len(values))) if values[i] is not None and i not in excluded),
        None,
    )


def unsettled(analysis: Analysis) -> tuple[Signal, ...]:
    """The X-chart signals of the current phase that include its latest judged value: while
    there are any, its limits may no longer describe the process (a moving range, which has no
    level, does not count)."""
    phase, latest = analysis.current_phase, latest_judged(analysis)
    if phase.limits is None or latest is None or latest < phase.start:
        return ()
    return tuple(
        s
        for s in analysis.signals
        if s.rule in LEVEL_RULES and s.points[0] >= phase.start and latest in s.points
    )


def assurance(analysis: Analysis, target: float, better: Better) -> Assurance | None:
    """Can the process, as it is, meet the target? None when no direction is better or the
    current phase has no limits.

    While the latest values are signals (unsettled), the limits are not the voice of the process
    and no verdict comes from them: unpredictable, until a new phase. Otherwise a target the
    process can never fall short of (below the LNPL when up is better) is met consistently; one
    it can never reach (above the UNPL when up is better) is not met unless the process changes;
    a target on or between the limits is hit or miss.
    """
    limits = analysis.current_phase.limits
    if better == "neutral" or limits is None:
        return None
    if unsettled(analysis):
        return "unpredictable"
    position = target_position(limits, target)
    if position == "within":
        return "hit_or_miss"
    return "met_consistently" if (position == "below") == (better == "up") else "not_met"


@dataclass(frozen=True, slots=True)
class Achievement:
    """Is the target achieved? `shortfalls` lists what is missing: the central line short of the
    target first, then the rest in the order of the rule;
    `change` is the favourable signal that marks the start of the current phase, if any."""

    shortfalls: tuple[Shortfall, ...]
    change: Signal | None = None

    @property
    def achieved(self) -> bool:
        return not self.shortfalls


def achievement(analysis: Analysis, target: float, better: Better) -> Achievement:
    """Achieved means what the page says: a recorded phase change in the better direction,
    marked at its start by a favourable signal against the previous phase's limits (change_signal),
    whose limits are firm (not trial) and whose central line is at or past the target. One value
    past the target, or a central line that drifted there without a signal, is not achievement."""
    if better == "neutral":
        return Achievement(("no_direction",))
    phases, current = analysis.phases, analysis.current_phase
    limits = current.limits
    short: tuple[Shortfall, ...] = (
        ("short_of_target",) if limits and not at_or_past(limits.center, target, better) else ()
    )
    if len(phases) < 2:
        return Achievement((*short, "no_new_phase"))
    if limits is None:
        return Achievement(("no_limits",))
    previous = phases[-2].limits
    change = change_signal(analysis, better)
    missing: list[Shortfall] = []
    if previous is not None and not _better(limits.center, previous.center, better):
        missing.append("not_better")
    if change is None:
        missing.append("no_signal")
    if limits.trial:
        missing.append("trial")
    return Achievement((*short, *missing), change)


def change_signal(analysis: Analysis, better: Better) -> Signal | None:
    """The favourable signal that marks the start of the current phase: the previous phase's
    limits carried over the first values of the current one (as many as a long run needs), and
    a long run, 3 of 4 (2 of 3 under NHS rules) or a point beyond a limit, in the better
    direction, that reaches into them. None for the first phase, or after a run chart."""
    if len(analysis.phases) < 2 or better == "neutral":
        return None
    previous, current = analysis.phases[-2], analysis.current_phase
    if previous.limits is None:
        return None
    options = analysis.options
    window = (
        DEFAULT_RUN_LENGTH[options.profile] if options.run_length is None else options.run_length
    )
    end = min(current.start + window, current.end)
    carried = Phase(previous.start, end, None, previous.limits, previous.baseline)
    found = detect(
        analysis.values,
        analysis.moving_ranges,
        (carried,),
        options.profile,
        options.run_length,
        better,
        analysis.excluded,
    )
    return next(
        (
            s
            for s in found
            if s.rule in SHIFT_RULES and s.effect == "improvement" and s.points[-1] >= current.start
        ),
        None,
    )


def _better(level: float, than: float, better: Better) -> bool:
    return level > than if better == "up" else level < than

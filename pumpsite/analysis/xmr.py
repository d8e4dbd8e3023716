"""Pure XmR arithmetic: moving ranges, natural process limits, baselines, phases and targets.

Limits follow Wheeler: X̄ ± 2.66·mR̄ and URL = 3.268·mR̄, or with the median moving range
X̄ ± 3.145·m̃R and URL = 3.865·m̃R. Everything is kept unrounded, and every line is exact: values
are the decimals they were written as, lines are rationals, and which side of a line a value is
on is decided exactly (`pumpsite.exact`). A phase computes its limits from its first
`baseline_size` usable points and locks them over the rest of the phase; phases start only where
the caller says so. A phase has no limits (a run chart) when its baseline has too few values,
too few moving ranges, or data too coarse for limits (docs/statistics.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import Literal, get_args

from pumpsite.analysis.exact import Line, decimal_of, range_side, scaled, side
from pumpsite.analysis.signals import DEFAULT_RUN_LENGTH, RULES, Rule, Signal, detect
from pumpsite.vocabulary import MIN_LIMIT_POINTS, Better, Dispersion, Profile

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
WithoutLimits = Literal["few_values", "few_ranges", "too_coarse"]
"""Why a phase has no limits: fewer than 5 baseline values; fewer moving ranges between them
than `Options.min_moving_ranges` (gaps); or moving ranges too coarse for limits (chunky data)."""

LIMIT_FACTOR: dict[Dispersion, Fraction] = {
    "average": Fraction("2.66"),
    "median": Fraction("3.145"),
}
RANGE_FACTOR: dict[Dispersion, Fraction] = {
    "average": Fraction("3.268"),
    "median": Fraction("3.865"),
}
MIN_MOVING_RANGES = 4
"""Fewer moving ranges between baseline points give no limits. Wheeler: limits "with as few as
five or six values" (Understanding Variation, p. 60), which is four or five moving ranges; gaps
can leave five values with one."""
COARSE_RANGE_VALUES = 3
"""Data are too coarse (chunky) for limits when this many possible moving-range values, or
fewer, lie within the upper range limit: 0, one measurement increment, two (Wheeler, "The
Problem of Chunky Data", Quality Digest, 10 July 2023; docs/statistics.md)."""
MIN_FIRM_POINTS = 12
"""Fewer baseline points than this give trial limits."""
LEVEL_RULES: frozenset[Rule] = frozenset(
    {"beyond_limits", "long_run", "short_run", "trend", "two_of_three"}
)
"""The rules of the X chart: signals about the level of the values."""
SHIFT_RULES: frozenset[Rule] = LEVEL_RULES - {"trend"}
"""The rules whose signal can mark a shift to a new level (a trend is a slope, not a level)."""


@dataclass(frozen=True, slots=True)
class Lines:
    """Every line of a phase's chart, exact: compare values with `pumpsite.exact.side`. The
    halfway lines (Wheeler's 3 of 4) and two-sigma lines (NHS 2 of 3) lie between the central
    line and the natural process limits, whatever boundary takes a limit's place."""

    center: Line
    upper: Line
    lower: Line
    url: Line
    upper_halfway: Line
    lower_halfway: Line
    upper_two_sigma: Line
    lower_two_sigma: Line

    @classmethod
    def around(cls, center: Fraction, spread: Fraction, dispersion: Dispersion) -> Lines:
        """The lines of limits from a central line and an average (or median) moving range, in
        whole numbers: each is the centre plus a whole number of 6000ths of the spread."""
        base = center.numerator * spread.denominator * 6000
        step = spread.numerator * center.denominator
        denominator = center.denominator * spread.denominator * 6000
        limit = _UNITS[dispersion]

        def at(units: int) -> Line:
            return Line.ratio(base + units * step, denominator)

        return cls(
            center=at(0),
            upper=at(limit),
            lower=at(-limit),
            url=Line.of(RANGE_FACTOR[dispersion] * spread),
            upper_halfway=at(limit // 2),
            lower_halfway=at(-(limit // 2)),
            upper_two_sigma=at(limit * 2 // 3),
            lower_two_sigma=at(-(limit * 2 // 3)),
        )

    @classmethod
    def of(cls, center: Fraction, upper: Fraction, lower: Fraction, url: Fraction) -> Lines:
        """The lines of limits written by hand, which need not be symmetric."""
        return cls(
            center=Line.of(center),
            upper=Line.of(upper),
            lower=Line.of(lower),
            url=Line.of(url),
            upper_halfway=Line.of(center + (upper - center) / 2),
            lower_halfway=Line.of(center - (center - lower) / 2),
            upper_two_sigma=Line.of(center + (upper - center) * 2 / 3),
            lower_two_sigma=Line.of(center - (center - lower) * 2 / 3),
        )


_UNITS = {dispersion: int(factor * 6000) for dispersion, factor in LIMIT_FACTOR.items()}
"""2.66 and 3.145 in 6000ths: whole numbers whose halves and two-thirds are whole too."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Natural process limits of one phase, unrounded: each float is the exact line correctly
    rounded. average_mr is the median mR under the median dispersion; trial means fewer than
    12 baseline points. A boundary is set when the measure's natural boundary on that side
    takes the place of the limit (the limit lies at or beyond it): no value can be beyond it.
    `exact` holds the exact lines; limits made by hand (tests) leave it None and their floats
    are read as the decimals they are written as."""

    center: float
    average_mr: float
    unpl: float
    lnpl: float
    url: float
    baseline_points: int
    trial: bool
    dispersion: Dispersion = "average"
    lower_boundary: float | None = None
    upper_boundary: float | None = None
    exact: Lines | None = None

    @property
    def lines(self) -> Lines:
        if self.exact is not None:
            return self.exact
        return Lines.of(*(decimal_of(v) for v in (self.center, self.unpl, self.lnpl, self.url)))

    @property
    def upper_line(self) -> float:
        """What the chart draws on the upper side: the limit, or the boundary in its place."""
        return self.unpl if self.upper_boundary is None else self.upper_boundary

    @property
    def lower_line(self) -> float:
        return self.lnpl if self.lower_boundary is None else self.lower_boundary

    @property
    def upper_halfway(self) -> float:
        return self.lines.upper_halfway.value

    @property
    def lower_halfway(self) -> float:
        return self.lines.lower_halfway.value

    @property
    def upper_two_sigma(self) -> float:
        return self.lines.upper_two_sigma.value

    @property
    def lower_two_sigma(self) -> float:
        return self.lines.lower_two_sigma.value


@dataclass(frozen=True, slots=True)
class PhaseStart:
    index: int
    reason: str


@dataclass(frozen=True, slots=True)
class Options:
    """baseline_range (inclusive) replaces baseline_size for the first phase only; run_length
    None means the profile's default (wheeler 8, pump 7, nhs 7), and also sets the nhs trend.
    lower_bound and upper_bound are the measure's natural boundaries (a count cannot go below
    0): a limit beyond one gives way to it."""

    baseline_size: int = 20
    baseline_range: tuple[int, int] | None = None
    phases: tuple[PhaseStart, ...] = ()
    excluded: frozenset[int] = frozenset()
    dispersion: Dispersion = "average"
    profile: Profile = "wheeler"
    run_length: int | None = None
    better: Better = "neutral"
    lower_bound: float | None = None
    upper_bound: float | None = None
    min_moving_ranges: int = MIN_MOVING_RANGES
    coarse_range_values: int = COARSE_RANGE_VALUES


DEFAULT_OPTIONS = Options()


@dataclass(frozen=True, slots=True)
class Phase:
    """Indices [start, end) with limits locked on `baseline`; limits None for a run chart, and
    then `without_limits` says why. reason None for the first phase. baseline_ranges counts the
    moving ranges between baseline points; step is the data's measurement increment (the
    greatest common step of those moving ranges, 0 when they are all 0) when the data are too
    coarse for limits."""

    start: int
    end: int
    reason: str | None
    limits: Limits | None
    baseline: tuple[int, ...]
    without_limits: WithoutLimits | None = None
    baseline_ranges: int = 0
    step: float | None = None


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

    def range_beyond_url(self, index: int) -> bool:
        """Whether the moving range at `index` is above its phase's upper range limit."""
        limits, spread = self.limits_at(index), self.moving_ranges[index]
        if limits is None or spread is None:
            return False
        if index == 0:  # a window cut from a longer series: the value before it is not here
            return spread > limits.url
        previous, current = self.values[index - 1], self.values[index]
        assert previous is not None and current is not None, "a moving range has two values"
        return range_side(previous, current, limits.lines.url) > 0


def moving_ranges(
    values: Sequence[float | None], restarts: Iterable[int] = ()
) -> tuple[float | None, ...]:
    """|xᵢ − xᵢ₋₁|; None at index 0, at every restart, at a gap and just after it."""
    starts = frozenset(restarts)
    previous = chain([None], values)
    return tuple(
        None if i in starts or now is None or before is None else abs(now - before)
        for i, (before, now) in enumerate(zip(previous, values, strict=False))  # one longer
    )


def compute_limits(
    values: Sequence[float],
    ranges: Sequence[float],
    dispersion: Dispersion = "average",
    bounds: tuple[float | None, float | None] = (None, None),
) -> Limits:
    """Natural process limits from baseline values and their moving ranges, each read as the
    decimal it is written as; `bounds` are the natural (lower, upper) boundaries, if any."""
    if not values or not ranges:
        raise ValueError("compute_limits needs at least one value and one moving range")
    ints, scale = scaled(values)
    spans, span_scale = scaled(ranges)
    center = Fraction(sum(ints), len(ints) * 10**scale)
    spread = _spread(spans, dispersion) / 10**span_scale
    return _limits(center, spread, len(values), dispersion, bounds)


def _spread(spans: Sequence[int], dispersion: Dispersion) -> Fraction:
    """The average or the median of moving ranges, exactly."""
    if dispersion == "average":
        return Fraction(sum(spans), len(spans))
    ordered = sorted(spans)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def _limits(
    center: Fraction,
    spread: Fraction,
    points: int,
    dispersion: Dispersion,
    bounds: tuple[float | None, float | None],
) -> Limits:
    lines = Lines.around(center, spread, dispersion)
    lower, upper = bounds
    return Limits(
        center=lines.center.value,
        average_mr=float(spread),
        unpl=lines.upper.value,
        lnpl=lines.lower.value,
        url=lines.url.value,
        baseline_points=points,
        trial=points < MIN_FIRM_POINTS,
        dispersion=dispersion,
        lower_boundary=lower if lower is not None and side(lower, lines.lower) >= 0 else None,
        upper_boundary=upper if upper is not None and side(upper, lines.upper) <= 0 else None,
        exact=lines,
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
        _phase(data, bounds[k], bounds[k + 1], reasons[k], options) for k in range(len(reasons))
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
    data: tuple[float | None, ...], start: int, end: int, reason: str | None, options: Options
) -> Phase:
    usable = [i for i in range(start, end) if data[i] is not None and i not in options.excluded]
    if reason is None and options.baseline_range is not None:
        first, last = options.baseline_range
        baseline = tuple(i for i in usable if first <= i <= last)
    else:
        baseline = tuple(usable[: options.baseline_size])
    if len(baseline) < MIN_LIMIT_POINTS:
        return Phase(start, end, reason, None, baseline, "few_values")
    ints, scale = scaled([_known(data, i) for i in baseline])
    # moving ranges between neighbours that are both in the baseline, as whole numbers
    spans = [
        abs(ints[k] - ints[k - 1])
        for k in range(1, len(baseline))
        if baseline[k - 1] == baseline[k] - 1
    ]
    if len(spans) < options.min_moving_ranges:
        return Phase(start, end, reason, None, baseline, "few_ranges", len(spans))
    spread = _spread(spans, options.dispersion)
    if _too_coarse(spans, spread, options):
        step = float(Fraction(math.gcd(*spans), 10**scale))
        return Phase(start, end, reason, None, baseline, "too_coarse", len(spans), step)
    center = Fraction(sum(ints), len(ints) * 10**scale)
    bounds = (options.lower_bound, options.upper_bound)
    limits = _limits(center, spread / 10**scale, len(baseline), options.dispersion, bounds)
    return Phase(start, end, reason, limits, baseline, baseline_ranges=len(spans))


def _too_coarse(spans: Sequence[int], spread: Fraction, options: Options) -> bool:
    """Chunky data: at most `coarse_range_values` possible moving ranges (0, one step, two
    steps…) lie within the upper range limit, so round-off, not the process, sets the limits."""
    step = math.gcd(*spans)
    if step == 0:
        return True  # every moving range is 0: no dispersion to compute limits from
    url = RANGE_FACTOR[options.dispersion] * spread
    return math.floor(url / step) + 1 <= options.coarse_range_values


def _known(data: tuple[float | None, ...], index: int) -> float:
    value = data[index]
    assert value is not None, "baselines hold known values only"
    return value


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
    if options.min_moving_ranges < 1:
        raise ValueError(f"min_moving_ranges must be at least 1, got {options.min_moving_ranges}")
    lower, upper = options.lower_bound, options.upper_bound
    if lower is not None and upper is not None and not lower < upper:
        raise ValueError(f"lower_bound {lower} must be below upper_bound {upper}")
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
    lines = limits.lines
    if side(target, lines.lower) < 0:
        return "below"
    if side(target, lines.upper) > 0:
        return "above"
    return "within"


def at_or_past(level: float | Line, target: float, better: Better) -> bool:
    """A level (a value, a central line) at the target or past it in the better direction,
    decided exactly: a float level is read as the decimal it stands for."""
    position = side(target, level if isinstance(level, Line) else Line.at(level))
    return position <= 0 if better == "up" else position >= 0


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
        ("short_of_target",)
        if limits and not at_or_past(limits.lines.center, target, better)
        else ()
    )
    if len(phases) < 2:
        return Achievement((*short, "no_new_phase"))
    if limits is None:
        return Achievement(("no_limits",))
    previous = phases[-2].limits
    change = change_signal(analysis, better)
    missing: list[Shortfall] = []
    if previous is not None and not _better(limits.lines.center, previous.lines.center, better):
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


def _better(level: Line, than: Line, better: Better) -> bool:
    """One central line better than another, exactly."""
    return level.exact > than.exact if better == "up" else level.exact < than.exact

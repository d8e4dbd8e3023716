"""Pure detection of XmR signals under the Wheeler, PuMP and NHS Making Data Count profiles.

Every rule is a small function from one phase (its values, moving ranges and locked limits) to
the points that carry a signal. Comparisons are strict and exact (`pumpsite.exact`): a value
exactly on a line is not beyond it and on neither side of it, whatever binary floating point
would say. Where a natural boundary takes a limit's place, no value can be beyond that side.
A missing value (None) breaks runs, trends and windows. An excluded value (a special cause
already explained) is left out of the rules: it is never beyond a limit, it neither counts nor
breaks a run or a window, and the moving ranges into and out of it are not judged. A moving range
has no direction of good or bad, so its signals are neutral (docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pumpsite.analysis.exact import Line, range_side, sides
from pumpsite.analysis.exact import side as exact_side

if TYPE_CHECKING:
    from pumpsite.analysis.xmr import Limits, Lines, Phase
    from pumpsite.vocabulary import Better, Profile

Rule = Literal["beyond_limits", "mr_beyond_url", "long_run", "short_run", "trend", "two_of_three"]
Side = Literal["high", "low"]
Effect = Literal["improvement", "concern", "neutral"]

RULES: tuple[Rule, ...] = (
    "beyond_limits",
    "mr_beyond_url",
    "long_run",
    "short_run",
    "trend",
    "two_of_three",
)
"""Every rule, in the order used to sort signals that start at the same point."""

PROFILE_RULES: dict[Profile, tuple[Rule, ...]] = {
    "wheeler": ("beyond_limits", "mr_beyond_url", "long_run", "short_run"),
    "pump": ("beyond_limits", "long_run", "short_run"),
    "nhs": ("beyond_limits", "long_run", "trend", "two_of_three"),
}

DEFAULT_RUN_LENGTH: dict[Profile, int] = {"wheeler": 8, "pump": 7, "nhs": 7}
"""Length of a long run (and of an NHS trend) when Options.run_length is None."""

_WHEELER_LABELS: dict[Rule, str] = {
    "beyond_limits": "Point beyond the limits",
    "mr_beyond_url": "Moving range above the upper range limit",
    "long_run": "Run of {n} on one side",
    "short_run": "3 of 4 beyond the halfway line",
    "trend": "Trend ({n} rising or falling)",
    "two_of_three": "2 of 3 beyond 2 sigma",
}
_LABEL_TEMPLATES: dict[Profile, dict[Rule, str]] = {
    "wheeler": _WHEELER_LABELS,
    "pump": {
        **_WHEELER_LABELS,
        "beyond_limits": "Outlier",
        "long_run": "Long run",
        "short_run": "Short run",
    },
    "nhs": {**_WHEELER_LABELS, "long_run": "Shift ({n} on one side)"},
}

RULE_LABELS: dict[Profile, dict[Rule, str]] = {
    profile: {rule: text.format(n=DEFAULT_RUN_LENGTH[profile]) for rule, text in labels.items()}
    for profile, labels in _LABEL_TEMPLATES.items()
}
"""Human names of the rules per profile, for the default run length."""


def rule_label(profile: Profile, rule: Rule, run_length: int | None = None) -> str:
    """The human name of a rule, with the run length actually in force."""
    length = DEFAULT_RUN_LENGTH[profile] if run_length is None else run_length
    return _LABEL_TEMPLATES[profile][rule].format(n=f"{length:,}")


@dataclass(frozen=True, slots=True)
class Signal:
    rule: Rule
    points: tuple[int, ...]
    side: Side
    effect: Effect


def effect_of(side: Side, better: Better) -> Effect:
    """high & up -> improvement, high & down -> concern (and the mirror image); neutral."""
    if better == "neutral":
        return "neutral"
    return "improvement" if (side == "high") == (better == "up") else "concern"


def signal_effect(rule: Rule, side: Side, better: Better) -> Effect:
    """A moving range is a jump either way, never good or bad in itself: its signals are neutral.
    The other rules follow the side of the values (effect_of)."""
    return "neutral" if rule == "mr_beyond_url" else effect_of(side, better)


def signal_name(profile: Profile, signal: Signal, run_length: int | None = None) -> str:
    """The name of one signal: its rule's, with its own length for a run or a trend ('Run of 9
    on one side' for nine values, where the rule asks for 8)."""
    sized = signal.rule in ("long_run", "trend")
    return rule_label(profile, signal.rule, len(signal.points) if sized else run_length)


def without_echoes(signals: Iterable[Signal]) -> tuple[Signal, ...]:
    """The signals less those that are part of another's event: a moving range above the upper
    range limit into or out of a point beyond the limits is that point's jump, so one
    exceptional value is one event, not three signals. Pass every signal of the analysis."""
    signals = tuple(signals)
    outliers = {s.points[0] for s in signals if s.rule == "beyond_limits"}
    return tuple(s for s in signals if not _echo(s, outliers))


def _echo(signal: Signal, outliers: set[int]) -> bool:
    index = signal.points[0]
    return signal.rule == "mr_beyond_url" and (index in outliers or index - 1 in outliers)


@dataclass(frozen=True, slots=True)
class _Segment:
    """One phase with limits: the slice [start, end) of the whole series."""

    values: Sequence[float | None]
    ranges: Sequence[float | None]
    start: int
    end: int
    limits: Limits
    lines: Lines
    run_length: int

    @property
    def indices(self) -> range:
        return range(self.start, self.end)


_SIDES: tuple[Side, ...] = ("high", "low")
_Hit = tuple[tuple[int, ...], Side]
_Detector = Callable[[_Segment], Iterator[_Hit]]


def detect(
    values: Sequence[float | None],
    moving_ranges: Sequence[float | None],
    phases: Iterable[Phase],
    profile: Profile = "wheeler",
    run_length: int | None = None,
    better: Better = "neutral",
    excluded: frozenset[int] = frozenset(),
) -> tuple[Signal, ...]:
    """All signals of every phase that has limits, sorted by (first point, rule, side); the
    `excluded` indices are left out of the rules."""
    length = DEFAULT_RUN_LENGTH[profile] if run_length is None else run_length
    found: list[Signal] = []
    for phase in phases:
        if phase.limits is None:
            continue
        segment, back = _judged(values, moving_ranges, phase, length, excluded)
        for rule, detector in _DETECTORS[profile]:
            for pts, side in detector(segment):
                points = pts if back is None else tuple(back[k] for k in pts)
                found.append(Signal(rule, points, side, signal_effect(rule, side, better)))
    return tuple(sorted(found, key=_sort_key))


def _judged(
    values: Sequence[float | None],
    ranges: Sequence[float | None],
    phase: Phase,
    length: int,
    excluded: frozenset[int],
) -> tuple[_Segment, list[int] | None]:
    """The phase as the rules see it, and the map from its positions back to the series (None
    when nothing in it is excluded: the phase is judged in place). An excluded value is taken
    out, so the values either side of it are successive for runs and windows; a moving range
    into or out of it is not judged."""
    limits = phase.limits
    assert limits is not None
    if not any(phase.start <= i < phase.end for i in excluded):
        segment = _Segment(values, ranges, phase.start, phase.end, limits, limits.lines, length)
        return segment, None
    kept = [i for i in range(phase.start, phase.end) if i not in excluded]
    kept_values = [values[i] for i in kept]
    kept_ranges = [None if i - 1 in excluded else ranges[i] for i in kept]
    return _Segment(kept_values, kept_ranges, 0, len(kept), limits, limits.lines, length), kept


def _sort_key(signal: Signal) -> tuple[int, int, str]:
    return (signal.points[0], RULES.index(signal.rule), signal.side)


def _beyond(value: float, line: float, side: Side) -> bool:
    """Between two values, which are decimals read exactly: floats order them exactly."""
    return value > line if side == "high" else value < line


def _beyond_limits(seg: _Segment) -> Iterator[_Hit]:
    """Values beyond a natural process limit, or beyond the boundary that takes its place
    (which only a value outside the measure's bounds, itself a problem, can be)."""
    limits, lines = seg.limits, seg.lines
    upper = lines.upper if limits.upper_boundary is None else Line.at(limits.upper_boundary)
    lower = lines.lower if limits.lower_boundary is None else Line.at(limits.lower_boundary)
    high, low = _beyond_mask(seg, upper, "high"), _beyond_mask(seg, lower, "low")
    for k, i in enumerate(seg.indices):
        if high[k]:
            yield (i,), "high"
        elif low[k]:
            yield (i,), "low"


def _mr_beyond_url(seg: _Segment) -> Iterator[_Hit]:
    """Moving ranges above the upper range limit. The float range is within a few units in
    the last place of the exact one, so only one that close to the line is worked out exactly."""
    url = seg.lines.url
    known = [abs(v) for v in seg.values[seg.start : seg.end] if v is not None]
    near = 1e-12 * (max(known, default=0.0) + url.value) + 1e-300
    for i in seg.indices:
        spread = seg.ranges[i]
        if spread is None or spread < url.value - near:
            continue
        previous, current = _value(seg, i - 1), _value(seg, i)
        if spread > url.value + near or range_side(previous, current, url) > 0:
            yield (i,), "high" if current > previous else "low"


def _side_runs(seg: _Segment, centre_breaks: bool) -> Iterator[_Hit]:
    """Maximal runs of values on one side of the central line.

    A gap always breaks a run; a value exactly on the central line breaks it only when
    centre_breaks (NHS), otherwise it neither counts nor breaks (Wheeler, PuMP).
    """
    run: list[int] = []
    side: Side = "high"
    positions = sides(seg.values[seg.start : seg.end], seg.lines.center)
    for i, position in zip(seg.indices, positions, strict=True):
        if not position:
            if position is None or centre_breaks:
                yield from _flush(run, side)
                run = []
            continue
        current: Side = "high" if position > 0 else "low"
        if current != side:
            yield from _flush(run, side)
            run, side = [], current
        run.append(i)
    yield from _flush(run, side)


def _flush(run: list[int], side: Side) -> Iterator[_Hit]:
    if run:
        yield tuple(run), side


def _long(hits: Iterator[_Hit], length: int) -> Iterator[_Hit]:
    return (hit for hit in hits if len(hit[0]) >= length)


def _long_run(seg: _Segment) -> Iterator[_Hit]:
    return _long(_side_runs(seg, centre_breaks=False), seg.run_length)


def _shift(seg: _Segment) -> Iterator[_Hit]:
    return _long(_side_runs(seg, centre_breaks=True), seg.run_length)


def _monotone_runs(seg: _Segment, side: Side) -> Iterator[_Hit]:
    """Maximal runs of points each strictly above (high) or below (low) the previous one."""
    run: list[int] = []
    for i in seg.indices:
        value = seg.values[i]
        if value is None:
            yield from _flush(run, side)
            run = []
            continue
        previous = seg.values[run[-1]] if run else None
        if previous is not None and not _beyond(value, previous, side):
            yield from _flush(run, side)
            run = []
        run.append(i)
    yield from _flush(run, side)


def _trend(seg: _Segment) -> Iterator[_Hit]:
    for side in _SIDES:
        yield from _long(_monotone_runs(seg, side), seg.run_length)


_Marks = tuple[list[bool], list[bool], int]
"""Per point of a phase: may it be in a qualifying window, is it flagged; and how many flagged
points make a window qualify."""
_WindowMarks = Callable[[_Segment, Side], _Marks]


def _beyond_mask(seg: _Segment, line: Line, side: Side) -> list[bool]:
    """Per point of the phase: is its value strictly beyond `line` (False for a gap). Only a
    value whose float equals the line's is compared exactly (see `pumpsite.exact`)."""
    values = seg.values[seg.start : seg.end]
    at = line.value
    if side == "high":
        return [v is not None and (v > at or (v == at and exact_side(v, line) > 0)) for v in values]
    return [v is not None and (v < at or (v == at and exact_side(v, line) < 0)) for v in values]


def _window_clusters(seg: _Segment, width: int, marks: _WindowMarks) -> Iterator[_Hit]:
    """Merge overlapping qualifying windows (per side) into one hit of their flagged points.

    A window is `width` successive points of the phase with no gap, every one of them allowed,
    and at least the minimum flagged; its hit is its flagged points. Masks are computed once per
    phase, so a window costs two slices (this rule is most of the analysis time otherwise).
    """
    known = [v is not None for v in seg.values[seg.start : seg.end]]
    for side in _SIDES:
        allowed, flagged, minimum = marks(seg, side)
        points: set[int] = set()
        cluster_end = -1
        for first in range(len(known) - width + 1):
            last = first + width
            if sum(flagged[first:last]) < minimum or not all(allowed[first:last]):
                continue
            if not all(known[first:last]):
                continue
            if first + seg.start > cluster_end and points:
                yield tuple(sorted(points)), side
                points = set()
            points.update(seg.start + k for k in range(first, last) if flagged[k])
            cluster_end = seg.start + last - 1
        if points:
            yield tuple(sorted(points)), side


def _value(seg: _Segment, index: int) -> float:
    value = seg.values[index]
    assert value is not None, "only called where the value is known"
    return value


def _three_of_four_marks(seg: _Segment, side: Side) -> _Marks:
    """3 of 4 successive values beyond the halfway line; those values are flagged."""
    line = seg.lines.upper_halfway if side == "high" else seg.lines.lower_halfway
    beyond = _beyond_mask(seg, line, side)
    return [True] * len(beyond), beyond, 3


def _two_of_three_marks(seg: _Segment, side: Side) -> _Marks:
    """3 successive values on one side of the central line, 2 of them beyond 2 sigma."""
    line = seg.lines.upper_two_sigma if side == "high" else seg.lines.lower_two_sigma
    return _beyond_mask(seg, seg.lines.center, side), _beyond_mask(seg, line, side), 2


def _short_run(seg: _Segment) -> Iterator[_Hit]:
    return _window_clusters(seg, 4, _three_of_four_marks)


def _two_of_three(seg: _Segment) -> Iterator[_Hit]:
    return _window_clusters(seg, 3, _two_of_three_marks)


_DETECTORS: dict[Profile, tuple[tuple[Rule, _Detector], ...]] = {
    "wheeler": (
        ("beyond_limits", _beyond_limits),
        ("mr_beyond_url", _mr_beyond_url),
        ("long_run", _long_run),
        ("short_run", _short_run),
    ),
    "pump": (
        ("beyond_limits", _beyond_limits),
        ("long_run", _long_run),
        ("short_run", _short_run),
    ),
    "nhs": (
        ("beyond_limits", _beyond_limits),
        ("long_run", _shift),
        ("trend", _trend),
        ("two_of_three", _two_of_three),
    ),
}

"""Signals grouped into episodes, and whether the limits still describe the process. Pure.

The rules find signals point by point and window by window: a series that has left its limits
for good gives one "point beyond the limits" per value, thousands of them. A reader counts
events, not windows: overlapping or adjacent signals of the same rule and side, within one
phase, are one episode with a start, an end and a length. Episodes of one rule, side and phase
are disjoint and never adjacent; every signal point is in exactly one episode of its rule and
side. Rules and sides stay apart: a long run and the points beyond the limits inside it say
different things (docs/statistics.md).

When most of the latest values are signals, the limits no longer describe the process:
`outdated_limits` says so, once, instead of a signal per value.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pumpsite.analysis.signals import RULES, Effect, Rule, Side, Signal, without_echoes
from pumpsite.analysis.xmr import Analysis


@dataclass(frozen=True, slots=True)
class Episode:
    """Signals of one rule and side, in one phase, that overlap or follow each other."""

    rule: Rule
    side: Side
    effect: Effect
    points: tuple[int, ...]  # every flagged point, ascending
    signals: int  # how many signals the rules found in it

    @property
    def start(self) -> int:
        return self.points[0]

    @property
    def end(self) -> int:
        return self.points[-1]

    @property
    def length(self) -> int:
        """The periods from its first point to its last, both included."""
        return self.end - self.start + 1

    def as_signal(self) -> Signal:
        """The episode as one signal over all its points, for the words of a signal."""
        return Signal(self.rule, self.points, self.side, self.effect)


def group_signals(signals: Iterable[Signal], phase_starts: Sequence[int] = ()) -> list[Episode]:
    """The episodes of `signals`, sorted by (start, rule, side) like signals are. A phase start
    (the index of a phase's first value) always separates two episodes: a new phase has new
    limits, and a signal against the old ones is not one against the new."""
    starts = sorted(phase_starts)
    buckets: dict[tuple[int, Rule, Side], list[Signal]] = {}
    for signal in signals:
        phase = bisect_right(starts, signal.points[0])
        buckets.setdefault((phase, signal.rule, signal.side), []).append(signal)
    found = [episode for bucket in buckets.values() for episode in _merge(bucket)]
    return sorted(found, key=lambda e: (e.start, RULES.index(e.rule), e.side))


def _merge(signals: list[Signal]) -> Iterable[Episode]:
    """Signals of one rule, side and phase, merged where they overlap or touch."""
    ordered = sorted(signals, key=lambda s: s.points[0])
    group: list[Signal] = []
    end = 0
    for signal in ordered:
        if group and signal.points[0] > end + 1:
            yield _episode(group)
            group = []
        end = max(end, signal.points[-1]) if group else signal.points[-1]
        group.append(signal)
    if group:
        yield _episode(group)


def _episode(group: list[Signal]) -> Episode:
    first = group[0]
    points = sorted({i for signal in group for i in signal.points})
    return Episode(first.rule, first.side, first.effect, tuple(points), len(group))


def episodes_of(analysis: Analysis) -> list[Episode]:
    """Every episode of the analysis, oldest first."""
    signals = without_echoes(analysis.signals)  # one exceptional value is one event
    return group_signals(signals, [p.start for p in analysis.phases[1:]])


# --- which episodes a page lists ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    """The episodes a page lists (those that matter now, oldest first) and the earlier ones."""

    listed: tuple[Episode, ...]
    earlier: tuple[Episode, ...]


def listing(episodes: Sequence[Episode], since: int | None, most: int) -> Listing:
    """The episodes that end at index `since` or later (those that touch the report quarter and
    those still going) and the latest ones (those that end last), at most `most` of them, the
    latest-ending; the others are earlier. `since` None: only the latest ones."""
    if not episodes:
        return Listing((), ())
    last = max(e.end for e in episodes)
    cut = last if since is None else min(since, last)
    by_end = sorted(range(len(episodes)), key=lambda k: (episodes[k].end, k))
    chosen = set([k for k in by_end if episodes[k].end >= cut][-most:])
    return Listing(
        listed=tuple(e for k, e in enumerate(episodes) if k in chosen),
        earlier=tuple(e for k, e in enumerate(episodes) if k not in chosen),
    )


def latest_first(episodes: Sequence[Episode], count: int) -> tuple[Episode, ...]:
    """The `count` episodes that end last, latest first: what a collapsed list has room for."""
    return tuple(sorted(episodes, key=lambda e: e.end, reverse=True)[:count])


# --- limits that no longer describe the process --------------------------------------------------

RECENT_VALUES = 20
"""'Recent' values: the latest 20 of the current phase, as many as limits are computed from."""
MIN_RECENT_VALUES = 12
"""A current phase with fewer usable values has trial limits, redone with each new value."""


@dataclass(frozen=True, slots=True)
class Outdated:
    """Most of the recent values of the current phase are signal points."""

    signals: int  # recent values that are points of an X-chart signal
    values: int  # the recent values looked at
    first: int  # the index of the first of them


def outdated_limits(analysis: Analysis) -> Outdated | None:
    """More than half of the latest RECENT_VALUES values of the current phase (missing and
    excluded values left out) are points of X-chart signals: the limits describe a process
    that is no longer there. Moving-range signals do not count: a value with a large moving
    range may sit anywhere inside the limits. None when the phase has no limits or too few
    values."""
    phase = analysis.current_phase
    if phase.limits is None:
        return None
    usable = [
        i
        for i in range(phase.start, phase.end)
        if analysis.values[i] is not None and i not in analysis.excluded
    ]
    recent = usable[-RECENT_VALUES:]
    if len(recent) < MIN_RECENT_VALUES:
        return None
    flagged = {
        i
        for signal in analysis.signals
        if signal.rule != "mr_beyond_url" and signal.points[-1] >= recent[0]
        for i in signal.points
    }
    count = sum(i in flagged for i in recent)
    return Outdated(count, len(recent), recent[0]) if 2 * count > len(recent) else None

"""Did a signal follow? For an improvement action and a measure it aims to move: the first
episode in the expected direction that begins at or after the period the action started in, or
else one the wrong way, or else none yet. Pure.

The words say what the data show and when, never that the action caused it: a signal after an
action is evidence to weigh, not proof ("a long run down began two months after the action
started").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pumpsite.analysis.episodes import Episode, episodes_of
from pumpsite.analysis.measure import analyse_measure
from pumpsite.analysis.reading import latest_index, signal_label
from pumpsite.analysis.signals import Side
from pumpsite.model import Action, Measure
from pumpsite.periods import Frequency, Period, containing
from pumpsite.schema import Aim, Direction, SiteSettings

Verdict = Literal["followed", "none_yet", "wrong_way"]

UNITS: dict[Frequency, str] = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What followed an action on one measure: the verdict, and the episode that decides it
    (None when none yet). `after` counts periods from the action's start period to the
    episode's first point, or to the latest value when none followed."""

    verdict: Verdict
    episode: Episode | None
    after: int


def side_of(direction: Direction) -> Side:
    return "high" if direction == "up" else "low"


def follow_up(
    episodes: Sequence[Episode], start: int, latest: int, direction: Direction
) -> FollowUp:
    """The follow-up of an action that started at index `start` (the period it started in), on a
    series whose latest value is at index `latest`. Moving-range signals have no direction and
    do not count."""
    after = [e for e in episodes if e.start >= start and not e.rule.startswith("mr_")]
    wanted = side_of(direction)
    expected = [e for e in after if e.side == wanted]
    if expected:
        return FollowUp("followed", expected[0], expected[0].start - start)
    if after:
        return FollowUp("wrong_way", after[0], after[0].start - start)
    return FollowUp("none_yet", None, max(latest - start + 1, 0))


def spell(count: int, unit: str) -> str:
    """`two months`, `one month`, `12 months`: a count in words up to nine."""
    word = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else f"{count:,}"
    return f"{word} {unit}{'s' * (count != 1)}"


def follow_words(
    follow: FollowUp,
    rule_name: str,
    first: Period | None,
    direction: Direction,
    frequency: Frequency,
) -> str:
    """One sentence: what the data show after the action started. `rule_name` names the rule of
    the deciding episode, `first` is its first period."""
    unit = UNITS[frequency]
    if follow.verdict == "none_yet":
        if follow.after == 0:
            return f"No signal {direction} yet: no data since the action started."
        return (
            f"No signal {direction} yet: {spell(follow.after, unit)} of data since the action "
            "started show routine variation."
        )
    when = (
        f"in the {unit} the action started"
        if follow.after == 0
        else f"{spell(follow.after, unit)} after the action started"
    )
    if follow.verdict == "followed":
        return f"A signal {direction} ({rule_name.lower()}) began in {first}, {when}."
    other = "down" if direction == "up" else "up"
    return (
        f"A signal the wrong way ({rule_name.lower()}, {other}) began in {first}, {when}; "
        f"none {direction} yet."
    )


@dataclass(frozen=True, slots=True)
class MeasureFollowUp:
    """An action's follow-up on one measure it aims to move, with its sentence."""

    measure_id: str
    direction: Direction
    follow: FollowUp
    sentence: str


def expected_direction(aim: Aim, measure: Measure) -> Direction | None:
    """The aim's direction, or the measure's better; None when neither says."""
    if aim.direction is not None:
        return aim.direction
    better = measure.meta.better
    return better if better != "neutral" else None


def action_follow_up(
    action: Action, aim: Aim, measure: Measure, settings: SiteSettings, report_date: date
) -> MeasureFollowUp | None:
    """What followed `action` on `measure`; None before it ran, without a direction, or
    without data around its start. Signals are judged against the limits in force before the
    action: a phase recorded for the change the action made would otherwise hide it."""
    direction = expected_direction(aim, measure)
    if direction is None or not action.ran:
        return None
    analysis = analyse_measure(_before(measure, action.meta.start), settings, report_date)
    if analysis is None:
        return None
    start = containing(action.meta.start, measure.meta.frequency)
    index = analysis.index_of(max(start, analysis.periods[0]))
    latest = latest_index(analysis.xmr)
    if index is None or latest is None:
        return None
    follow = follow_up(episodes_of(analysis.xmr), index, latest, direction)
    episode = follow.episode
    rule = signal_label(analysis, episode.as_signal()) if episode else ""
    first = analysis.periods[episode.start] if episode else None
    sentence = follow_words(follow, rule, first, direction, measure.meta.frequency)
    return MeasureFollowUp(measure.id, direction, follow, sentence)


def _before(measure: Measure, day: date) -> Measure:
    """The measure with only the phases that began before the period of `day`."""
    limits, start = measure.meta.limits, containing(day, measure.meta.frequency)
    phases = [p for p in limits.phases if p.start < start]
    meta = measure.meta.model_copy(update={"limits": limits.model_copy(update={"phases": phases})})
    return dataclasses.replace(measure, meta=meta)

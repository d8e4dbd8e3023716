"""Did a signal follow an action? The verdict on episodes (Hypothesis), and its words in each of
the three cases on real analyses."""

import dataclasses
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from pumpsite.analysis.episodes import Episode
from pumpsite.analysis.follow import action_follow_up, follow_up
from pumpsite.analysis.signals import RULES
from pumpsite.schema import SiteSettings
from tests.factories import action, measure

TODAY = date(2027, 1, 20)
STEADY = [20.0, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22, 18, 20, 21, 19, 20, 22, 18, 20]


@st.composite
def episodes(draw: st.DrawFn) -> list[Episode]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        first = draw(st.integers(0, 40))
        points = tuple(range(first, first + draw(st.integers(1, 9))))
        side = draw(st.sampled_from(["high", "low"]))
        found.append(Episode(draw(st.sampled_from(RULES)), side, "neutral", points, 1))
    return sorted(found, key=lambda e: e.start)


def flipped(episode: Episode) -> Episode:
    return dataclasses.replace(episode, side="low" if episode.side == "high" else "high")


@given(episodes(), st.integers(0, 45), st.sampled_from(["up", "down"]))
def test_the_deciding_episode_begins_at_or_after_the_start(found, start, direction) -> None:  # type: ignore[no-untyped-def]
    result = follow_up(found, start, 50, direction)
    later = [e for e in found if e.start >= start and e.rule != "mr_beyond_url"]
    assert (result.verdict == "none_yet") == (not later)
    if result.episode is not None:
        assert result.episode.start >= start and result.after == result.episode.start - start
        assert result.episode.rule != "mr_beyond_url"
        wanted = "high" if direction == "up" else "low"
        assert (result.episode.side == wanted) == (result.verdict == "followed")
    else:
        assert result.after == 50 - start + 1


@given(episodes(), st.integers(0, 45), st.sampled_from(["up", "down"]))
def test_mirrored_data_give_the_mirrored_verdict(found, start, direction) -> None:  # type: ignore[no-untyped-def]
    other = "down" if direction == "up" else "up"
    result = follow_up(found, start, 50, direction)
    mirrored = follow_up([flipped(e) for e in found], start, 50, other)
    assert (result.verdict, result.after) == (mirrored.verdict, mirrored.after)


def sentence(values: list[float], start: str, direction: str = "down") -> str:
    m = measure("m", values, start="2024-09", better="down")
    act = action("a", [{"measure": "m", "direction": direction}], start=start)
    follow = action_follow_up(act, act.meta.measures[0], m, SiteSettings(), TODAY)
    assert follow is not None
    return follow.sentence


def test_a_signal_in_the_expected_direction_followed() -> None:
    values = [*STEADY, 15, 14, 15, 16, 15, 14, 15, 15]  # 2026-05 to 2026-12
    assert sentence(values, "2026-01-05") == (
        "A signal down (run of 9 on one side) began in 2026-03, two months after the action "
        "started."
    )


def test_no_signal_yet_and_for_how_long() -> None:
    values = [*STEADY, 21, 19, 20, 20, 21]
    assert sentence(values, "2026-07-06") == (
        "No signal down yet: three months of data since the action started show routine variation."
    )


def test_a_signal_the_wrong_way() -> None:
    values = [*STEADY, 20, 32]
    assert sentence(values, "2026-05-04") == (
        "A signal the wrong way (point beyond the limits, up) began in 2026-06, one month after "
        "the action started; none down yet."
    )


def test_a_phase_recorded_at_the_action_does_not_hide_what_followed() -> None:
    values = [*STEADY, 15, 14, 15, 16, 15, 14, 15, 15]
    m = measure(
        "m",
        values,
        start="2024-09",
        better="down",
        limits={"phases": [{"from": "2026-05", "reason": "the programme"}]},
    )
    act = action("a", ["m"], start="2026-05-04")
    follow = action_follow_up(act, act.meta.measures[0], m, SiteSettings(), TODAY)
    assert follow is not None and follow.follow.verdict == "followed"

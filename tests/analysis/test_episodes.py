"""Signals grouped into episodes, which episodes a page lists, and limits that no longer describe
the process: Hypothesis properties of the grouping, and the engine's output on real series."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pumpsite.analysis.episodes import (
    MIN_RECENT_VALUES,
    Episode,
    episodes_of,
    group_signals,
    latest_first,
    listing,
    outdated_limits,
)
from pumpsite.analysis.signals import RULES, Signal, without_echoes
from pumpsite.analysis.xmr import Analysis, Options, PhaseStart, analyse
from tests.long_series import seasonal, trending

fast = settings(max_examples=80, deadline=None)
BASE = [18.0, 22.0] * 10  # central line 20, limits 9.36 to 30.64, upper range limit 13.07


@st.composite
def signals_and_phases(draw: st.DrawFn) -> tuple[list[Signal], list[int]]:
    """Signals of any rule and side over 60 points cut into phases, each signal's points within
    one phase, as the rules find them."""
    starts = sorted(draw(st.sets(st.integers(1, 59), max_size=4)))
    bounds = [0, *starts, 60]
    found = []
    for _ in range(draw(st.integers(0, 30))):
        k = draw(st.integers(0, len(bounds) - 2))
        inside = range(bounds[k], bounds[k + 1])
        points = sorted(draw(st.sets(st.sampled_from(inside), min_size=1, max_size=8)))
        rule = draw(st.sampled_from(RULES))
        side = draw(st.sampled_from(["high", "low"]))
        found.append(Signal(rule, tuple(points), side, "neutral"))
    return found, starts


def phase_of(index: int, starts: Sequence[int]) -> int:
    return sum(start <= index for start in starts)


@pytest.mark.slow
@fast
@given(signals_and_phases())
def test_every_signal_point_is_in_exactly_one_episode_of_its_rule_and_side(
    case: tuple[list[Signal], list[int]],
) -> None:
    signals, starts = case
    episodes = group_signals(signals, starts)
    for signal in signals:
        for i in signal.points:
            holding = [
                e
                for e in episodes
                if (e.rule, e.side) == (signal.rule, signal.side) and i in e.points
            ]
            assert len(holding) == 1


@pytest.mark.slow
@fast
@given(signals_and_phases())
def test_episodes_of_one_rule_and_side_are_disjoint_and_not_adjacent_within_a_phase(
    case: tuple[list[Signal], list[int]],
) -> None:
    signals, starts = case
    episodes = group_signals(signals, starts)
    for a in episodes:
        assert phase_of(a.start, starts) == phase_of(a.end, starts), "one phase each"
        for b in episodes:
            same = (a.rule, a.side, phase_of(a.start, starts)) == (
                b.rule,
                b.side,
                phase_of(b.start, starts),
            )
            if a is not b and same:
                assert a.end + 1 < b.start or b.end + 1 < a.start


@pytest.mark.slow
@fast
@given(signals_and_phases())
def test_episodes_hold_only_signal_points_and_count_every_signal_once(
    case: tuple[list[Signal], list[int]],
) -> None:
    signals, starts = case
    episodes = group_signals(signals, starts)
    assert sum(e.signals for e in episodes) == len(signals)
    for e in episodes:
        assert e.points == tuple(sorted(set(e.points)))
        assert set(e.points) <= {
            i for s in signals if (s.rule, s.side) == (e.rule, e.side) for i in s.points
        }
    assert [(e.start, RULES.index(e.rule), e.side) for e in episodes] == sorted(
        (e.start, RULES.index(e.rule), e.side) for e in episodes
    )


series = st.lists(
    st.one_of(st.none(), st.integers(0, 40).map(float)), min_size=5, max_size=80
).filter(lambda values: sum(v is not None for v in values) >= 5)


@pytest.mark.slow
@fast
@given(series, st.sampled_from(["wheeler", "pump", "nhs"]))
def test_the_engines_signals_group_into_disjoint_episodes_covering_every_point(
    values: list[float | None], profile: str
) -> None:
    analysis = analyse(values, Options(profile=profile, baseline_size=12))  # type: ignore[arg-type]
    episodes = episodes_of(analysis)
    for signal in without_echoes(analysis.signals):  # one exceptional value is one event
        for i in signal.points:
            assert (
                sum(
                    i in e.points
                    for e in episodes
                    if e.rule == signal.rule and e.side == signal.side
                )
                == 1
            )
    assert len(episodes) <= len(analysis.signals)


# --- grouping real signals ---------------------------------------------------------------------


def episodes_for(values: Sequence[float | None], **options: object) -> list[Episode]:
    return episodes_of(analyse(values, Options(**options)))  # type: ignore[arg-type]


def test_values_beyond_the_limits_in_a_row_are_one_episode() -> None:
    episodes = episodes_for([*BASE, 40.0, 41.0, 42.0, 20.0, 43.0])
    beyond = [e for e in episodes if e.rule == "beyond_limits"]
    assert [(e.start, e.end, e.length, e.signals) for e in beyond] == [
        (20, 22, 3, 3),
        (24, 24, 1, 1),
    ]


def test_rules_and_sides_stay_apart() -> None:
    # The jumps into and out of the two outliers are part of their events (without_echoes).
    episodes = episodes_for([*BASE, 40.0, 0.0])
    assert {(e.rule, e.side, e.points) for e in episodes} == {
        ("beyond_limits", "high", (20,)),
        ("beyond_limits", "low", (21,)),
    }
    high_run = episodes_for([*BASE, 29.0, 29.5, 29.0, 29.5])  # inside the limits
    assert {(e.rule, e.side) for e in high_run} == {("short_run", "high")}


def test_a_phase_start_separates_two_episodes() -> None:
    values = [*BASE, *[40.0] * 3, *[18.0, 22.0] * 3, 60.0]
    one_phase = episodes_for(values)
    assert [e.points for e in one_phase if e.rule == "beyond_limits"] == [(20, 21, 22), (29,)]
    split = group_signals(
        [Signal("beyond_limits", (i,), "high", "neutral") for i in (20, 21, 22)], [21]
    )
    assert [e.points for e in split] == [(20,), (21, 22)]


def test_alternating_outliers_stay_separate_episodes() -> None:
    # 20, 40, 20, 40: the outliers are never next to each other, so each is its own event.
    episodes = episodes_for([*BASE, *[20.0, 40.0] * 5])
    beyond = [e for e in episodes if e.rule == "beyond_limits"]
    assert len(beyond) == 5 and all(e.length == 1 for e in beyond)


def test_a_trending_series_has_a_few_episodes_not_thousands_of_signals() -> None:
    analysis = analyse(trending(), Options())
    assert len(analysis.signals) > 2000
    episodes = episodes_of(analysis)
    assert len(episodes) < 50
    longest = max(episodes, key=lambda e: e.length)
    assert (longest.rule, longest.side, longest.end) == ("long_run", "high", len(trending()) - 1)


# --- listing -------------------------------------------------------------------------------------


def ep(start: int, end: int) -> Episode:
    return Episode("beyond_limits", "high", "neutral", tuple(range(start, end + 1)), 1)


def test_the_listing_keeps_what_touches_the_report_quarter() -> None:
    episodes = [ep(0, 2), ep(10, 11), ep(30, 40), ep(45, 45)]
    found = listing(episodes, since=40, most=10)
    assert found.listed == (ep(30, 40), ep(45, 45))
    assert found.earlier == (ep(0, 2), ep(10, 11))


def test_the_listing_keeps_the_latest_when_nothing_touches_the_quarter() -> None:
    found = listing([ep(0, 2), ep(10, 11)], since=50, most=10)
    assert found.listed == (ep(10, 11),)
    assert listing([ep(0, 2), ep(10, 11)], since=None, most=10).listed == (ep(10, 11),)
    assert listing([], since=3, most=10).listed == ()


def test_the_latest_are_all_those_that_end_last() -> None:
    run = Episode("long_run", "high", "neutral", (5, 7, 9, 11), 1)
    found = listing([ep(0, 2), run, ep(11, 11)], since=None, most=10)
    assert found.listed == (run, ep(11, 11))


def test_the_listing_keeps_at_most_the_latest_few() -> None:
    episodes = [ep(2 * k, 2 * k) for k in range(30)]
    found = listing(episodes, since=0, most=4)
    assert found.listed == tuple(episodes[-4:])
    assert len(found.earlier) == 26
    assert latest_first(found.earlier, 2) == (episodes[25], episodes[24])


# --- limits that no longer describe the process --------------------------------------------------


def analysis_of(values: Sequence[float | None], **options: object) -> Analysis:
    return analyse(values, Options(**options))  # type: ignore[arg-type]


def test_a_trend_makes_the_limits_outdated() -> None:
    outdated = outdated_limits(analysis_of(trending()))
    assert outdated is not None
    assert (outdated.signals, outdated.values, outdated.first) == (20, 20, len(trending()) - 20)


def test_a_season_makes_the_limits_outdated() -> None:
    assert outdated_limits(analysis_of(seasonal())) is not None


def test_a_predictable_series_and_a_lone_outlier_do_not() -> None:
    assert outdated_limits(analysis_of([*BASE, *BASE])) is None
    assert outdated_limits(analysis_of([*BASE, 40.0, *BASE[:10]])) is None


def test_eleven_of_the_latest_twenty_do_and_ten_do_not() -> None:
    # A run of 11 below the central line at the end: 11 of the latest 20 values are signals.
    assert outdated_limits(analysis_of([*BASE, *BASE[:9], *[17.0] * 11])) is not None
    assert outdated_limits(analysis_of([*BASE, *BASE[:10], *[17.0] * 10])) is None


def test_moving_range_signals_do_not_count() -> None:
    # Swings of 16 inside the limits 9.36 to 30.64: every moving range is a signal, no value is.
    analysis = analysis_of([*BASE, *[12.0, 28.0] * 10])
    assert len(analysis.signals) == 19
    assert {s.rule for s in analysis.signals} == {"mr_beyond_url"}
    assert outdated_limits(analysis) is None


def test_only_the_current_phase_counts_and_needs_enough_values() -> None:
    values = [*[40.0 + i for i in range(30)], *BASE]
    phased = analysis_of(values, phases=(PhaseStart(30, "New process"),))
    assert outdated_limits(phased) is None
    short = analysis_of([*BASE, *[17.0] * (MIN_RECENT_VALUES - 1)], phases=(PhaseStart(20, "x"),))
    assert outdated_limits(short) is None

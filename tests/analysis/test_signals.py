"""Signal rules: the §C worked examples under each profile, then one hand-made series per edge.

Indices are 0-based (the reference's point numbers minus one).
"""

from __future__ import annotations

import math

import pytest

from pumpsite.analysis.signals import (
    PROFILE_RULES,
    RULE_LABELS,
    Signal,
    detect,
    effect_of,
    rule_label,
    signal_name,
    without_echoes,
)
from pumpsite.analysis.xmr import (
    Analysis,
    Options,
    Phase,
    analyse,
    compute_limits,
    moving_ranges,
)
from pumpsite.vocabulary import Profile
from tests.worked_examples import TV1

TV3 = (120, 140, 100, 150, 260, 150, 100, 120, 300, 300, 275, 300, 140, 170, 150, 150, 190, 180)
TV6 = (21.3, 20.2, 20.9, 21.0, 18.8, 19.6, 18.7, 18.6, 18.1, 18.9, 19.2, 18.2, 17.3, 19.0)

BASE = (11.0, 9.0) * 5
"""Baseline for hand-made series: centre 10, mR̄ 2, UNPL 15.32, LNPL 4.68, URL 6.536."""
BASE_LIMITS = compute_limits(BASE, [2.0] * 9)

Found = set[tuple[str, tuple[int, ...], str]]


def found(analysis: Analysis, rule: str | None = None) -> Found:
    return {(s.rule, s.points, s.side) for s in analysis.signals if rule in (None, s.rule)}


def locked(tail: tuple[float | None, ...], profile: Profile = "wheeler", **kw: object) -> Analysis:
    """BASE followed by `tail`, judged against the limits locked on BASE."""
    return analyse((*BASE, *tail), Options(baseline_size=10, profile=profile, **kw))  # type: ignore[arg-type]


def after_base(*points: int) -> tuple[int, ...]:
    return tuple(len(BASE) + p for p in points)


# --- worked examples --------------------------------------------------------------------------

EXPECTED: list[tuple[str, tuple[float, ...], Profile, Found]] = [
    (
        "TV1",
        TV1,
        "wheeler",
        {("beyond_limits", (15,), "high"), ("mr_beyond_url", (15,), "high")},
    ),
    (
        "TV1",
        TV1,
        "pump",
        {("beyond_limits", (15,), "high"), ("long_run", tuple(range(8, 15)), "low")},
    ),
    (
        "TV1",
        TV1,
        "nhs",
        {
            ("beyond_limits", (15,), "high"),
            ("long_run", tuple(range(8, 15)), "low"),
            ("two_of_three", (12, 14), "low"),
        },
    ),
    (
        "TV3",
        TV3,
        "wheeler",
        {("mr_beyond_url", (8,), "high"), ("short_run", (8, 9, 10, 11), "high")},
    ),
    ("TV3", TV3, "pump", {("short_run", (8, 9, 10, 11), "high")}),
    ("TV3", TV3, "nhs", {("two_of_three", (8, 9, 11), "high")}),
    (
        "TV6",
        TV6,
        "wheeler",
        {("long_run", tuple(range(6, 14)), "low"), ("short_run", (0, 2, 3), "high")},
    ),
    (
        "TV6",
        TV6,
        "nhs",
        {("long_run", tuple(range(6, 14)), "low"), ("two_of_three", (0, 2, 3), "high")},
    ),
]


@pytest.mark.parametrize(
    ("values", "profile", "expected"),
    [pytest.param(v, p, e, id=f"{name}-{p}") for name, v, p, e in EXPECTED],
)
def test_worked_example_signals(
    values: tuple[float, ...], profile: Profile, expected: Found
) -> None:
    analysis = analyse(values, Options(profile=profile))
    assert found(analysis) == expected
    assert all(s.rule in PROFILE_RULES[profile] for s in analysis.signals)


def test_tv1_wheeler_has_no_long_run_of_seven() -> None:
    assert found(analyse(TV1), "long_run") == set()


def test_tv1_pump_run_length_eight_matches_wheeler() -> None:
    assert found(analyse(TV1, Options(profile="pump", run_length=8)), "long_run") == set()


def test_signals_are_sorted_by_first_point_then_rule() -> None:
    signals = analyse(TV1, Options(profile="nhs")).signals
    assert [(s.points[0], s.rule) for s in signals] == [
        (8, "long_run"),
        (12, "two_of_three"),
        (15, "beyond_limits"),
    ]
    assert [s.rule for s in analyse(TV1).signals] == ["beyond_limits", "mr_beyond_url"]


def test_tv9_opposite_sides_are_not_two_of_three() -> None:
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    analysis = analyse(values, Options(profile="nhs"))
    limits = analysis.phases[0].limits
    assert limits is not None
    # We never screen moving ranges: mR̄ = 43.5 / 15 = 2.9, so ±7.714 and 2σ = ±5.143.
    assert (limits.center, limits.unpl, limits.lnpl) == pytest.approx((0, 7.714, -7.714), abs=1e-3)
    assert limits.upper_two_sigma == pytest.approx(5.143, abs=1e-3)
    assert values[14] > limits.upper_two_sigma and values[15] < limits.lower_two_sigma
    assert analysis.signals == ()


def test_tv9_opposite_sides_under_wheeler_is_only_the_range_jump() -> None:
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    assert found(analyse(values)) == {("mr_beyond_url", (15,), "low")}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param((1, 2, 3, 4, 5, 6, 7), {("trend", tuple(range(7)), "high")}, id="rising"),
        pytest.param((7, 6, 5, 4, 3, 2, 1), {("trend", tuple(range(7)), "low")}, id="falling"),
        pytest.param((1, 2, 3, 3, 4, 5, 6), set(), id="tie-breaks"),
        pytest.param(
            (2, 1, 2, 3, 4, 5, 6, 7, 3), {("trend", tuple(range(1, 8)), "high")}, id="embedded"
        ),
        pytest.param((1, 2, 3, None, 4, 5, 6, 7), set(), id="gap-breaks"),
    ],
)
def test_tv9_nhs_trend(values: tuple[float | None, ...], expected: Found) -> None:
    assert found(analyse(values, Options(profile="nhs")), "trend") == expected


def test_trend_length_follows_run_length() -> None:
    values = (1, 2, 3, 4, 5, 1, 1)
    assert found(analyse(values, Options(profile="nhs")), "trend") == set()
    five = analyse(values, Options(profile="nhs", run_length=5))
    assert found(five, "trend") == {("trend", (0, 1, 2, 3, 4), "high")}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param((10,) * 8 + (1,), {("long_run", tuple(range(8)), "high")}, id="eight-above"),
        pytest.param((10,) * 6 + (1,), set(), id="six-above"),
    ],
)
def test_tv9_nhs_shift(values: tuple[float, ...], expected: Found) -> None:
    # Seven of the eight moving ranges are 0: data too coarse for limits by Wheeler's test,
    # which NHSRplotthedots does not make. Switched off to reproduce its vector.
    options = Options(profile="nhs", coarse_range_values=0)
    assert found(analyse(values, options), "long_run") == expected


# --- values exactly on a line are not beyond it -----------------------------------------------


def test_value_on_the_upper_limit_is_not_beyond() -> None:
    assert found(locked((BASE_LIMITS.unpl,)), "beyond_limits") == set()
    above = math.nextafter(BASE_LIMITS.unpl, math.inf)
    assert found(locked((above,)), "beyond_limits") == {("beyond_limits", after_base(0), "high")}


def test_value_on_the_lower_limit_is_not_beyond() -> None:
    assert found(locked((BASE_LIMITS.lnpl,)), "beyond_limits") == set()
    below = math.nextafter(BASE_LIMITS.lnpl, -math.inf)
    assert found(locked((below,)), "beyond_limits") == {("beyond_limits", after_base(0), "low")}


def test_moving_range_on_the_url_is_not_beyond() -> None:
    url = BASE_LIMITS.url
    on = locked((0.0, url))
    assert on.moving_ranges[-1] == url
    assert found(on, "mr_beyond_url") == {("mr_beyond_url", after_base(0), "low")}
    above = locked((0.0, math.nextafter(url, math.inf)))
    assert ("mr_beyond_url", after_base(1), "high") in found(above, "mr_beyond_url")


def test_values_on_the_halfway_line_are_not_beyond() -> None:
    line = BASE_LIMITS.upper_halfway
    assert found(locked((line, line, line, 10.0)), "short_run") == set()
    above = math.nextafter(line, math.inf)
    expected = {("short_run", after_base(0, 1, 2), "high")}
    assert found(locked((above, above, above, 10.0)), "short_run") == expected


def test_values_on_the_two_sigma_line_are_not_beyond() -> None:
    base = (11.5, 8.5) * 5  # centre 10, mR̄ 3: the lower two-sigma line is exactly 4.68

    def after(*tail: float) -> Analysis:
        return analyse((*base, *tail), Options(baseline_size=10, profile="nhs"))

    assert found(after(4.68, 4.68, 9.5), "two_of_three") == set()
    below = math.nextafter(4.68, -math.inf)
    assert found(after(below, below, 9.5), "two_of_three") == {("two_of_three", (10, 11), "low")}


# --- the central line -------------------------------------------------------------------------


def test_wheeler_value_on_the_centre_neither_counts_nor_breaks_a_run() -> None:
    analysis = locked((12, 12, 12, 10, 12, 12, 12, 12, 12))
    assert found(analysis, "long_run") == {("long_run", after_base(0, 1, 2, 4, 5, 6, 7, 8), "high")}
    assert found(locked((12,) * 7 + (10,)), "long_run") == set()


def test_nhs_value_on_the_centre_breaks_a_shift() -> None:
    assert found(locked((12, 12, 12, 10, 12, 12, 12, 12), "nhs"), "long_run") == set()
    expected = {("long_run", after_base(*range(7)), "high")}
    assert found(locked((12,) * 7, "nhs"), "long_run") == expected


def test_two_of_three_needs_all_three_on_the_same_side_of_the_mean() -> None:
    assert found(locked((14, 14, 10), "nhs"), "two_of_three") == set()  # 10 is on the mean
    assert found(locked((14, 10.5, 14), "nhs"), "two_of_three") == {
        ("two_of_three", after_base(0, 2), "high")
    }


def test_two_of_three_counts_points_beyond_the_limit() -> None:
    analysis = locked((16, 14, 11), "nhs")
    assert found(analysis, "two_of_three") == {("two_of_three", after_base(0, 1), "high")}
    assert found(analysis, "beyond_limits") == {("beyond_limits", after_base(0), "high")}


# --- gaps -------------------------------------------------------------------------------------


def test_gap_breaks_a_long_run() -> None:
    assert found(locked((12,) * 4 + (None,) + (12,) * 4), "long_run") == set()
    expected = {("long_run", after_base(*range(8)), "high")}
    assert found(locked((12,) * 8), "long_run") == expected


def test_gap_breaks_a_short_run_window() -> None:
    assert found(locked((13, 13, None, 13, 13)), "short_run") == set()
    assert found(locked((13, 13, 9, 13)), "short_run") == {
        ("short_run", after_base(0, 1, 3), "high")
    }


def test_no_moving_range_signal_across_a_gap() -> None:
    assert found(locked((9.0, None, 30.0, 30.0)), "mr_beyond_url") == set()


# --- short runs -------------------------------------------------------------------------------


def test_short_run_clusters_are_separate_signals() -> None:
    analysis = locked((13, 13, 13, 10, 10, 10, 10, 13, 13, 13))
    assert found(analysis, "short_run") == {
        ("short_run", after_base(0, 1, 2), "high"),
        ("short_run", after_base(7, 8, 9), "high"),
    }


def test_short_run_low_side() -> None:
    assert found(locked((7, 7, 10, 7)), "short_run") == {("short_run", after_base(0, 1, 3), "low")}


def test_short_run_counts_three_beyond_even_when_the_fourth_is_on_the_other_side() -> None:
    assert found(locked((13, 13, 13, 7)), "short_run") == {
        ("short_run", after_base(0, 1, 2), "high")
    }


# --- moving ranges ----------------------------------------------------------------------------


def test_moving_range_side_is_the_direction_of_the_jump() -> None:
    assert found(locked((9.0, 20.0, 9.0)), "mr_beyond_url") == {
        ("mr_beyond_url", after_base(1), "high"),
        ("mr_beyond_url", after_base(2), "low"),
    }


def test_pump_has_no_moving_range_rule() -> None:
    assert found(locked((9.0, 20.0, 9.0), "pump"), "mr_beyond_url") == set()


# --- effects, labels, detect ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "better", "effect"),
    [
        ("high", "up", "improvement"),
        ("high", "down", "concern"),
        ("low", "up", "concern"),
        ("low", "down", "improvement"),
        ("high", "neutral", "neutral"),
        ("low", "neutral", "neutral"),
    ],
)
def test_effect_of(side: str, better: str, effect: str) -> None:
    assert effect_of(side, better) == effect  # type: ignore[arg-type]


def test_signals_carry_the_effect() -> None:
    analysis = analyse(TV1, Options(profile="pump", better="up"))
    assert {(s.rule, s.effect) for s in analysis.signals} == {
        ("beyond_limits", "improvement"),
        ("long_run", "concern"),
    }


def test_labels() -> None:
    assert RULE_LABELS["pump"]["beyond_limits"] == "Outlier"
    assert RULE_LABELS["pump"]["long_run"] == "Long run"
    assert RULE_LABELS["pump"]["short_run"] == "Short run"
    assert RULE_LABELS["wheeler"] == {
        "beyond_limits": "Point beyond the limits",
        "mr_beyond_url": "Moving range above the upper range limit",
        "long_run": "Run of 8 on one side",
        "short_run": "3 of 4 beyond the halfway line",
        "trend": "Trend (8 rising or falling)",
        "two_of_three": "2 of 3 beyond 2 sigma",
    }
    assert RULE_LABELS["nhs"]["beyond_limits"] == "Point beyond the limits"
    assert RULE_LABELS["nhs"]["long_run"] == "Shift (7 on one side)"
    assert RULE_LABELS["nhs"]["trend"] == "Trend (7 rising or falling)"
    assert RULE_LABELS["nhs"]["two_of_three"] == "2 of 3 beyond 2 sigma"


def test_every_profile_labels_its_rules() -> None:
    for profile, rules in PROFILE_RULES.items():
        assert set(rules) <= set(RULE_LABELS[profile])


def test_rule_label_uses_the_run_length_in_force() -> None:
    assert rule_label("wheeler", "long_run", 7) == "Run of 7 on one side"
    assert rule_label("nhs", "long_run", 6) == "Shift (6 on one side)"
    assert rule_label("nhs", "trend") == "Trend (7 rising or falling)"


def test_detect_directly() -> None:
    values = (*BASE, 20.0)
    phase = Phase(0, 11, None, BASE_LIMITS, tuple(range(10)))
    signals = detect(values, moving_ranges(values), [phase], "pump", None, "down")
    assert signals == (Signal("beyond_limits", (10,), "high", "concern"),)


def test_detect_skips_phases_without_limits() -> None:
    values = (1.0, 100.0, 1.0)
    assert detect(values, moving_ranges(values), [Phase(0, 3, None, None, ())]) == ()


# --- what the signals mean: neutral moving ranges, one event per outlier, exclusions ------------


def test_a_moving_range_is_neutral_whichever_direction_is_better() -> None:
    # Back to normal after a high outlier: the fall is a jump, not a concern or an improvement.
    for better in ("up", "down", "neutral"):
        analysis = locked((10.0, 30.0, 10.0), better=better)
        jumps = [s for s in analysis.signals if s.rule == "mr_beyond_url"]
        assert [(s.points, s.side, s.effect) for s in jumps] == [
            (after_base(1), "high", "neutral"),
            (after_base(2), "low", "neutral"),
        ]


def test_one_outlier_is_one_event_not_three_signals() -> None:
    analysis = locked((10.0, 30.0, 10.0), better="down")
    assert len(analysis.signals) == 3
    assert without_echoes(analysis.signals) == (
        Signal("beyond_limits", after_base(1), "high", "concern"),
    )


def test_a_jump_within_the_limits_is_an_event_of_its_own() -> None:
    # 5 to 14.9: both inside the limits (4.68 to 15.32), the jump of 9.9 above the URL (6.536).
    analysis = locked((5.0, 14.9))
    assert without_echoes(analysis.signals) == (
        Signal("mr_beyond_url", after_base(1), "high", "neutral"),
    )


def test_a_jump_two_values_after_an_outlier_is_not_its_echo() -> None:
    analysis = locked((30.0, 10.0, 5.0, 14.9))
    assert [(s.rule, s.points) for s in without_echoes(analysis.signals)] == [
        ("beyond_limits", after_base(0)),
        ("mr_beyond_url", after_base(3)),
    ]


def test_an_excluded_value_raises_no_signal() -> None:
    analysis = locked((10.0, 30.0, 10.0), excluded=frozenset(after_base(1)))
    assert analysis.signals == ()


def test_an_excluded_value_neither_counts_nor_breaks_a_run() -> None:
    # 8 values above the centre with an explained low value in the middle: still one run of 8.
    tail = (10.5, 10.5, 10.5, 10.5, 1.0, 10.5, 10.5, 10.5, 10.5)
    analysis = locked(tail, excluded=frozenset(after_base(4)))
    assert found(analysis) == {("long_run", after_base(0, 1, 2, 3, 5, 6, 7, 8), "high")}
    assert found(locked(tail)) == {
        ("beyond_limits", after_base(4), "low"),
        ("mr_beyond_url", after_base(4), "low"),
        ("mr_beyond_url", after_base(5), "high"),
    }


def test_an_excluded_value_is_not_counted_in_a_three_of_four_window() -> None:
    # Beyond the upper halfway line (12.66): 13, 13 and the excluded 14; with it left out, the
    # window holds 13, 13, 10, 10: two of four.
    tail = (13.0, 14.0, 13.0, 10.0, 10.0)
    assert found(locked(tail), "short_run") == {("short_run", after_base(0, 1, 2), "high")}
    assert found(locked(tail, excluded=frozenset(after_base(1))), "short_run") == set()


@pytest.mark.parametrize(
    ("tail", "profile", "name"),
    [
        ((10.5,) * 9, "wheeler", "Run of 9 on one side"),
        ((10.5,) * 8, "wheeler", "Run of 8 on one side"),
        ((10.5,) * 12, "nhs", "Shift (12 on one side)"),
    ],
)
def test_a_signal_is_named_with_its_own_length(
    tail: tuple[float, ...], profile: Profile, name: str
) -> None:
    analysis = locked(tail, profile=profile)
    runs = [s for s in analysis.signals if s.rule == "long_run"]
    assert [signal_name(profile, s) for s in runs] == [name]


def test_a_trend_is_named_with_its_own_length() -> None:
    analysis = locked((4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0), profile="nhs")
    trends = [s for s in analysis.signals if s.rule == "trend"]
    assert [signal_name("nhs", s, 7) for s in trends] == ["Trend (9 rising or falling)"]
    point = next(s for s in analysis.signals if s.rule == "beyond_limits")
    assert signal_name("nhs", point, 7) == "Point beyond the limits"

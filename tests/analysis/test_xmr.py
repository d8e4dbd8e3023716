"""XmR limits, baselines, phases and targets: worked examples from xmr-and-pump.md §C and edges.

Constants: 2.66 and 3.268 (median option: 3.145 and 3.865). Point numbers in the reference are
1-based; indices here are 0-based.
"""

from __future__ import annotations

import math

import pytest

from pumpsite.analysis.xmr import (
    DEFAULT_OPTIONS,
    Analysis,
    Limits,
    Options,
    PhaseStart,
    achievement,
    analyse,
    assurance,
    compute_limits,
    latest_judged,
    moving_ranges,
    target_position,
    unsettled,
)
from tests.worked_examples import TV1

TV3 = (120, 140, 100, 150, 260, 150, 100, 120, 300, 300, 275, 300, 140, 170, 150, 150, 190, 180)
TV6 = (21.3, 20.2, 20.9, 21.0, 18.8, 19.6, 18.7, 18.6, 18.1, 18.9, 19.2, 18.2, 17.3, 19.0)
TV7_25 = (1, 10, 100, 50, *[1] * 21)

ALTERNATING = (11.0, 9.0) * 10  # centre 10, mR̄ 2, limits 4.68 .. 15.32, URL 6.536


def limits_of(values: tuple[float | None, ...], options: Options = DEFAULT_OPTIONS) -> Limits:
    limits = analyse(values, options).phases[0].limits
    assert limits is not None
    return limits


def approx(limits: Limits) -> tuple[float, float, float, float, float]:
    return (limits.center, limits.average_mr, limits.unpl, limits.lnpl, limits.url)


# --- worked examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(TV1, (4135.50, 355.93, 5082.28, 3188.72, 1163.19), id="TV1"),
        pytest.param(TV3, (183.06, 52.35, 322.31, 43.80, 171.09), id="TV3"),
        pytest.param(TV6, (19.271, 0.854, 21.54, 17.00, 2.79), id="TV6"),
    ],
)
def test_worked_example_limits(values: tuple[float, ...], expected: tuple[float, ...]) -> None:
    assert approx(limits_of(values)) == pytest.approx(expected, abs=0.01)


def test_tv1_moving_ranges() -> None:
    expected = (None, 695, 0, 375, 315, 140, 55, 200, 305, 55, 280, 115, 460, 385, 222, 1737)
    assert moving_ranges(TV1) == expected


def test_tv1_limits_are_unrounded() -> None:
    limits = limits_of(TV1)
    assert limits.average_mr == pytest.approx(5339 / 15, abs=1e-9)
    assert limits.unpl == pytest.approx(4135.5 + 2.66 * 5339 / 15, abs=1e-9)


def test_tv1_median_dispersion() -> None:
    limits = limits_of(TV1, Options(dispersion="median"))
    assert approx(limits) == pytest.approx((4135.5, 280, 5016.10, 3254.90, 1082.20), abs=0.01)
    assert limits.dispersion == "median"


@pytest.mark.parametrize(
    ("values", "ranges", "expected"),
    [
        pytest.param((10, 50, 40, 30), (40, 10, 10), (32.5, 20, 85.7, -20.7, 65.36), id="TV7a"),
        pytest.param(
            (1, 10, 100, 50), (9, 90, 50), (40.25, 149 / 3, 172.363, -91.863, 162.311), id="TV7b"
        ),
    ],
)
def test_tv7_compute_limits(
    values: tuple[float, ...], ranges: tuple[float, ...], expected: tuple[float, ...]
) -> None:
    assert approx(compute_limits(values, ranges)) == pytest.approx(expected, abs=0.001)


def test_tv7_four_values_are_a_run_chart() -> None:
    analysis = analyse((10, 50, 40, 30))
    assert analysis.phases[0].limits is None
    assert analysis.phases[0].baseline == (0, 1, 2, 3)  # the points a baseline will grow from
    assert analysis.signals == ()


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(Options(baseline_size=24), id="size"),
        pytest.param(Options(baseline_range=(0, 23)), id="range"),
    ],
)
def test_tv7_baseline_of_24_of_25(options: Options) -> None:
    limits = limits_of(TV7_25, options)
    assert limits.unpl == pytest.approx(30.4408, abs=0.002)
    assert limits.url == pytest.approx(28.1332, abs=0.002)
    assert limits.baseline_points == 24


# --- moving ranges and gaps -------------------------------------------------------------------


def test_moving_ranges_restart_and_skip_gaps() -> None:
    values = (1.0, 3.0, None, 4.0, 8.0, 7.0, 10.0)
    assert moving_ranges(values, restarts=[5]) == (None, 2.0, None, None, 4.0, None, 3.0)


def test_moving_ranges_of_nothing() -> None:
    assert moving_ranges(()) == ()


def test_gap_mean_range_uses_only_valid_ranges() -> None:
    analysis = analyse((10, 12, None, 20, 22, 21, 23))
    expected: tuple[float | None, ...] = (None, 2.0, None, None, 2.0, 1.0, 2.0)
    assert analysis.moving_ranges == expected
    limits = analysis.phases[0].limits
    assert limits is not None
    assert (limits.center, limits.average_mr) == (18, 7 / 4)
    assert analysis.phases[0].baseline == (0, 1, 3, 4, 5, 6)


def test_no_moving_range_in_baseline_gives_no_limits() -> None:
    analysis = analyse((1, None, 2, None, 3, None, 4, None, 5))
    assert analysis.phases[0].limits is None
    assert analysis.signals == ()


def test_values_are_stored_as_floats() -> None:
    analysis = analyse((1, 2, None))
    assert analysis.values == (1.0, 2.0, None)
    assert all(isinstance(value, float) for value in analysis.values if value is not None)


# --- baseline: locked limits, trial limits, run charts ----------------------------------------


def test_limits_are_locked_after_the_first_twenty_points() -> None:
    values = (*ALTERNATING, *[16.0] * 10)
    analysis = analyse(values)
    phase = analysis.phases[0]
    assert phase.baseline == tuple(range(20))
    assert phase.limits == compute_limits(ALTERNATING, [2.0] * 19)
    assert analysis.limits_at(29) is phase.limits
    beyond = [s.points[0] for s in analysis.signals if s.rule == "beyond_limits"]
    assert beyond == list(range(20, 30))


def test_baseline_size_is_configurable() -> None:
    analysis = analyse((*ALTERNATING[:10], *[30.0] * 5), Options(baseline_size=10))
    assert analysis.phases[0].baseline == tuple(range(10))
    assert limits_of(analysis.values, Options(baseline_size=10)).center == 10


def test_baseline_skips_missing_and_excluded_points() -> None:
    values: list[float | None] = [*ALTERNATING, 9.0, 11.0, 9.0]
    values[3] = None
    analysis = analyse(values, Options(excluded=frozenset({5})))
    expected = tuple(i for i in range(22) if i not in (3, 5))
    assert analysis.phases[0].baseline == expected


def test_baseline_range_applies_to_the_first_phase_only() -> None:
    values = (*[50.0, 52.0] * 3, *ALTERNATING[:10], *[20.0, 24.0] * 4)
    options = Options(baseline_range=(6, 15), phases=(PhaseStart(16, "new process"),))
    first, second = analyse(values, options).phases
    assert first.baseline == tuple(range(6, 16))
    assert first.limits is not None and first.limits.center == 10
    assert second.baseline == tuple(range(16, 24))
    assert second.limits is not None and second.limits.center == 22


@pytest.mark.parametrize(("size", "trial"), [(5, True), (11, True), (12, False), (30, False)])
def test_trial_flag_below_twelve_points(size: int, trial: bool) -> None:
    values = (ALTERNATING * 2)[:size]
    limits = limits_of(values, Options(baseline_size=30))
    assert limits.trial is trial
    assert limits.baseline_points == size


def test_fewer_than_five_points_is_a_run_chart() -> None:
    analysis = analyse((1.0, 100.0, 1.0, -100.0))
    assert analysis.phases[0].limits is None
    assert analysis.limits_at(1) is None
    assert analysis.signals == ()
    assert analysis.rebase_hint is None


def test_empty_series() -> None:
    analysis = analyse(())
    assert analysis.current_phase.limits is None
    assert (analysis.current_phase.start, analysis.current_phase.end) == (0, 0)
    assert analysis.signals == ()


# --- phases -----------------------------------------------------------------------------------


def test_each_phase_recomputes_its_own_limits() -> None:
    values = (*ALTERNATING[:10], *[19.0, 21.0] * 5)
    analysis = analyse(values, Options(phases=(PhaseStart(10, "new rota"),)))
    first, second = analysis.phases
    assert (first.start, first.end, first.reason) == (0, 10, None)
    assert (second.start, second.end, second.reason) == (10, 20, "new rota")
    assert first.limits is not None and second.limits is not None
    assert (first.limits.center, first.limits.average_mr) == (10, 2)
    assert (second.limits.center, second.limits.average_mr) == (20, 2)
    assert analysis.moving_ranges[10] is None
    assert analysis.signals == ()


def test_phases_given_out_of_order_are_sorted() -> None:
    options = Options(phases=(PhaseStart(12, "b"), PhaseStart(6, "a")))
    analysis = analyse(ALTERNATING, options)
    assert [(p.start, p.end, p.reason) for p in analysis.phases] == [
        (0, 6, None),
        (6, 12, "a"),
        (12, 20, "b"),
    ]


def test_short_phase_is_a_run_chart() -> None:
    values = (*ALTERNATING, 100.0, 0.0, 100.0)
    analysis = analyse(values, Options(phases=(PhaseStart(20, "trial"),)))
    assert analysis.phases[0].limits is not None
    assert analysis.current_phase.limits is None
    assert analysis.signals == ()


def test_never_rebases_automatically() -> None:
    analysis = analyse((*ALTERNATING, *[40.0] * 20))
    assert len(analysis.phases) == 1
    assert analysis.rebase_hint == 20


# --- exclusions -------------------------------------------------------------------------------


def test_excluded_point_is_kept_but_left_out_of_the_limits() -> None:
    values = (10, 12, 10, 12, 10, 100, 10, 12, 10, 12)
    analysis = analyse(values, Options(excluded=frozenset({5})))
    limits = analysis.phases[0].limits
    assert limits is not None
    assert limits.center == pytest.approx(98 / 9)
    assert limits.average_mr == 2  # the ranges at 5 and 6 touch the excluded point
    assert analysis.phases[0].baseline == (0, 1, 2, 3, 4, 6, 7, 8, 9)
    assert analysis.moving_ranges[5:7] == (90, 90)
    assert analysis.excluded == frozenset({5})
    # An explained special cause raises no signal, nor do the jumps into and out of it.
    assert analysis.rules_at(5) == ()
    assert analysis.rules_at(6) == ()
    assert analysis.signals == ()


# --- helpers ----------------------------------------------------------------------------------


def test_phase_of_and_limits_at() -> None:
    analysis = analyse(ALTERNATING, Options(phases=(PhaseStart(10, "x"),)))
    assert analysis.phase_of(9) is analysis.phases[0]
    assert analysis.phase_of(10) is analysis.phases[1]
    assert analysis.current_phase is analysis.phases[1]
    assert analysis.limits_at(15) is analysis.phases[1].limits
    with pytest.raises(IndexError):
        analysis.phase_of(20)
    with pytest.raises(IndexError):
        analysis.phase_of(-1)


def test_rules_at_a_point_without_signals() -> None:
    assert analyse(TV1).rules_at(0) == ()
    assert analyse(TV1).rules_at(15) == ("beyond_limits", "mr_beyond_url")


def test_analysis_keeps_its_options() -> None:
    options = Options(profile="nhs", better="up")
    assert analyse(TV1, options).options is options


# --- rebase hint ------------------------------------------------------------------------------


def test_rebase_hint_for_a_run_still_going() -> None:
    assert analyse(TV6).rebase_hint == 6


def test_no_rebase_hint_when_the_run_ended() -> None:
    assert analyse(TV1, Options(profile="pump")).rebase_hint is None  # run 9-15, then 16 above


def test_rebase_hint_ignores_trailing_gaps() -> None:
    assert analyse((*TV6, None, None)).rebase_hint == 6


def test_rebase_hint_follows_the_run_length() -> None:
    values = (*ALTERNATING[:10], *[12.0] * 7)
    assert analyse(values, Options(baseline_size=10)).rebase_hint is None
    assert analyse(values, Options(baseline_size=10, profile="pump")).rebase_hint == 10


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (Options(phases=(PhaseStart(0, "x"),)), "phase start 0"),
        (Options(phases=(PhaseStart(20, "x"),)), "phase start 20"),
        (Options(phases=(PhaseStart(5, "x"), PhaseStart(5, "y"))), "distinct"),
        (Options(run_length=1), "run_length"),
        (Options(baseline_size=4), "baseline_size"),
        (Options(baseline_range=(5, 4)), "baseline_range"),
        (Options(baseline_range=(0, 20)), "baseline_range"),
        (Options(baseline_range=(0, 10), phases=(PhaseStart(10, "x"),)), "baseline_range"),
        (Options(excluded=frozenset({20})), "excluded"),
        (Options(profile="xmrit"), "profile"),  # type: ignore[arg-type]
        (Options(dispersion="mean"), "dispersion"),  # type: ignore[arg-type]
        (Options(better="higher"), "better"),  # type: ignore[arg-type]
    ],
)
def test_invalid_options_raise(options: Options, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        analyse(ALTERNATING, options)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_values_raise(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        analyse((1.0, bad, 2.0))


def test_compute_limits_needs_values_and_ranges() -> None:
    with pytest.raises(ValueError, match="at least one"):
        compute_limits([1.0, 2.0], [])


# --- assurance and achievement ----------------------------------------------------------------

LIMITS = Limits(
    center=10, average_mr=5 / 2.66, unpl=15, lnpl=5, url=1, baseline_points=20, trial=False
)


@pytest.mark.parametrize(
    ("target", "position"),
    [(4.9, "below"), (5.0, "within"), (10.0, "within"), (15.0, "within"), (15.1, "above")],
)
def test_a_target_on_a_limit_is_within_the_limits(target: float, position: str) -> None:
    assert target_position(LIMITS, target) == position


@pytest.mark.parametrize(
    ("target", "better", "expected"),
    [
        (4.0, "up", "met_consistently"),
        (16.0, "up", "not_met"),
        (4.0, "down", "not_met"),
        (16.0, "down", "met_consistently"),
        (12.0, "up", "hit_or_miss"),
        (8.0, "down", "hit_or_miss"),
        (100.0, "neutral", None),
    ],
)
def test_assurance(target: float, better: str, expected: str | None) -> None:
    analysis = analyse(ALTERNATING)
    assert assurance(analysis, target, better) == expected  # type: ignore[arg-type]


def test_a_target_exactly_on_a_limit_is_hit_or_miss() -> None:
    analysis = analyse(ALTERNATING)
    limits = analysis.current_phase.limits
    assert limits is not None
    assert assurance(analysis, limits.unpl, "up") == "hit_or_miss"
    assert assurance(analysis, limits.lnpl, "up") == "hit_or_miss"


@pytest.mark.parametrize(
    ("tail", "why"),
    [
        ((12.0, 12.4) * 4, "a long run at the latest value"),
        ((30.0,), "the latest value beyond a limit"),
        ((13.0, 13.0, 13.0), "3 of 4 beyond the halfway line at the latest value"),
    ],
)
def test_no_assurance_while_the_latest_values_are_signals(
    tail: tuple[float, ...], why: str
) -> None:
    analysis = analyse((*ALTERNATING, *tail))
    assert unsettled(analysis), why
    for target in (0.0, 10.0, 100.0):
        assert assurance(analysis, target, "up") == "unpredictable"


def test_assurance_after_an_outlier_that_has_passed() -> None:
    analysis = analyse((*ALTERNATING, 30.0, 10.0))  # the jump back is the outlier's, not a signal
    assert unsettled(analysis) == ()
    assert assurance(analysis, 4.0, "up") == "met_consistently"


def test_an_excluded_latest_value_leaves_the_assurance_to_the_values_before_it() -> None:
    values = (*ALTERNATING, 30.0)
    analysis = analyse(values, Options(excluded=frozenset({20})))
    assert latest_judged(analysis) == 19
    assert assurance(analysis, 4.0, "up") == "met_consistently"


def phased(
    tail: tuple[float, ...], at: int = 20, head: tuple[float, ...] = ALTERNATING
) -> Analysis:
    return analyse((*head, *tail), Options(phases=(PhaseStart(at, "new process"),), better="up"))


UP = (19.0, 21.0) * 10  # centre 20: every value is beyond the old upper limit of 15.32


def test_achieved_after_a_signal_a_phase_and_firm_limits() -> None:
    analysis = phased(UP)
    result = achievement(analysis, 18, "up")
    assert result.achieved
    assert result.change is not None and result.change.rule == "beyond_limits"
    assert result.change.points == (20,)
    assert achievement(analysis, 20, "up").achieved  # exactly on the central line
    assert achievement(analysis, 20.5, "up").shortfalls == ("short_of_target",)


def test_not_achieved_without_a_phase_change() -> None:
    analysis = analyse((*ALTERNATING, *UP), Options(better="up"))
    assert all(v is not None and v > 18 for v in analysis.values[20:])  # points cross the target
    assert achievement(analysis, 18, "up").shortfalls == ("short_of_target", "no_new_phase")
    assert achievement(analysis, 9, "up").shortfalls == ("no_new_phase",)


def test_a_deterioration_is_not_achievement() -> None:
    # Lower is better, and the new phase is worse: its central line is past a target of 25 only
    # because the target was loose; the change was the wrong way.
    result = achievement(phased(UP), 25, "down")
    assert result.shortfalls == ("not_better", "no_signal")
    assert result.change is None


def test_a_new_phase_without_a_signal_is_not_achievement() -> None:
    analysis = phased((11.0, 9.5) * 10)  # centre 10.25: a little higher, and nothing to show it
    assert achievement(analysis, 10, "up").shortfalls == ("no_signal",)


def test_a_signal_long_before_the_phase_does_not_mark_it() -> None:
    head = (*ALTERNATING, 30.0, *(11.0, 9.0) * 5)  # a favourable outlier at 20
    analysis = phased((11.0, 9.5) * 10, at=31, head=head)
    assert achievement(analysis, 10, "up").shortfalls == ("no_signal",)


def test_a_long_run_from_the_first_value_of_the_phase_marks_it() -> None:
    # 12 and 12.4: above the old centre of 10, below its halfway line of 12.66.
    result = achievement(phased((12.0, 12.4) * 10), 12, "up")
    assert result.achieved
    assert result.change is not None and result.change.rule == "long_run"
    assert result.change.points[0] == 20


def test_a_long_run_that_began_before_the_phase_marks_it() -> None:
    values = (*ALTERNATING, 12.0, 12.4, 12.0)
    result = achievement(phased((12.4, 12.0) * 10, at=23, head=values), 12, "up")
    assert result.change is not None and result.change.points[0] == 20
    assert result.achieved


def test_trial_limits_are_not_achievement() -> None:
    assert achievement(phased(UP[:5]), 18, "up").shortfalls == ("trial",)
    assert achievement(phased(UP[:11]), 18, "up").shortfalls == ("trial",)
    assert achievement(phased(UP[:12]), 18, "up").achieved


def test_not_achieved_when_the_current_phase_has_no_limits() -> None:
    assert achievement(phased((30.0, 30.0, 30.0)), 18, "up").shortfalls == ("no_limits",)


def test_not_achieved_after_a_run_chart() -> None:
    analysis = phased(UP, at=4, head=ALTERNATING[:4])
    assert achievement(analysis, 18, "up").shortfalls == ("no_signal",)


def test_no_achievement_without_a_better_direction() -> None:
    assert achievement(phased(UP), 18, "neutral").shortfalls == ("no_direction",)

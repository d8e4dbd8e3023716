"""Hypothesis properties of the XmR arithmetic: one property per test, bounded strategies."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pumpsite.signals import without_echoes
from pumpsite.xmr import Limits, Options, achievement, analyse, assurance, moving_ranges

fast = settings(max_examples=60, deadline=None)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
series = st.lists(finite, min_size=5, max_size=60)
shifts = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
ALL = Options(baseline_size=60)


def limits_of(values: list[float], options: Options = ALL) -> Limits:
    limits = analyse(values, options).phases[0].limits
    assert limits is not None
    return limits


def close(a: float, b: float, scale: float) -> bool:
    """Equal up to float rounding of numbers of magnitude `scale`."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * (scale + 1))


def magnitude(values: list[float]) -> float:
    return max(abs(v) for v in values)


@fast
@given(series)
def test_limits_are_symmetric_about_the_centre(values: list[float]) -> None:
    limits = limits_of(values)
    scale = magnitude(values)
    assert close(limits.unpl - limits.center, limits.center - limits.lnpl, scale)
    assert close(limits.upper_halfway - limits.center, limits.center - limits.lower_halfway, scale)


@fast
@given(series, shifts)
def test_adding_a_constant_shifts_centre_and_limits(values: list[float], shift: float) -> None:
    before, after = limits_of(values), limits_of([v + shift for v in values])
    scale = magnitude(values) + abs(shift)
    assert close(after.center, before.center + shift, scale)
    assert close(after.unpl, before.unpl + shift, scale)
    assert close(after.lnpl, before.lnpl + shift, scale)
    assert close(after.url, before.url, scale)


@fast
@given(series, shifts)
def test_adding_a_constant_leaves_moving_ranges_unchanged(
    values: list[float], shift: float
) -> None:
    before, after = moving_ranges(values), moving_ranges([v + shift for v in values])
    scale = magnitude(values) + abs(shift)
    assert before[0] is None and after[0] is None
    pairs = zip(after[1:], before[1:], strict=True)
    assert all(a is not None and b is not None and close(a, b, scale) for a, b in pairs)


@fast
@given(series, factors)
def test_scaling_by_a_positive_factor_scales_everything(values: list[float], k: float) -> None:
    before, after = limits_of(values), limits_of([v * k for v in values])
    scale = magnitude(values) * k
    for name in ("center", "average_mr", "unpl", "lnpl", "url"):
        assert close(getattr(after, name), getattr(before, name) * k, scale), name


@fast
@given(series)
def test_a_series_without_gaps_has_n_minus_one_non_negative_ranges(values: list[float]) -> None:
    ranges = moving_ranges(values)
    assert len(ranges) == len(values)
    assert ranges[0] is None
    known = [r for r in ranges if r is not None]
    assert len(known) == len(values) - 1
    assert all(r >= 0 for r in known)


@fast
@given(series, st.floats(min_value=1e-3, max_value=1e6), st.booleans())
def test_a_point_beyond_a_locked_limit_is_flagged(
    values: list[float], excess: float, high: bool
) -> None:
    limits = limits_of(values)
    limit = limits.unpl if high else limits.lnpl
    point = limit + excess if high else limit - excess
    assert point > limits.unpl or point < limits.lnpl
    analysis = analyse([*values, point], Options(baseline_size=len(values)))
    assert "beyond_limits" in analysis.rules_at(len(values))
    assert analysis.phases[0].limits == limits


@fast
@given(finite, st.integers(min_value=5, max_value=60))
def test_a_constant_series_has_zero_width_limits_and_no_outliers(value: float, n: int) -> None:
    analysis = analyse([value] * n)
    limits = analysis.phases[0].limits
    assert limits is not None
    assert limits.center == limits.unpl == limits.lnpl == value
    assert limits.average_mr == limits.url == 0
    assert "beyond_limits" not in {s.rule for s in analysis.signals}


betters = st.sampled_from(["up", "down", "neutral"])
profiles = st.sampled_from(["wheeler", "pump", "nhs"])


@fast
@given(series, betters)
def test_moving_range_signals_are_neutral(values: list[float], better: str) -> None:
    analysis = analyse(values, Options(better=better))  # type: ignore[arg-type]
    assert all(s.effect == "neutral" for s in analysis.signals if s.rule == "mr_beyond_url")


@fast
@given(series, profiles, st.data())
def test_an_excluded_value_is_in_no_signal(
    values: list[float], profile: str, data: st.DataObject
) -> None:
    excluded = frozenset(data.draw(st.sets(st.integers(0, len(values) - 1), max_size=3)))
    analysis = analyse(values, Options(profile=profile, excluded=excluded))  # type: ignore[arg-type]
    assert not any(set(s.points) & excluded for s in analysis.signals)
    jumps = [s.points[0] for s in analysis.signals if s.rule == "mr_beyond_url"]
    assert not any(i in excluded or i - 1 in excluded for i in jumps)


@fast
@given(series)
def test_no_jump_into_or_out_of_an_outlier_is_an_event_of_its_own(values: list[float]) -> None:
    signals = analyse(values).signals
    kept = without_echoes(signals)
    outliers = {s.points[0] for s in signals if s.rule == "beyond_limits"}
    assert [s for s in signals if s.rule != "mr_beyond_url"] == [
        s for s in kept if s.rule != "mr_beyond_url"
    ]
    assert not any(
        s.points[0] in outliers or s.points[0] - 1 in outliers
        for s in kept
        if s.rule == "mr_beyond_url"
    )


@fast
@given(series, finite, betters)
def test_without_a_recorded_phase_nothing_is_achieved(
    values: list[float], target: float, better: str
) -> None:
    assert not achievement(analyse(values), target, better).achieved  # type: ignore[arg-type]


@fast
@given(series, st.booleans(), st.sampled_from(["up", "down"]))
def test_a_target_on_a_limit_is_hit_or_miss(values: list[float], upper: bool, better: str) -> None:
    analysis = analyse(values, ALL)
    limits = analysis.current_phase.limits
    assume(limits is not None)  # data too coarse for limits have none
    assert limits is not None
    target = limits.unpl if upper else limits.lnpl
    verdict = assurance(analysis, target, better)  # type: ignore[arg-type]
    assert verdict in ("hit_or_miss", "unpredictable")


@fast
@given(series, st.floats(min_value=1e-3, max_value=1e6), finite, st.sampled_from(["up", "down"]))
def test_no_verdict_while_the_latest_value_is_beyond_the_limits(
    values: list[float], excess: float, target: float, better: str
) -> None:
    limits = analyse(values, ALL).current_phase.limits
    assume(limits is not None)  # data too coarse for limits have none
    assert limits is not None
    point = limits.unpl + excess
    analysis = analyse([*values, point], Options(baseline_size=len(values)))
    assert assurance(analysis, target, better) == "unpredictable"  # type: ignore[arg-type]

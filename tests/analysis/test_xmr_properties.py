"""Hypothesis properties of the XmR arithmetic: one property per test, bounded strategies."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pumpsite.analysis.signals import without_echoes
from pumpsite.analysis.xmr import (
    Analysis,
    Limits,
    Options,
    achievement,
    analyse,
    assurance,
    moving_ranges,
)

fast = settings(max_examples=60, deadline=None)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
series = st.lists(finite, min_size=5, max_size=60)
shifts = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
ALL = Options(baseline_size=60)


def limits_of(values: list[float], options: Options = ALL) -> Limits:
    """The limits of the whole series; series too coarse for limits (many equal neighbours, as
    Hypothesis likes to make) are left out."""
    limits = analyse(values, options).phases[0].limits
    assume(limits is not None)
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
def test_a_constant_series_is_too_coarse_for_limits_and_has_no_signals(
    value: float, n: int
) -> None:
    analysis = analyse([value] * n)
    phase = analysis.phases[0]
    assert phase.limits is None and phase.without_limits == "too_coarse" and phase.step == 0
    assert analysis.signals == ()


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


# --- values exactly on a line -------------------------------------------------------------------
# A baseline of 5 multiples of a decimal step has a central line S/5 and an average moving range
# R/4 (times the step): every line is then a terminating decimal that a value can sit on exactly
# (the two-sigma lines too when 3 divides R).

steps = st.sampled_from(["1", "0.1", "0.01", "0.25", "2.5", "0.003", "7"])
multiples = st.lists(st.integers(min_value=-500, max_value=500), min_size=5, max_size=5)


def decimal_text(number: Fraction) -> str:
    """A terminating rational as exact decimal text."""
    digits = Decimal(number.numerator) / Decimal(number.denominator)
    assert Fraction(digits) == number, "the line is a terminating decimal"
    return str(digits)


def on_line(number: Fraction) -> float:
    """The value a CSV cell holding the line's exact decimal would give."""
    return float(decimal_text(number))


def baseline(step: str, ints: list[int]) -> tuple[list[float], Fraction, Fraction]:
    """The values, their exact central line and exact average moving range."""
    values = [float(Decimal(step) * k) for k in ints]
    center = Fraction(sum(ints)) * Fraction(step) / 5
    spread = Fraction(sum(abs(b - a) for a, b in itertools.pairwise(ints))) / 4
    return values, center, spread * Fraction(step)


def after(values: list[float], tail: list[float], profile: str = "wheeler") -> Analysis:
    options = Options(baseline_size=5, profile=profile)  # type: ignore[arg-type]
    analysis = analyse([*values, *tail], options)
    assume(analysis.phases[0].limits is not None)  # not too coarse for limits
    return analysis


def tail_rules(analysis: Analysis, first: int = 5) -> set[str]:
    return {s.rule for s in analysis.signals if any(i >= first for i in s.points)}


LINES = [
    pytest.param("beyond_limits", Fraction("2.66"), 3, "wheeler", id="limit"),
    pytest.param("short_run", Fraction("1.33"), 4, "wheeler", id="halfway"),
    pytest.param("two_of_three", Fraction("2.66") * 2 / 3, 3, "nhs", id="two-sigma"),
]
"""Lines a value can be beyond: the rule, the line's distance from the centre in average
moving ranges, how many values on it would make the rule fire, and the rules it belongs to."""


@pytest.mark.parametrize(("rule", "factor", "count", "profile"), LINES)
@fast
@given(steps=steps, ints=multiples, up=st.booleans())
def test_values_exactly_on_a_line_are_never_beyond_it(
    rule: str, factor: Fraction, count: int, profile: str, steps: str, ints: list[int], up: bool
) -> None:
    values, center, spread = baseline(steps, ints)
    line = center + factor * spread * (1 if up else -1)
    assume(line.denominator % 3 != 0)  # a terminating decimal: a value can sit on it
    assert rule not in tail_rules(after(values, [on_line(line)] * count, profile))


@pytest.mark.slow
@fast
@given(steps, multiples, st.sampled_from(["wheeler", "nhs"]))
def test_values_exactly_on_the_central_line_are_on_no_side(
    step: str, ints: list[int], profile: str
) -> None:
    values, center, _spread = baseline(step, ints)
    assert "long_run" not in tail_rules(after(values, [on_line(center)] * 9, profile))


@pytest.mark.slow
@fast
@given(steps, multiples, st.booleans())
def test_a_value_on_the_central_line_neither_extends_nor_breaks_a_run(
    step: str, ints: list[int], up: bool
) -> None:
    values, center, _spread = baseline(step, ints)
    offset = Fraction(step) / 1000 * (1 if up else -1)
    near, across, on = on_line(center + offset), on_line(center - offset), on_line(center)
    tail = [across] + [near] * 4 + [on] * 3 + [near] * 3  # the run starts after `across` (5)
    runs = [s.points for s in after(values, tail).signals if s.rule == "long_run"]
    assert not any(6 in points for points in runs)  # 7 off the line: no run of 8
    longer = after(values, [*tail, near])
    runs = [s.points for s in longer.signals if s.rule == "long_run"]
    assert (6, 7, 8, 9, 13, 14, 15, 16) in runs  # the values on the line did not break it


@fast
@given(steps, multiples)
def test_a_moving_range_exactly_on_the_url_is_never_beyond_it(step: str, ints: list[int]) -> None:
    values, center, spread = baseline(step, ints)
    start = on_line(center)
    jump = on_line(center + Fraction("3.268") * spread)
    analysis = after(values, [start, jump, start])
    assert "mr_beyond_url" not in tail_rules(analysis, 6)


@pytest.mark.slow
@fast
@given(steps=steps, ints=multiples, upper=st.booleans(), better=st.sampled_from(["up", "down"]))
def test_a_target_on_a_limit_is_hit_or_miss(
    steps: str, ints: list[int], upper: bool, better: str
) -> None:
    # The limits of a decimal baseline are decimals a target can be written as exactly.
    values, center, spread = baseline(steps, ints)
    analysis = analyse(values, Options(baseline_size=5))
    assume(analysis.current_phase.limits is not None)  # not too coarse for limits
    limit = center + Fraction("2.66") * spread if upper else center - Fraction("2.66") * spread
    verdict = assurance(analysis, on_line(limit), better)  # type: ignore[arg-type]
    assert verdict in ("hit_or_miss", "unpredictable")

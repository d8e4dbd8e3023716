"""Values exactly on a line are on it: every side is decided exactly (issue 11, "Exact
comparisons"). Each case below was decided by binary floating-point chance before."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction

import pytest

from pumpsite.analysis import exact
from pumpsite.analysis.exact import Line, decimal_of, range_side, scaled
from pumpsite.analysis.xmr import Analysis, Options, PhaseStart, analyse, assurance

# fmt: off
CENTRE_28_9 = (
    30.5, 28.5, 29.1, 27.4, 27.1, 29.1, 30.8, 27.3, 28.8, 30.2,
    27.0, 29.3, 28.0, 30.0, 30.3, 30.5, 30.1, 27.3, 29.6, 27.1,
)
"""20 values whose mean is exactly 28.9 (a float mean of them is 28.900000000000002)."""
UPPER_130_8 = (
    116.1, 106.4, 102.8, 110.7, 112.8, 100.1, 111.2, 113.2, 115.6, 100.5,
    107.4, 118.3, 108.9, 119.5, 109.4, 106.0, 117.2, 116.6, 102.4, 106.5,
)
"""20 values whose upper natural process limit is exactly 130.8 (in floats 130.79999999999998)."""
# fmt: on


def rules(analysis: Analysis, first: int = 20) -> set[str]:
    """The rules of the signals that involve a point from `first` on."""
    return {s.rule for s in analysis.signals if any(i >= first for i in s.points)}


def test_values_on_a_central_line_of_28_9_make_no_run() -> None:
    analysis = analyse([*CENTRE_28_9, *[28.9] * 8])
    limits = analysis.phases[0].limits
    assert limits is not None and limits.center == 28.9
    assert "long_run" not in rules(analysis)


def test_a_value_on_an_upper_limit_of_130_8_is_not_beyond_it() -> None:
    analysis = analyse([*UPPER_130_8, 130.8])
    limits = analysis.phases[0].limits
    assert limits is not None and limits.unpl == 130.8
    assert "beyond_limits" not in rules(analysis)
    assert "beyond_limits" in rules(analyse([*UPPER_130_8, 130.81]))


def test_in_whole_numbers_a_moving_range_equal_to_the_url_is_not_beyond_it() -> None:
    # mR̄ 1250, so the URL is exactly 3.268 × 1250 = 4085 (3.268 * 1250 = 4084.9999999999995)
    analysis = analyse([*[1000, 2250] * 10, 1000, 5085])
    limits = analysis.phases[0].limits
    assert limits is not None and limits.url == 4085
    assert analysis.moving_ranges[-1] == 4085
    assert "mr_beyond_url" not in rules(analysis, 21)
    assert not analysis.range_beyond_url(21)
    assert "mr_beyond_url" in rules(analyse([*[1000, 2250] * 10, 1000, 5086]), 21)


def test_values_of_4_on_a_halfway_line_of_4_are_not_3_of_4() -> None:
    # central line 1.34, mR̄ 2: the upper halfway line is 1.34 + 1.33 × 2 = 4 exactly
    analysis = analyse([*[0.34, 2.34] * 10, 4, 4, 4, 1])
    limits = analysis.phases[0].limits
    assert limits is not None and limits.upper_halfway == 4
    assert "short_run" not in rules(analysis)
    assert "short_run" in rules(analyse([*[0.34, 2.34] * 10, 4.01, 4.01, 4.01, 1]))


def test_a_target_exactly_on_a_limit_is_on_it() -> None:
    analysis = analyse(UPPER_130_8)
    assert analysis.phases[0].limits is not None
    assert assurance(analysis, 130.8, "up") == "hit_or_miss"
    assert assurance(analysis, 130.81, "up") == "not_met"


@pytest.mark.parametrize("profile", ["wheeler", "pump", "nhs"])
def test_every_profile_decides_the_central_line_exactly(profile: str) -> None:
    analysis = analyse([*CENTRE_28_9, *[28.9] * 8], Options(profile=profile))  # type: ignore[arg-type]
    assert "long_run" not in rules(analysis)


# --- the exact arithmetic itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (28.9, Fraction(289, 10)),
        (-0.5, Fraction(-1, 2)),
        (1e-05, Fraction(1, 100_000)),
        (1.5e16, Fraction(15 * 10**15)),
        (95.0, Fraction(95)),
        (0.1 + 0.2, Fraction("0.30000000000000004")),
    ],
)
def test_decimal_of_is_the_shortest_decimal_of_the_float(value: float, expected: Fraction) -> None:
    assert decimal_of(value) == expected
    ints, scale = scaled([value])
    assert Fraction(ints[0], 10**scale) == expected


def test_scaled_puts_values_over_one_power_of_ten() -> None:
    assert scaled([1.5, 20.0, -0.25, 3e-3]) == ([1500, 20000, -250, 3], 3)
    assert scaled([]) == ([], 0)


def test_side_is_exact_where_floats_are_equal() -> None:
    third = Line.of(Fraction(1, 3))  # no decimal is on it
    assert third.value == 1 / 3
    assert exact.side(1 / 3, third) == -1  # 0.3333333333333333 is below a third
    assert exact.side(0.1, Line.of(Fraction(1, 10))) == 0
    assert exact.side(0.1, Line.at(0.1)) == 0
    assert exact.sides([0.2, None, 0.1, 0.05], Line.at(0.1)) == [1, None, 0, -1]
    assert exact.above(0.2, Line.at(0.1)) and exact.below(0.05, Line.at(0.1))
    assert exact.side(15, Line.at(15)) == 0  # whole numbers, as YAML gives targets to Python
    assert exact.side(1e-05, Line.of(Fraction(1, 100_000))) == 0


def test_range_side_is_exact_near_the_line() -> None:
    assert abs(0.3 - 0.1) != 0.2  # the float difference misses the decimal one
    assert range_side(0.1, 0.3, Line.at(0.2)) == 0
    assert range_side(0.3, 0.1, Line.at(0.2)) == 0
    assert range_side(0.1, 0.31, Line.at(0.2)) == 1
    assert range_side(1e15, -1e15, Line.at(2e15)) == 0
    assert range_side(5.0, 5.0, Line.at(0.0)) == 0


# --- realistic series against exact rational arithmetic ------------------------------------------


def seasonal_weekly(seed: int) -> list[float | None]:
    """Eight years of weekly values with a trend, a season and noise, to one decimal, gapped."""
    rng = random.Random(seed)
    values: list[float | None] = [
        round(300 + 0.05 * t + 12 * math.sin(2 * math.pi * t / 52) + rng.gauss(0, 4), 1)
        for t in range(416)
    ]
    for t in rng.sample(range(416), 20):
        values[t] = None
    return values


def chunky_counts(seed: int) -> list[float | None]:
    """Whole-number counts around 10, many of them on the central line."""
    rng = random.Random(seed)
    return [float(10 + rng.choice((-3, -2, -1, 0, 0, 0, 1, 2, 3))) for _ in range(300)]


def reference(values: Sequence[float | None], start: int, end: int) -> dict[str, set[int]]:
    """Wheeler's rules on one phase, in Fractions from the values' decimal text: the points
    flagged by each rule. The baseline is the phase's first 20 values, ranges between them."""
    x = [None if v is None else Fraction(str(v)) for v in values]
    base = [i for i in range(start, end) if x[i] is not None][:20]
    ranges = [abs(x[i] - x[i - 1]) for i in base if i - 1 in base]  # type: ignore[operator]
    centre = sum(x[i] for i in base) / len(base)  # type: ignore[misc]
    spread = sum(ranges) / len(ranges)
    upper, lower = centre + Fraction("2.66") * spread, centre - Fraction("2.66") * spread
    url, half = Fraction("3.268") * spread, Fraction("1.33") * spread
    found: dict[str, set[int]] = {rule: set() for rule in ("beyond", "mr", "run", "short")}
    run: list[int] = []
    side = 0
    for i in range(start, end):
        value = x[i]
        if value is None:
            run, side = [], 0
            continue
        if value > upper or value < lower:
            found["beyond"].add(i)
        previous = x[i - 1] if i > start else None
        if previous is not None and abs(value - previous) > url:
            found["mr"].add(i)
        here = (value > centre) - (value < centre)
        if here == 0:
            continue  # on the central line: neither counts nor breaks
        run = [*run, i] if here == side else [i]
        side = here
        if len(run) >= 8:
            found["run"].update(run)
        window = [x[j] for j in range(i - 3, i + 1)] if i - 3 >= start else []
        for sign in (1, -1):
            if window and all(w is not None for w in window):
                line = centre + sign * half
                beyond = [
                    j
                    for j, w in zip(range(i - 3, i + 1), window, strict=True)
                    if (w - line) * sign > 0
                ]  # type: ignore[operator]
                if len(beyond) >= 3:
                    found["short"].update(beyond)
    return found


RULE_NAMES = {
    "beyond_limits": "beyond",
    "mr_beyond_url": "mr",
    "long_run": "run",
    "short_run": "short",
}


@pytest.mark.parametrize(
    ("values", "phase"),
    [
        pytest.param(seasonal_weekly(1), 200, id="seasonal-weekly-gapped"),
        pytest.param(seasonal_weekly(2), 60, id="seasonal-weekly-second-phase"),
        pytest.param(chunky_counts(3), 150, id="whole-numbers-on-the-centre"),
        pytest.param([*CENTRE_28_9, *[28.9, 29.0, 28.9, 28.8] * 20], 50, id="on-the-centre"),
    ],
)
def test_signals_are_those_of_exact_rational_arithmetic(
    values: list[float | None], phase: int
) -> None:
    analysis = analyse(values, Options(phases=(PhaseStart(phase, "changed"),)))
    for start, end in ((0, phase), (phase, len(values))):
        if analysis.phase_of(start).limits is None:
            continue
        expected = reference(values, start, end)
        for rule, name in RULE_NAMES.items():
            flagged = {
                i for s in analysis.signals if s.rule == rule for i in s.points if start <= i < end
            }
            assert flagged == expected[name], (rule, start)

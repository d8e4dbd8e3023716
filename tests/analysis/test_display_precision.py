"""Numbers for managers: limits shown to the precision of the spread, never so coarse that they
look the same, and never so that a shown value contradicts the side the exact module decides.
Hypothesis properties, on series written with up to four decimals as the CSV reader keeps them."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
from pumpsite.analysis.reading import Words, describe_signal, distinct, level_decimals
from pumpsite.model import Measure
from pumpsite.numbers import MAX_DECIMALS, fmt, spread_decimals
from pumpsite.schema import SiteSettings
from tests.factories import measure

fast = settings(max_examples=150, deadline=None)
REPORT_DATE = date(2030, 1, 1)


@st.composite
def series(draw: st.DrawFn) -> list[float | None]:
    """12 to 40 values around a level with noise, to 0 to 4 decimals, and maybe an outlier."""
    decimals = draw(st.integers(0, MAX_DECIMALS))
    scale = draw(st.sampled_from([1, 10, 1_000, 100_000]))
    level = draw(st.integers(-5, 50)) * scale
    noise = st.integers(-scale, scale)
    units = [level + draw(noise) for _ in range(draw(st.integers(12, 40)))]
    if draw(st.booleans()):
        units.append(level + draw(st.sampled_from([-1, 1])) * 10 * scale)
    return [round(u / 10**decimals, decimals) for u in units]


def analysed(values: list[float | None]) -> tuple[Measure, MeasureAnalysis]:
    subject = measure("m", values, unit="days")
    analysis = analyse_measure(subject, SiteSettings(), REPORT_DATE)
    assert analysis is not None
    return subject, analysis


def shown(text: str) -> float:
    """A number as a sentence shows it: thin-space groups, a unit after it."""
    return float(text.replace("\u2009", "").split()[0])


@fast
@given(series())
def test_shown_limits_look_different_when_they_are(values: list[float | None]) -> None:
    _, analysis = analysed(values)
    decimals = level_decimals(analysis.xmr)
    for phase in analysis.xmr.phases:
        if phase.limits is None:
            continue
        limits = phase.limits
        for a, b in [(limits.lnpl, limits.center), (limits.center, limits.unpl)]:
            if a != b:
                assert fmt(a, decimals) != fmt(b, decimals)
        if limits.average_mr != limits.url:
            assert fmt(limits.average_mr, decimals) != fmt(limits.url, decimals)


@fast
@given(st.floats(1e-9, 1e9, allow_nan=False))
def test_one_significant_digit_of_sigma(sigma: float) -> None:
    decimals = spread_decimals(sigma)
    assert decimals >= 0
    if sigma < 1:
        shown_sigma = fmt(sigma, decimals).lstrip("0.")
        assert shown_sigma and shown_sigma[0] != "0"  # one significant digit, not zero
        assert fmt(sigma, decimals - 1).strip("0.") in ("", "1")  # and no more than that


@fast
@given(
    st.integers(-(10**8), 10**8),
    st.integers(-(10**8), 10**8),
    st.integers(0, MAX_DECIMALS),
    st.floats(1e-6, 1e6),
)
def test_a_value_shown_against_a_line_never_crosses_it(
    value_units: int, line_units: int, value_decimals: int, sigma: float
) -> None:
    """A value as written and a line to the spread's decimals, the line widened by `distinct`:
    the shown order is never the reverse of the exact one (1.4492 is not shown above 1.449)."""
    value = round(value_units / 10**value_decimals, value_decimals)
    line = line_units / 10**MAX_DECIMALS + 1e-5  # a line has more digits than the data
    decimals = distinct(value, line, spread_decimals(sigma))
    as_value, as_line = shown(fmt(value, value_decimals)), shown(fmt(line, decimals))
    if value > line:
        assert as_value >= as_line
    if value < line:
        assert as_value <= as_line
    if value != line and decimals < MAX_DECIMALS:
        assert fmt(value, decimals) != fmt(line, decimals)


@fast
@given(series())
@example([0.004, *[0.0] * 9, 0.005, 0.001])  # a limit of 0.003977: shown as 0.00398, not 0.0040
def test_signal_words_never_show_a_value_on_the_wrong_side(values: list[float | None]) -> None:
    subject, analysis = analysed(values)
    words = Words.of(subject, analysis)
    for signal in analysis.xmr.signals:
        if signal.rule != "beyond_limits":
            continue
        text = describe_signal(words, signal)  # '1.46 days in Mar 2025 is above … of 1.449 days'
        number, line = shown(text), shown(text.rsplit(" of ", 1)[1])
        assert (number > line) if signal.side == "high" else (number < line), text

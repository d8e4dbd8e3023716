"""The plain-language reading of a measure: the sentences, word for word.

Base series: 18 and 22 alternating, 20 values from Jan 2024: central line 20, average moving
range 4, natural process limits 9.36 to 30.64, upper range limit 13.07. Sigma is 3.5, so limits
show one significant digit of it: whole numbers (9 to 31).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import pytest

from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
from pumpsite.analysis.reading import (
    Reading,
    between,
    distinct,
    long_date,
    period_name,
    read_measure,
    signal_label,
    span_name,
    with_unit,
)
from pumpsite.model import Measure, Observation, Series
from pumpsite.periods import Frequency, parse_label, parse_period
from pumpsite.schema import MeasureMeta, SiteSettings
from tests.long_series import seasonal, trending

BASE: list[float | None] = [18.0, 22.0] * 10
REPORT = date(2026, 11, 23)


def measure(
    values: list[float | None],
    *,
    frequency: Frequency = "monthly",
    start: str = "2024-01",
    **meta: Any,
) -> Measure:
    data = {
        "title": "Complaints",
        "goal": "g",
        "frequency": frequency,
        "better": "down",
        "unit": "complaints",
        **meta,
    }
    parsed = MeasureMeta.model_validate(data, context={"frequency": frequency})
    first = parse_period(start, frequency)
    assert first is not None
    observations = tuple(Observation(first + i, v, "", i + 2) for i, v in enumerate(values))
    return Measure(
        "complaints",
        "measures/complaints.md",
        parsed,
        "",
        "data/complaints.csv",
        Series("data/complaints.csv", "value", observations),
    )


def analysed(m: Measure, on: date = REPORT) -> MeasureAnalysis:
    analysis = analyse_measure(m, SiteSettings(), on)
    assert analysis is not None
    return analysis


def read(values: list[float | None], **meta: Any) -> Reading:
    m = measure(values, **meta)
    return read_measure(m, analysed(m))


def improve(target: float, **extra: Any) -> dict[str, Any]:
    return {"roles": [{"from": "2024-Q1", "role": "improve", "target": target, **extra}]}


# --- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2025-03", "Mar 2025"),
        ("2026-W09", "week 9 of 2026"),
        ("2026-Q1", "2026-Q1"),
        ("2026-03-31", "31 Mar 2026"),
        ("2026", "2026"),
    ],
)
def test_period_names(label: str, expected: str) -> None:
    period = parse_label(label)
    assert period is not None
    assert period_name(period) == expected


def test_spans_dates_and_units() -> None:
    first, last = parse_label("2026-04"), parse_label("2026-11")
    assert first is not None and last is not None
    assert span_name(first, last) == "Apr 2026 to Nov 2026"
    assert span_name(first, first) == "Apr 2026"
    assert long_date(date(2026, 11, 23)) == "23 November 2026"
    assert with_unit("4.05", "%") == "4.05%"
    assert with_unit("12", "complaints") == "12 complaints"
    assert with_unit("12", "") == "12"
    assert between("2.1", "4.3", "%") == "2.1% and 4.3%"
    assert between("12.3", "30.4", "days", "to") == "12.3 to 30.4 days"


def test_distinct_adds_decimals_until_two_numbers_differ() -> None:
    assert distinct(12.3, 12.34, 1) == 2
    assert distinct(12.3, 12.3, 1) == 1
    assert distinct(10, 12.34, 1) == 1


# --- status ----------------------------------------------------------------------------------


def test_predictable() -> None:
    reading = read(BASE)
    assert reading.paragraphs[0] == (
        "Predictable since Jan 2024: expect between 9 and 31 complaints each month, "
        "20 complaints on average."
    )
    assert reading.paragraphs[-1] == (
        "No signal in the latest value (22 complaints in Aug 2025): don't react to the rise."
    )
    assert reading.summary == " ".join(reading.paragraphs)


def test_a_dip_without_a_signal_is_not_news() -> None:
    reading = read([*BASE, 18.0])
    assert reading.paragraphs[-1] == (
        "No signal in the latest value (18 complaints in Sep 2025): don't react to the dip."
    )


def test_lower_limit_below_zero_for_data_that_cannot_be_negative() -> None:
    reading = read([1.0, 9.0] * 10)
    assert reading.paragraphs[0].startswith(
        "Predictable since Jan 2024: expect up to 26 complaints each month"
    )


def test_long_run_below_is_an_improvement_when_lower_is_better() -> None:
    reading = read([*BASE, *[17.0] * 8])
    assert reading.paragraphs[0] == (
        "Not predictable: 1 signal since Jan 2024, against natural process limits of 9 to "
        "31 complaints (central line 20 complaints)."
    )
    assert (
        "Signal: 8 values in a row below the central line of 20 complaints, since Sep 2025 "
        "(an improvement). Consider a new phase from Sep 2025 if you know what changed."
    ) in reading.paragraphs
    assert reading.summary == (
        "Signal: 8 values in a row below the central line of 20 complaints, since Sep 2025 "
        "(an improvement)."
    )
    assert reading.paragraphs[-1] == (
        "The latest value (17 complaints in Apr 2026) is part of that signal: the change is "
        "still going on."
    )


def test_long_run_below_is_a_concern_when_higher_is_better() -> None:
    reading = read([*BASE, *[17.0] * 8], better="up")
    assert reading.summary.endswith("since Sep 2025 (a concern).")


def test_a_long_run_that_ended_is_dated_from_and_to() -> None:
    reading = read([*BASE, *[17.0] * 8, 23.0])
    assert (
        "Signal: 8 values in a row below the central line of 20 complaints, from Sep 2025 to "
        "Apr 2026 (an improvement)."
    ) in reading.paragraphs
    assert reading.summary.endswith(
        "No signal in the latest value (23 complaints in May 2026): don't react to the rise."
    )


def test_outlier_in_the_latest_point() -> None:
    reading = read([*BASE, 40.0])
    assert reading.summary == (
        "Signal: 40 complaints in Sep 2025 is above the upper natural process limit of "
        "31 complaints (a concern)."
    )
    # One exceptional value is one event: the jump into it is part of it, not a second signal.
    assert reading.paragraphs[0].startswith("Not predictable: 1 signal since Jan 2024,")
    assert not [p for p in reading.paragraphs if "upper range limit" in p]
    assert reading.paragraphs[-1] == (
        "Signal in the latest value (40 complaints in Sep 2025): find out what happened while "
        "it is fresh."
    )


def test_a_favourable_outlier_is_worth_learning_from() -> None:
    reading = read([*BASE, 2.0])
    assert reading.paragraphs[-1] == (
        "Signal in the latest value (2 complaints in Sep 2025): find out what happened, and "
        "keep it if it can be repeated."
    )


def test_neutral_measures_have_signals_without_a_verdict() -> None:
    reading = read([*BASE, 40.0], better="neutral")
    assert reading.summary == (
        "Signal: 40 complaints in Sep 2025 is above the upper natural process limit of "
        "31 complaints."
    )


def test_trial_limits() -> None:
    reading = read(BASE[:9])
    assert reading.paragraphs[0].endswith("20 complaints on average (trial limits).")
    assert reading.paragraphs[1] == (
        "Trial limits: based on only 9 values; they will firm up with more data."
    )


def test_run_chart() -> None:
    reading = read([18.0, 22.0, 19.0])
    assert reading.summary == "Run chart: 3 values so far; limits need 5."
    assert reading.paragraphs == (
        "Run chart: 3 values so far; limits need 5.",
        "Latest value: 19 complaints in Mar 2024.",
    )


def test_run_chart_after_a_new_phase() -> None:
    phases = {"phases": [{"from": "2025-09", "reason": "New process"}]}
    reading = read([*BASE, 15.0, 16.0], limits=phases)
    assert reading.paragraphs[:2] == (
        "Run chart since Sep 2025: 2 values so far; limits need 5.",
        "Current phase since Sep 2025: New process.",
    )


def test_weekly_periods_in_sentences() -> None:
    reading = read(BASE, frequency="weekly", start="2026-W01")
    assert reading.paragraphs[0].startswith("Predictable since week 1 of 2026: expect between")
    assert "each week" in reading.paragraphs[0]


def test_percent_units_attach_to_every_number() -> None:
    reading = read([3.8, 4.2] * 10, unit="%")
    assert reading.paragraphs[0] == (
        "Predictable since Jan 2024: expect between 2.9% and 5.1% each month, 4.0% on average."
    )


# --- targets ---------------------------------------------------------------------------------


def test_target_that_will_not_be_met_unless_the_process_changes() -> None:
    reading = read(BASE, **improve(5))
    assert reading.paragraphs[-1] == (
        "The target of 5 complaints sits below the lower natural process limit (9 complaints): "
        "it will not be met unless the process changes. To reach it, the central line has to "
        "move from 20 complaints to 5 complaints."
    )


def test_target_that_will_be_met_consistently() -> None:
    reading = read(BASE, **improve(35))
    assert reading.paragraphs[-1] == (
        "The target of 35 complaints sits above the upper natural process limit "
        "(31 complaints): it will be met consistently as the process stands, without any change. "
        "Not achieved yet, although the central line (20 complaints) is at or past the target "
        "of 35 complaints: no new phase has been recorded after a sustained shift."
    )


def test_hit_or_miss_target() -> None:
    reading = read(BASE, **improve(15))
    assert reading.paragraphs[-1] == (
        "The target of 15 complaints sits inside the natural process limits (9 to 31 "
        "complaints): hit or miss. Some values will meet it and some won't, so one value "
        "meeting it proves nothing. To reach it, the central line has to move from "
        "20 complaints to 15 complaints."
    )


def test_target_next_to_a_limit_gets_enough_decimals_to_tell_them_apart() -> None:
    reading = read(BASE, **improve(9.355))
    assert "sits below the lower natural process limit (9.360 complaints)" in reading.paragraphs[-1]


def test_target_without_limits_cannot_be_judged() -> None:
    reading = read([18.0, 22.0, 19.0], **improve(10))
    assert reading.paragraphs[-1] == (
        "The target of 10 complaints can't be judged yet: the chart has no limits."
    )


def test_no_verdict_from_limits_a_signal_has_outdated() -> None:
    reading = read([*BASE, *[17.0] * 8], **improve(5))
    assert reading.paragraphs[-1] == (
        "The target of 5 complaints can't be judged until a new phase: the latest values are "
        "signals (8 values in a row below the central line of 20 complaints, since Sep 2025), "
        "so the limits since Jan 2024 no longer describe the process."
    )


PROGRAMME = {"phases": [{"from": "2025-09", "reason": "Customer success programme"}]}


def test_achieved_only_by_a_sustained_shift_of_the_central_line() -> None:
    # 7 and 9 from Sep 2025: every value below the old lower limit of 9.36, twelve of them.
    reading = read([*BASE, *[7.0, 9.0] * 6], limits=PROGRAMME, **improve(10))
    assert reading.paragraphs[-1].startswith(
        "Target achieved: the phase from Sep 2025 starts with a signal of improvement against "
        "the previous limits (point beyond the limits, from Sep 2025), and its central line, "
        "8 complaints, is at or past the target of 10 complaints. "
    )
    assert "Current phase since Sep 2025: Customer success programme." in reading.paragraphs


def test_trial_limits_of_a_new_phase_are_not_yet_achievement() -> None:
    reading = read([*BASE, 7.0, 9.0, 7.0, 9.0, 7.0], limits=PROGRAMME, **improve(10))
    assert reading.paragraphs[-1].endswith(
        "Not achieved yet, although the central line (8 complaints) is at or past the target "
        "of 10 complaints: the new phase's limits are still trial (5 values; firm from 12)."
    )


def test_a_deterioration_is_not_achievement() -> None:
    # Lower is better and complaints rose to about 25 in a new phase: the target of 30 is loose.
    reading = read([*BASE, *[24.0, 26.0] * 6], limits=PROGRAMME, **improve(30))
    assert reading.paragraphs[-1].endswith(
        "Not achieved yet, although the central line (25 complaints) is at or past the target "
        "of 30 complaints: the new phase's central line (25 complaints) is not better than "
        "the previous one (20 complaints); no signal of improvement against the previous "
        "limits marks the start of the new phase (Sep 2025)."
    )


def test_one_value_beyond_the_target_is_not_achievement() -> None:
    reading = read([*BASE, 5.0], **improve(10))
    assert "achieved" not in " ".join(reading.paragraphs)


def test_a_phase_reason_that_ends_its_own_sentence_gets_no_second_full_stop() -> None:
    phases = {"phases": [{"from": "2025-09", "reason": "Programme launched (see notes)."}]}
    reading = read([*BASE, *[20.0] * 6], limits=phases)
    assert "Current phase since Sep 2025: Programme launched (see notes)." in reading.paragraphs


def test_a_long_series_describes_its_latest_signals_and_counts_the_rest() -> None:
    # Every 40 is beyond the upper limit (the jumps to and from it are part of its event); the
    # 40s are never next to each other, so each is its own signal.
    reading = read([*BASE, *[20.0, 40.0] * 600], frequency="daily", start="2020-01-01")
    assert reading.paragraphs[0].startswith("Not predictable: 601 signals since 1 Jan 2020,")
    assert reading.paragraphs[1:4] == (
        "Signal: 601 values in a row above the central line of 20 complaints, since 20 Jan "
        "2020 (a concern). Consider a new phase from 20 Jan 2020 if you know what changed.",
        "Signal: 40 complaints on 4 May 2023 is above the upper natural process limit of "
        "31 complaints (a concern).",
        "Not described here: 599 earlier signals since 1 Jan 2020.",
    )
    assert len(reading.paragraphs) == 5


# --- long, trending, seasonal, constant and short series -------------------------------------

OUTDATED = (
    "Most of the latest values are signals (20 of the latest 20, since week 28 of 2026): these "
    "limits no longer describe the process. Record a new phase if something changed; otherwise "
    "the data may have a trend or a season."
)


def read_weekly(values: list[float | None], unit: str) -> Reading:
    m = measure(values, frequency="weekly", start="1983-W07", unit=unit)
    return read_measure(m, analysed(m), REPORT)


def test_a_trending_series_says_once_that_the_limits_no_longer_describe_it() -> None:
    reading = read_weekly(trending(), "ppm")
    assert reading.paragraphs == (
        "Not predictable: 27 signals since week 7 of 1983, against natural process limits of "
        "341.0 to 343.6 ppm (central line 342.3 ppm).",
        f"{OUTDATED} For a trend or a season the usual answer is an XmR chart of deseasonalised "
        "values, or one around a trend line, which pumpsite does not draw.",
        "Latest value: 417.08 ppm in week 47 of 2026.",
    )
    assert reading.summary == OUTDATED


def test_a_seasonal_series_says_the_same_once() -> None:
    reading = read_weekly(seasonal(), "calls")
    assert reading.paragraphs[0].startswith("Not predictable: 312 signals since week 7 of 1983")
    assert reading.paragraphs[1].startswith(OUTDATED)
    assert reading.paragraphs[2:] == ("Latest value: 158.9 calls in week 47 of 2026.",)
    assert reading.summary == OUTDATED


def test_a_constant_series_raises_no_signal_and_no_warning_about_its_limits() -> None:
    reading = read([95.0] * 24, unit="%")
    assert len(reading.paragraphs) == 2
    assert "Signal" not in " ".join(reading.paragraphs)
    assert "no longer describe" not in reading.summary


def test_a_short_series_is_a_run_chart_in_two_sentences() -> None:
    reading = read([18.0, 22.0, 19.0])
    assert reading.paragraphs == (
        "Run chart: 3 values so far; limits need 5.",
        "Latest value: 19 complaints in Mar 2024.",
    )


def test_signals_of_the_report_quarter_are_described_and_earlier_ones_counted() -> None:
    # Monthly: an outlier in Nov 2025, and three months beyond the upper limit in a row, Sep to
    # Nov 2026, which touch the report quarter: one signal, described once. The jumps into and
    # out of the outlier, and into Sep 2026, are part of those events: one earlier signal.
    values: list[float | None] = [
        *BASE,
        18.0,
        22.0,
        40.0,
        *[18.0, 22.0] * 4,
        18.0,
        41.0,
        42.0,
        43.0,
    ]
    m = measure(values, better="up")
    reading = read_measure(m, analysed(m), REPORT)
    assert reading.paragraphs[1:4] == (
        "Signal: 3 values in a row above the upper natural process limit of 31 complaints, "
        "since Sep 2026 (an improvement).",
        "Signal: values closer to the upper limit than to the central line (at least 3 of 4 in "
        "a row), since Sep 2026 (an improvement).",
        "Not described here: 1 earlier signal since Jan 2024.",
    )


# --- what the readings claim (issue 11) ------------------------------------------------------


def test_the_gap_points_the_right_way_when_the_central_line_is_past_the_target() -> None:
    # Higher is better, central line 20, target 19: hit or miss, but already mostly met.
    reading = read(BASE, better="up", **improve(19))
    assert reading.paragraphs[-1] == (
        "The target of 19 complaints sits inside the natural process limits (9 to 31 "
        "complaints): hit or miss. Some values will meet it and some won't, so one value "
        "meeting it proves nothing. To meet it every time, the lower natural process limit "
        "(9 complaints) has to rise above 19 complaints. Not achieved yet, although the "
        "central line (20 complaints) is at or past the target of 19 complaints: no new "
        "phase has been recorded after a sustained shift."
    )


def test_the_gap_when_lower_is_better_and_the_central_line_is_past_the_target() -> None:
    reading = read(BASE, **improve(21))
    assert (
        "the upper natural process limit (31 complaints) has to fall below 21"
        in (reading.paragraphs[-1])
    )
    assert "has to move from" not in reading.paragraphs[-1]


def trending_co2(weeks: int = 2000) -> list[float | None]:
    """Weekly CO2 in ppm: a slow rise and a yearly season, every value above 360."""
    return [
        round(362 + 0.03 * week + 3 * math.sin(2 * math.pi * week / 52.18), 2)
        for week in range(weeks)
    ]


def test_no_assurance_the_data_contradict_on_a_long_rising_series() -> None:
    values = trending_co2()
    assert min(v for v in values if v is not None) > 360
    m = measure(values, frequency="weekly", start="1990-W01", unit="ppm", **improve(360))
    reading = read_measure(m, analysed(m))
    target = reading.paragraphs[-1]
    assert target.startswith(
        "The target of 360 ppm can't be judged until a new phase: the latest values are signals ("
    )
    assert target.endswith("so the limits since week 1 of 1990 no longer describe the process.")
    assert "consistently" not in " ".join(reading.paragraphs)


def test_limits_the_process_has_left_say_nothing_of_the_target_being_past_them() -> None:
    # Rising for decades from a baseline (1983) whose central line is below the target, lower
    # being better: that old central line is "past" the target, but says nothing of it now.
    m = measure(trending(), frequency="weekly", start="1983-W07", unit="ppm", **improve(360))
    reading = read_measure(m, analysed(m), REPORT)
    text = " ".join(reading.paragraphs)
    assert "can't be judged until a new phase" in text
    assert "although the central line" not in text
    assert "values in a row above the central line of 342.3 ppm" in text
    assert re.search(r"\b\d,\d{3} values in a row", text)  # thousands are separated


def test_the_return_to_normal_after_an_outlier_is_not_a_signal() -> None:
    reading = read([*BASE, 40.0, 20.0])
    assert reading.paragraphs[0].startswith("Not predictable: 1 signal since Jan 2024,")
    assert reading.paragraphs[-1] == (
        "No signal in the latest value (20 complaints in Oct 2025): it is back within the "
        "limits after the exceptional value in Sep 2025."
    )
    assert "concern" not in reading.summary.replace("(a concern).", "")


def test_a_jump_within_the_limits_is_a_neutral_signal_with_units() -> None:
    reading = read([*BASE, 10.0, 29.0])
    assert (
        "Signal: a rise of 19 complaints from Sep 2025 to Oct 2025, more than the upper range "
        "limit of 13 complaints."
    ) in reading.paragraphs
    assert reading.paragraphs[-1] == (
        "Signal in the latest value (29 complaints in Oct 2025): find out what happened."
    )


def exclude(period: str, reason: str) -> dict[str, Any]:
    return {"exclude": [{"period": period, "reason": reason}]}


def test_an_excluded_latest_value_raises_no_signal_and_says_why() -> None:
    reading = read([*BASE, 40.0], limits=exclude("2025-09", "Courier strike"))
    assert reading.paragraphs[0].startswith("Predictable since Jan 2024:")
    assert reading.paragraphs[-1] == (
        "Latest value: 40 complaints in Sep 2025, excluded: Courier strike. It is left out of "
        "the limits and the signal rules."
    )
    assert "find out what happened" not in " ".join(reading.paragraphs)


def test_an_excluded_value_does_not_break_a_run() -> None:
    values = [*BASE, 17.0, 17.0, 17.0, 40.0, 17.0, 17.0, 17.0, 17.0, 17.0]
    reading = read(values, limits=exclude("2025-12", "Courier strike"))
    assert (
        "Signal: 8 values in a row below the central line of 20 complaints, since Sep 2025 "
        "(an improvement). Consider a new phase from Sep 2025 if you know what changed."
    ) in reading.paragraphs


def test_a_run_chart_is_never_called_predictable() -> None:
    for values in ([18.0], [18.0, 22.0, 19.0, 21.0]):
        text = " ".join(read(values, **improve(10)).paragraphs)
        assert "predictable" not in text.lower()
        assert "routine variation" not in text


def test_a_run_is_named_with_its_length_and_a_day_is_a_date() -> None:
    m = measure([*BASE, *[17.0] * 9], frequency="daily", start="2026-01-01")
    analysis = analysed(m)
    run = next(s for s in analysis.xmr.signals if s.rule == "long_run")
    assert signal_label(analysis, run) == "Run of 9 on one side"
    reading = read([*BASE, 40.0], frequency="daily", start="2026-01-01")
    assert reading.summary.startswith("Signal: 40 complaints on 21 Jan 2026 is above")
    assert reading.paragraphs[-1].startswith("Signal in the latest value (40 complaints on 21 Jan")


def test_trial_limits_on_a_baseline_set_by_hand_do_not_firm_up_by_themselves() -> None:
    reading = read(BASE, limits={"baseline": 8})
    assert reading.paragraphs[1] == (
        "Trial limits: based on only 8 values, the baseline set for this measure, so more data "
        "will not change them; a baseline of 12 values or more would firm them up."
    )
    ranged = read(BASE, limits={"baseline": {"from": "2024-01", "to": "2024-06"}})
    assert "more data will not change them" in ranged.paragraphs[1]
    assert read(BASE[:9]).paragraphs[1].endswith("they will firm up with more data.")

"""The measure view-models of a long series: the page lists the latest values and signals,
says how many it leaves out, and reads the whole series in linear work."""

from __future__ import annotations

from datetime import date

from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
from pumpsite.analysis.signals import rule_label
from pumpsite.model import Measure
from pumpsite.render.chart.text import TableRow
from pumpsite.render.views import (
    CARD_SIGNALS,
    EARLIER_SIGNALS,
    LISTED_SIGNALS,
    MeasureDetail,
    MeasureView,
    measure_detail,
    measure_view,
)
from pumpsite.schema import SiteSettings
from tests.factories import measure

REPORT = date(2026, 11, 23)
BASE = [18.0, 22.0] * 10  # central line 20, limits 9.36 to 30.64, upper range limit 13.07


def analysed(m: Measure) -> MeasureAnalysis:
    analysis = analyse_measure(m, SiteSettings(), REPORT)
    assert analysis is not None
    return analysis


def views(values: list[float | None], **meta: object) -> tuple[MeasureView, MeasureDetail]:
    m = measure("m", values, start="2020-01-01", frequency="daily", **meta)
    analysis = analysed(m)
    view = measure_view(m, analysis, {}, REPORT)
    return view, measure_detail(m, analysis, view, REPORT, None)


def rows(detail: MeasureDetail) -> list[TableRow]:
    assert detail.chart_table is not None
    return [row for phase in detail.chart_table.phases for row in phase.rows]


def test_the_data_table_shows_the_latest_250_values_and_says_the_csv_holds_them_all() -> None:
    _, detail = views([20.0 + i % 3 for i in range(1500)])
    assert len(rows(detail)) == 250
    assert rows(detail)[0].period == "4 Jun 2023"  # value 1,251: 2020-01-01 plus 1,250 days
    assert rows(detail)[-1].period == "8 Feb 2024"
    assert detail.values_note == (
        "The chart and the data table show the latest 250 of 1,500 values, from 4 Jun 2023; "
        "the CSV copy holds them all."
    )


def test_a_series_that_fits_is_shown_whole_without_a_note() -> None:
    _, detail = views([20.0 + i % 3 for i in range(250)])
    assert len(rows(detail)) == 250
    assert rows(detail)[0].period == "1 Jan 2020"
    assert detail.values_note == ""


def test_the_data_table_names_the_rules_of_each_value_as_the_analysis_does() -> None:
    m = measure("m", [*BASE, 20, 40, 20, 40, 5, 20], start="2020-01-01", frequency="daily")
    analysis = analysed(m)
    view = measure_view(m, analysis, {}, REPORT)
    table = rows(measure_detail(m, analysis, view, REPORT, None))
    options = analysis.xmr.options
    expected = [
        [rule_label(options.profile, r, options.run_length) for r in analysis.xmr.rules_at(i)]
        for i in range(len(table))
    ]
    assert [[s.split(":")[0] for s in row.signals.split("; ") if s] for row in table] == expected
    assert ["Point beyond the limits", "Moving range above the upper range limit"] in expected


def test_the_page_lists_the_latest_signals_and_collapses_the_others() -> None:
    # Every 40 is beyond the upper limit (the jumps to and from it are part of its event); the
    # 40s are never next to each other, so each is its own signal. None is in the report
    # quarter: the latest are listed.
    _, detail = views([*BASE, *[20.0, 40.0] * 300])
    assert [(s.label, s.when) for s in detail.all_signals] == [
        ("Run of 301 on one side", "20 Jan 2020 to 11 Sep 2021"),
        ("Point beyond the limits", "11 Sep 2021"),
    ]
    assert detail.earlier_title == "And 299 earlier signals"
    assert len(detail.earlier_signals) == EARLIER_SIGNALS
    assert detail.earlier_signals[-1].when == "9 Sep 2021"
    assert detail.signals_note == "Only the latest 50 of 299 earlier signals are listed."


def test_the_cards_name_the_latest_signals_and_count_the_others() -> None:
    view, detail = views([*BASE, *[20.0, 40.0] * 300])
    # The run began long before the other latest signal: it still counts as new.
    latest = [
        ("Run of 301 on one side", "20 Jan 2020 to 11 Sep 2021"),
        ("Point beyond the limits", "11 Sep 2021"),
    ]
    assert [(s.label, s.when) for s in view.signals] == latest
    assert view.more_signals == "299 earlier signals"
    assert [(s.label, s.when) for s in view.new_signals] == latest
    assert detail.paragraphs[3] == "Not described here: 299 earlier signals since 1 Jan 2020."


def test_signals_of_the_report_quarter_are_listed_at_most_twenty_and_values_in_a_row_are_one() -> (
    None
):
    # Daily values up to 22 Nov 2026: outliers every other day since 1 Oct 2026 (26 of them, the
    # jumps to and from them part of their events), and from 1 Jan to 31 Jan 2026 31 values in a
    # row beyond the upper limit: one signal.
    start = date(2024, 1, 1)
    days = (date(2026, 11, 22) - start).days + 1
    values: list[float | None] = [18.0 + 4 * (i % 2) for i in range(days)]
    january = (date(2026, 1, 1) - start).days
    values[january : january + 31] = [40.0] * 31
    october = (date(2026, 10, 1) - start).days
    values[october + 1 :: 2] = [40.0] * len(values[october + 1 :: 2])
    m = measure("m", values, start="2024-01-01", frequency="daily")
    analysis = analysed(m)
    view = measure_view(m, analysis, {}, REPORT)
    detail = measure_detail(m, analysis, view, REPORT, None)
    assert len(detail.all_signals) == LISTED_SIGNALS
    assert all(s.when.endswith(("Oct 2026", "Nov 2026")) for s in detail.all_signals)
    january_run = [
        s for s in detail.earlier_signals if "Jan 2026" in s.when and s.rule == "beyond_limits"
    ]
    assert [(s.when, s.sentence) for s in january_run] == [
        (
            "1 Jan 2026 to 31 Jan 2026",
            "31 values in a row above the upper natural process limit of 31, from 1 Jan 2026 "
            "to 31 Jan 2026",
        )
    ]
    assert len(view.signals) == CARD_SIGNALS


# --- statuses and targets: what the badges and cards claim ---------------------------------


def test_the_return_to_normal_after_a_good_outlier_needs_no_attention() -> None:
    # Higher is better: 40 is an improvement; the fall back to 20 is its jump, not a concern.
    view, detail = views([*BASE, 40.0, 20.0])
    assert view.status.label == "Better than usual: find out why"
    assert [s.effect for s in view.signals] == ["improvement"]
    assert view.new_signals == ()
    assert [s.label for s in detail.all_signals] == ["Point beyond the limits"]


def test_a_jump_alone_is_a_neutral_signal_and_needs_no_attention() -> None:
    view, _ = views([*BASE, 10.0, 29.0])  # both inside the limits, the jump above the URL
    assert view.status.label == "Signals"
    assert [(s.label, s.effect_label) for s in view.new_signals] == [
        ("Moving range above the upper range limit", "Signal")
    ]


def test_an_unwanted_outlier_needs_attention() -> None:
    view, _ = views([*BASE, 2.0])
    assert view.status.label == "Needs attention"


def test_a_neutral_measure_needs_attention_for_a_signal_at_the_latest_value_only() -> None:
    assert views([*BASE, 40.0], better="neutral")[0].status.label == "Needs attention"
    assert views([*BASE, 40.0, 20.0], better="neutral")[0].status.label == "Signals"


def test_an_excluded_value_raises_no_status_and_says_so_in_the_table() -> None:
    exclude = {"exclude": [{"period": "2020-01-21", "reason": "Server outage"}]}
    view, detail = views([*BASE, 2.0], limits=exclude)
    assert view.status.label == "Predictable"
    assert rows(detail)[-1].signals == ""
    assert rows(detail)[-1].notes == "excluded from the limits: Server outage"


def test_the_table_names_a_run_by_its_length() -> None:
    _, detail = views([*BASE, *[15.0] * 9])
    assert rows(detail)[-1].signals == "Run of 9 on one side: concern (square)"


def test_the_upper_range_limit_carries_the_unit() -> None:
    _, detail = views(BASE, unit="complaints")
    assert detail.phases[0].url == "13 complaints"
    assert detail.phases[0].center == "20 complaints"


def test_no_signals_is_routine_variation_only_where_there_are_limits() -> None:
    assert views(BASE)[1].no_signals == "None: every value is routine variation."
    assert views([18.0, 22.0, 19.0])[1].no_signals == (
        "None found: too few values to judge (a run chart has no limits)."
    )
    phases = {"phases": [{"from": "2020-01-21", "reason": "New process"}]}
    assert views([*BASE, 20.0], limits=phases)[1].no_signals.startswith(
        "None in the phases with limits; in the others too few values to judge"
    )
    assert views([95.0] * 24, unit="%")[1].no_signals == (
        "None found: the data are too coarse to judge (a run chart has no limits)."
    )


def improve(target: float) -> dict[str, object]:
    return {"roles": [{"from": "2019-Q1", "role": "improve", "target": target}]}


def test_the_card_says_what_keeps_a_target_from_being_achieved() -> None:
    view, _ = views(BASE, **improve(19))
    assert view.target is not None
    assert view.target.assurance == "hit or miss: the target sits inside the natural process limits"
    assert view.target.achieved_text == (
        "not yet: no new phase has been recorded after a sustained shift"
    )
    view, _ = views(BASE, **improve(25))
    assert view.target is not None
    assert view.target.achieved_text == (
        "not yet: the central line (20) has not reached the target of 25; no new phase has "
        "been recorded after a sustained shift"
    )


def test_the_card_says_first_that_assurance_cannot_be_judged() -> None:
    view, _ = views([*BASE, *[25.0] * 8], **improve(35))
    assert view.target is not None
    assert view.target.assurance == (
        "can't be judged until a new phase: the latest values are signals, so the limits no "
        "longer describe the process"
    )

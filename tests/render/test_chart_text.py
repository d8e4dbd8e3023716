"""The chart in words: the data table beside the measure page's chart holds the numbers the
analysis computed (values, moving ranges, each phase's central line and limits) and the signals
the chart marks, and the SVG's description says what the chart shows."""

from __future__ import annotations

from pumpsite.analysis.reading import level_decimals
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals
from pumpsite.render.chart.draw import render_chart
from pumpsite.render.chart.plan import plan_chart
from pumpsite.render.chart.text import chart_description, chart_table
from tests.render.test_chart import (
    analyse,
    full_measure,
    make_measure,
    parse,
    points_of,
    title_of,
)


def phased_with_signals() -> Measure:
    """Two phases (the second with trial limits), a gap, an exclusion, events, and the latest
    value beyond the second phase's upper limit."""
    values: list[float | None] = [62, 65, 61, 66, 63, 60, 64, 67, 62, None, 63, 61]
    values += [80, 70, 71, 72, 73, 69, 71, 74, 72, 70, 73, 90]
    return make_measure(
        values,
        unit="%",
        limits={
            "phases": [{"from": "2025-02", "reason": "New triage process"}],
            "exclude": [{"period": "2025-01", "reason": "System outage"}],
        },
        events=[{"date": "2024-06", "text": "Staff training", "kind": "action"}],
    )


def near(cell: str, exact: float, decimals: int) -> bool:
    number = float(cell.split(" ")[0])
    return abs(number - exact) <= 0.5 * 10**-decimals + 1e-12


def test_the_table_holds_the_analysis_numbers_phase_by_phase() -> None:
    measure = phased_with_signals()
    analysis = analyse(measure)
    xmr = analysis.xmr
    assert len(xmr.phases) == 2 and any(xmr.rules_at(i) for i in range(len(xmr.values)))
    table = chart_table(measure, analysis)
    assert [len(p.rows) for p in table.phases] == [p.end - p.start for p in xmr.phases]
    rows = [row for phase in table.phases for row in phase.rows]
    value_dp, line_dp = data_decimals(xmr.values), level_decimals(xmr)
    for i, row in enumerate(rows):
        value, spread, limits = xmr.values[i], xmr.moving_ranges[i], xmr.limits_at(i)
        assert row.value == "missing" if value is None else near(row.value, value, value_dp)
        assert row.mr == "" if spread is None else near(row.mr, spread, value_dp)
        assert limits is not None
        assert near(row.center, limits.center, line_dp)
        assert near(row.lower, limits.lower_line, line_dp)
        assert near(row.upper, limits.upper_line, line_dp)
        assert bool(row.signals) == bool(xmr.rules_at(i)), row.period
    assert table.phases[1].heading.startswith("From Feb 2025 (note 2: new phase): central line ")
    assert "trial limits" in table.phases[1].heading


def test_the_signal_rows_are_the_chart_s_signal_points() -> None:
    measure = phased_with_signals()
    analysis = analyse(measure)
    flagged = [r.period for p in chart_table(measure, analysis).phases for r in p.rows if r.flagged]
    root = parse(render_chart(measure, analysis, description="A reading."))
    drawn = [title_of(e) for e in points_of(root) if " — " in title_of(e)]
    signals = [t.split(":")[0] for t in drawn if "excluded" not in t]
    assert flagged == ["Dec 2025"] and signals == ["2025-12"]


def test_the_description_names_the_measure_periods_lines_marks_target_and_reading() -> None:
    measure = full_measure()
    chart = plan_chart(measure, analyse(measure), "full")
    assert chart_description(chart, "A reading.") == (
        "XmR chart of Complaints resolved on time: 24 values, Jan 2024 to Dec 2025. "
        "Since Feb 2025, central line 72%, trial limits 66 to 77%. Marked: 1 phase change, "
        "2 events (each named in the data table below the chart). Target 78% by 2025-12-31. "
        "A reading."
    )

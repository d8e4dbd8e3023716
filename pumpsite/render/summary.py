"""The summary table's row of a measure: its sparkline, its variation and assurance icons, and
its latest value, central line and limits in the words the measure page uses (the same
precision, the same unit). Templates show it as `m.row` of a `MeasureView`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import NO_LIMITS, Words, latest_index, limits_range
from pumpsite.model import Measure
from pumpsite.render.chart.plan import plan_chart
from pumpsite.render.chart.spark import spark_svg
from pumpsite.render.chart_ref import ChartRef
from pumpsite.render.icons import Icon, assurance_icon, icon_charts, variation_icon


@dataclass(frozen=True, slots=True)
class SummaryRow:
    spark: ChartRef | None  # the sparkline, None without data
    variation: Icon
    assurance: Icon
    latest: str  # "12 orders", "" without data
    latest_period: str  # "Oct 2026", "" without data
    center: str  # "11.2 orders", "" without limits
    limits: str  # "8.1 to 15.9 orders", or why there are none

    @property
    def label(self) -> str:
        """The sparkline's text alternative, after the measure's title."""
        if not self.latest:
            return "no data yet"
        parts = [f"latest {self.latest} in {self.latest_period}"]
        if self.center:
            parts.append(f"central line {self.center}, limits {self.limits}")
        return "; ".join(parts)


def summary_row(measure: Measure, analysis: MeasureAnalysis | None, has_target: bool) -> SummaryRow:
    variation, assurance = variation_icon(analysis), assurance_icon(analysis, has_target)
    if analysis is None:
        return SummaryRow(None, variation, assurance, "", "", "", "none yet (no data)")
    words = Words.of(measure, analysis)
    latest = latest_index(analysis.xmr)
    value = analysis.xmr.values[latest] if latest is not None else None
    phase = analysis.xmr.current_phase
    limits = phase.limits
    return SummaryRow(
        spark=ChartRef(measure.id, "spark"),
        variation=variation,
        assurance=assurance,
        latest=words.value(value) if value is not None else "",
        latest_period=words.when(latest) if latest is not None else "",
        center=words.level(limits.center) if limits else "",
        limits=(
            limits_range(limits, words.limit_decimals, words.unit)
            if limits
            else NO_LIMITS[phase.without_limits or "few_values"]
        ),
    )


def summary_charts(
    measures: Mapping[str, Measure],
    analyses: Mapping[str, MeasureAnalysis],
    rows: Mapping[str, SummaryRow],
) -> dict[ChartRef, str]:
    """Every measure's sparkline (drawn from the small chart's plan) and every icon."""
    sparks = {
        ChartRef(mid, "spark"): spark_svg(
            plan_chart(measures[mid], analysis, "small"),
            f"XmR sparkline of {measures[mid].title}: {rows[mid].label}",
        )
        for mid, analysis in analyses.items()
        if mid in measures and mid in rows
    }
    return {**sparks, **icon_charts()}

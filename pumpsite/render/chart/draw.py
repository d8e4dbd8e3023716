"""An XmR chart of one measure as an inline SVG fragment: the measure page's (`full`, drawn by
`chart.full`) or an overview card's (`small`, by `chart.small`). Both are written by hand from
the same chart plan (`chart.plan`), so they cannot disagree; pure: no files, no clock."""

from __future__ import annotations

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.model import Measure
from pumpsite.render.chart.full import render_full
from pumpsite.render.chart.small import render_small
from pumpsite.vocabulary import ChartSize


def render_chart(
    measure: Measure,
    analysis: MeasureAnalysis,
    *,
    description: str,
    size: ChartSize = "full",
) -> str:
    """The XmR chart of `measure` as an inline SVG fragment: no prolog, no blank line.

    `description` is the plain-language reading, for the `<desc>` element after what the chart
    shows (`chart_description`). `size="small"` is a compact X chart for overview pages.
    Identical input gives identical bytes.
    """
    if size == "small":
        return render_small(measure, analysis, description=description)
    return render_full(measure, analysis, description=description)

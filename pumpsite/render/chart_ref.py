"""Charts on pages by reference: a page names a chart, the site holds the chart, and the engine
adapter (`pumpsite.build.engine`) alone decides how a reader gets it.

A view-model holds a `ChartRef`; a template writes it where the chart goes (`{{ m.chart }}`, or
the `chart` macro of `_macros.md`), and it prints as a marker, an HTML comment naming the chart.
Text from the repository's files reaches a page escaped, so only a template writes a marker.
The adapter puts the charts of `Site.charts` in place of the markers: after Markdown (Material's
content partial includes them as theme files), or in the Markdown for another theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pumpsite.vocabulary import ChartSize

"""A measure's chart is drawn "full" for its page and "small" for overview cards; its "spark"
line (`pumpsite.render.chart.spark`) sits in summary tables and small multiples. An "icon"
(`pumpsite.render.icons`) is named by its key in place of a measure id."""

MARK = "<!--pumpsite-chart:"
MARK_END = "-->"


@dataclass(frozen=True, slots=True)
class ChartRef:
    """A chart on a page: a measure's at a size, or the results map (`RESULTS_MAP`)."""

    measure_id: str  # "" for the results map; the icon's key for an icon
    size: ChartSize | Literal["map", "spark", "icon"]

    @property
    def name(self) -> str:
        """The chart's name in its marker, unique in a site and fit for a file name (measure
        ids are letters, digits, `-` and `_`): "full-churn", "small-churn", "spark-churn",
        "icon-assurance-pass", "map"."""
        return f"{self.size}-{self.measure_id}" if self.measure_id else self.size

    def __str__(self) -> str:
        return f"{MARK}{self.name}{MARK_END}"


RESULTS_MAP = ChartRef("", "map")


def with_charts(text: str, charts: Mapping[str, str]) -> str:
    """`text` with each marker replaced by the chart it names (`charts` by name). A marker
    naming no chart is dropped, as the content partial drops it."""
    head, *pieces = text.split(MARK)
    parts = [head]
    for piece in pieces:
        name, end, rest = piece.partition(MARK_END)
        parts += [charts.get(name, ""), rest] if end else [MARK, piece]
    return "".join(parts)


_MARKER = re.compile(rf"{re.escape(MARK)}(\w+)-([\w-]+){re.escape(MARK_END)}")
_MEASURE_SIZES: dict[str, ChartSize] = {"full": "full", "small": "small"}


def measure_charts_named(texts: Iterable[str]) -> dict[str, set[ChartSize]]:
    """The sizes of each measure's chart that markers in `texts` name, by measure id: a build
    draws those and no others."""
    named: dict[str, set[ChartSize]] = {}
    for text in texts:
        for size, measure_id in _MARKER.findall(text):
            if size in _MEASURE_SIZES:
                named.setdefault(measure_id, set()).add(_MEASURE_SIZES[size])
    return named

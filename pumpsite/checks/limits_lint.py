"""Warnings about what a measure's data can carry: a current phase left without limits by gaps
or by data too coarse for them, and limits that cross a natural boundary nobody declared.

Pure: the repository and the analyses in, warnings out. The words come from the reading, so
`pumpsite check` and the measure page say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import PER, no_limits_reason
from pumpsite.analysis.xmr import Limits
from pumpsite.model import Measure, Repo
from pumpsite.numbers import as_written, counted
from pumpsite.problems import CHUNKY_DATA, FEW_MOVING_RANGES, UNDECLARED_BOUNDARY, Problem


def lint_limits(repo: Repo, analyses: Mapping[str, MeasureAnalysis]) -> list[Problem]:
    problems: list[Problem] = []
    for measure in repo.measures.values():
        if (analysis := analyses.get(measure.id)) is not None:
            problems += without_limits(measure, analysis)
            problems += undeclared_boundary(measure, analysis)
    return problems


def _phase_line(measure: Measure, analysis: MeasureAnalysis) -> int | None:
    """The line of the current phase's entry in `limits: phases:`, else of `limits:`."""
    start = analysis.periods[analysis.xmr.current_phase.start]
    for i, phase in enumerate(measure.meta.limits.phases):
        if phase.start == start:
            return measure.line("limits", "phases", i)
    return measure.line("limits")


def without_limits(measure: Measure, analysis: MeasureAnalysis) -> Iterator[Problem]:
    xmr = analysis.xmr
    phase = xmr.current_phase
    code = {"few_ranges": FEW_MOVING_RANGES, "too_coarse": CHUNKY_DATA}.get(
        phase.without_limits or ""
    )
    if code is None:
        return
    reason = no_limits_reason(xmr, phase, measure.meta.unit, PER[measure.meta.frequency])
    values = counted(sum(v is not None for v in xmr.values[phase.start : phase.end]), "value")
    yield Problem(
        measure.path,
        _phase_line(measure, analysis),
        code,
        f"The phase from {analysis.periods[phase.start]} has {values}, but {reason}. "
        "It is shown as a run chart, without limits or signals.",
    )


def undeclared_boundary(measure: Measure, analysis: MeasureAnalysis) -> Iterator[Problem]:
    """A lower limit below 0 while no value ever was (or, in %, an upper limit above 100 while
    no value ever was): the measure probably has a natural boundary there."""
    limits = analysis.xmr.current_phase.limits
    if measure.meta.limits.bounds is not None or limits is None:
        return
    values = [v for v in analysis.xmr.values if v is not None]
    crossed = _crossed(limits, values, measure.meta.unit.strip() == "%")
    if crossed is None:
        return
    name, limit, bound = crossed
    beyond, shown = "below" if name == "lower" else "above", as_written(bound)
    yield Problem(
        measure.path,
        measure.line("limits"),
        UNDECLARED_BOUNDARY,
        f"The {name} natural process limit is {as_written(round(limit, 4))}, {beyond} {shown}, "
        f"yet no value has ever been {beyond} {shown}. If the measure cannot go {beyond} "
        f"{shown} (a count, a share, a duration), declare it under limits: with bounds: "
        f"{{{name}: {shown}}}, and the chart shows that boundary instead of a limit no value "
        "can cross. If it can, write bounds: {} to say so.",
    )


def _crossed(limits: Limits, values: list[float], percent: bool) -> tuple[str, float, float] | None:
    if limits.lnpl < 0 <= min(values, default=0.0):
        return "lower", limits.lnpl, 0.0
    if percent and limits.unpl > 100 >= max(values, default=100.0):
        return "upper", limits.unpl, 100.0
    return None

"""Text and JSON reports of one series' XmR analysis, for `pumpsite xmr`. Pure."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any, cast

from pumpsite.analysis import xmr
from pumpsite.analysis.reading import no_limits_reason, unjudged
from pumpsite.analysis.signals import RULES, Signal, signal_name
from pumpsite.numbers import (
    LARGEST,
    as_written,
    counted,
    data_decimals,
    display_decimals,
    fmt_plain,
)
from pumpsite.problems import OUTSIDE_BOUNDS, Problem
from pumpsite.vocabulary import MIN_LIMIT_POINTS, Better, Profile

Bounds = tuple[float | None, float | None]


def options(
    baseline: int,
    rules: str,
    run_length: int | None,
    median: bool,
    better: str,
    bounds: Bounds = (None, None),
) -> xmr.Options:
    return xmr.Options(
        baseline_size=baseline,
        profile=cast(Profile, rules),
        run_length=run_length,
        dispersion="median" if median else "average",
        better=cast(Better, better),
        lower_bound=bounds[0],
        upper_bound=bounds[1],
    )


def bounds(lower: float | None, upper: float | None) -> Bounds | str:
    """The natural boundaries given, or why they cannot be."""
    for name, bound in (("lower", lower), ("upper", upper)):
        if bound is not None and not (math.isfinite(bound) and abs(bound) <= LARGEST):
            return f"the {name} bound must be a number between -10^15 and 10^15, got {bound}"
    if lower is not None and upper is not None and lower >= upper:
        return f"the lower bound {as_written(lower)} must be below the upper {as_written(upper)}"
    return lower, upper


def outside(
    labels: Sequence[str], values: Sequence[float | None], given: Bounds, source: str
) -> list[Problem]:
    """The first value outside the bounds (PS333, as the site reports it), if any."""
    lower, upper = given
    for label, value in zip(labels, values, strict=True):
        if value is None:
            continue
        if lower is not None and value < lower:
            where, bound = "below the lower bound", lower
        elif upper is not None and value > upper:
            where, bound = "above the upper bound", upper
        else:
            continue
        message = (
            f"Value {as_written(value)} for {label} is {where} of {as_written(bound)}: no value "
            "can be there. Correct the value, or the bound."
        )
        return [Problem(source, None, OUTSIDE_BOUNDS, message)]
    return []


def analyse(values: Sequence[float | None], opts: xmr.Options) -> xmr.Analysis:
    return xmr.analyse(values, opts)


def as_json(labels: Sequence[str], analysis: xmr.Analysis) -> str:
    phases: list[dict[str, Any]] = []
    for phase in analysis.phases:
        limits = phase.limits
        phases.append(
            {
                "start": labels[phase.start],
                "reason": phase.reason,
                "center": limits.center if limits else None,
                "average_mr": limits.average_mr if limits else None,
                "unpl": limits.unpl if limits else None,
                "lnpl": limits.lnpl if limits else None,
                "url": limits.url if limits else None,
                "baseline_points": limits.baseline_points if limits else len(phase.baseline),
                "trial": limits.trial if limits else None,
                "lower_boundary": limits.lower_boundary if limits else None,
                "upper_boundary": limits.upper_boundary if limits else None,
                "without_limits": phase.without_limits,
            }
        )
    points = [
        {
            "period": label,
            "value": value,
            "mr": mr,
            "signals": list(analysis.rules_at(i)),
        }
        for i, (label, value, mr) in enumerate(
            zip(labels, analysis.values, analysis.moving_ranges, strict=True)
        )
    ]
    hint = analysis.rebase_hint
    document = {
        "phases": phases,
        "points": points,
        "signals": [
            {
                "rule": s.rule,
                "points": [labels[i] for i in s.points],
                "side": s.side,
                "effect": s.effect,
            }
            for s in analysis.signals
        ],
        "hint": None if hint is None else {"new_phase_from": labels[hint]},
    }
    return json.dumps(document, indent=2)


def as_table(labels: Sequence[str], analysis: xmr.Analysis) -> str:
    decimals = display_decimals(analysis.values, extra=2)
    name = _namer(analysis)
    flags = _signals_by_index(analysis)
    lines = [*_phase_lines(labels, analysis, decimals), ""]
    width = max(6, *(len(label) for label in labels))
    lines.append(f"{'period':<{width}}  {'value':>12}  {'mR':>12}  signals")
    for i, label in enumerate(labels):
        value = fmt_plain(analysis.values[i], data_decimals(analysis.values))
        value = value or "(missing)"
        mr = fmt_plain(analysis.moving_ranges[i], decimals)
        rules = ", ".join(name(s) for s in flags.get(i, ()))
        marker = "  *" if i in analysis.excluded else ""
        lines.append(f"{label:<{width}}  {value:>12}  {mr:>12}  {rules}{marker}".rstrip())
    if analysis.excluded:
        lines.append("* excluded from the limits")
    lines += ["", *_signal_lines(labels, analysis)]
    return "\n".join(lines)


def _phase_lines(labels: Sequence[str], analysis: xmr.Analysis, decimals: int) -> list[str]:
    lines = []
    for number, phase in enumerate(analysis.phases, start=1):
        head = f"Phase {number} from {labels[phase.start]}"
        head += f" ({phase.reason})" if phase.reason else ""
        limits = phase.limits
        if limits is None:
            lines.append(f"{head}: a run chart without limits: {_no_limits(analysis, phase)}.")
            continue

        def f(value: float) -> str:
            return fmt_plain(value, decimals)

        dispersion = "median mR" if limits.dispersion == "median" else "average mR"
        trial = ", trial limits" if limits.trial else ""
        lines.append(
            f"{head}: central line {f(limits.center)}, natural process limits "
            f"{f(limits.lnpl)} to {f(limits.unpl)}, {dispersion} {f(limits.average_mr)}, "
            f"upper range limit {f(limits.url)} ({limits.baseline_points} baseline values{trial})"
            f"{_boundaries(limits)}"
        )
    return lines


def _boundaries(limits: xmr.Limits) -> str:
    """'; the lower boundary 0 takes the place of the lower limit' (no value can be beyond)."""
    found = [
        f"the {name} boundary {as_written(bound)} takes the place of the {name} limit"
        for name, bound in (("lower", limits.lower_boundary), ("upper", limits.upper_boundary))
        if bound is not None
    ]
    return "; " + " and ".join(found) if found else ""


def _no_limits(analysis: xmr.Analysis, phase: xmr.Phase) -> str:
    count = sum(1 for value in analysis.values[phase.start : phase.end] if value is not None)
    reason = no_limits_reason(analysis, phase)
    if reason:
        return f"{counted(count, 'value')}, but {reason}"
    return f"{counted(count, 'value')}; limits need {MIN_LIMIT_POINTS}"


def _namer(analysis: xmr.Analysis) -> Callable[[Signal], str]:
    opts = analysis.options
    return lambda signal: signal_name(opts.profile, signal, opts.run_length)


def _signals_by_index(analysis: xmr.Analysis) -> dict[int, list[Signal]]:
    found: dict[int, list[Signal]] = {}
    for signal in analysis.signals:
        for i in signal.points:
            found.setdefault(i, []).append(signal)
    return {i: sorted(found[i], key=lambda s: RULES.index(s.rule)) for i in found}


def _no_signals(analysis: xmr.Analysis) -> str:
    """Predictable only where there are limits to judge by: a run chart cannot tell."""
    why = unjudged(analysis)
    if not why:
        return "No signals: the process is predictable."
    if all(phase.limits is None for phase in analysis.phases):
        return f"No signals can be found: {why} (a run chart has no limits)."
    return f"No signals in the phases with limits; in the others {why}."


def _signal_lines(labels: Sequence[str], analysis: xmr.Analysis) -> list[str]:
    name = _namer(analysis)
    if not analysis.signals:
        lines = [_no_signals(analysis)]
    else:
        lines = ["Signals:"]
        for s in analysis.signals:
            where = labels[s.points[0]]
            if len(s.points) > 1:
                where += f" to {labels[s.points[-1]]}"
            lines.append(f"  {name(s)}: {where} ({s.side}, {s.effect})")
    if analysis.rebase_hint is not None:
        lines.append(
            f"A long run is still going: consider a new phase from {labels[analysis.rebase_hint]} "
            "(only if you know what changed)."
        )
    return lines

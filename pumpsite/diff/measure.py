"""The news about one measure: its statistics at the report date, its roles, data and definition.

Signals are compared at the latest value of each side, by rule and effect: a run that goes on
with new data is not news, a point beyond the limits that appears is, and so is one that a new
phase or a corrected value clears. Stale data (`pumpsite.analysis.staleness`) is news when the
latest value is behind the report date and is not equally behind on the base side.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import NO_LIMITS, limits_range
from pumpsite.analysis.signals import RULES, Effect, Rule, signal_name, without_echoes
from pumpsite.diff.change import Change, Kind, Value
from pumpsite.model import Measure, Series
from pumpsite.numbers import as_written, display_decimals, fmt
from pumpsite.periods import Period
from pumpsite.schema import BaselineRange, Bounds, LimitsSettings, MeasureMeta, Role

FIELDS = (
    ("title", "title"),
    ("goal", "goal"),
    ("owner", "owner"),
    ("unit", "unit"),
    ("frequency", "frequency"),
    ("better", "better"),
    ("definition.description", "description"),
    ("definition.formula", "formula"),
    ("definition.data_source", "data source"),
    ("definition.scope", "scope"),
    ("definition.custodian", "custodian"),
    ("data", "data file"),
    ("column", "column"),
)
LIMITS_FIELDS = (
    ("baseline", "baseline"),
    ("dispersion", "dispersion"),
    ("rules", "signal rules"),
    ("run_length", "run length"),
    ("bounds", "bounds"),
)
SHOWN_PERIODS = 3
"""Up to this many periods are listed one by one; more are shown as a span."""


@dataclass(frozen=True, slots=True)
class _About:
    """Makes the changes of one measure."""

    measure: Measure

    def __call__(
        self,
        kind: Kind,
        key: str = "",
        label: str = "",
        at: str = "",
        before: Value = None,
        after: Value = None,
    ) -> Change:
        measure = self.measure
        return Change("measure", measure.id, measure.title, kind, key, label, at, before, after)


def measure_changes(
    before: Measure | None,
    after: Measure,
    base: MeasureAnalysis | None,
    head: MeasureAnalysis | None,
    report_date: date,
    goal_renames: Mapping[str, str] | None = None,
    *,
    arrival: Kind = "added",
) -> Iterator[Change]:
    """The news about `after`; `before` is None for a measure that arrives (`arrival`)."""
    news = _About(after)
    if before is None:
        yield news(arrival, after=after.role_kind_at(report_date))
    yield from signal_changes(news, base, head)
    yield from target_changes(news, base, head)
    yield from stale_changes(news, base, head)
    if before is None:
        return
    yield from role_changes(news, before, after)
    yield from data_changes(news, before.series, after.series)
    yield from limits_moved(news, base, head)
    yield from limits_settings_changes(news, before.meta.limits, after.meta.limits)
    yield from field_changes(news, before.meta, after.meta, goal_renames or {})


# --- statistics at the report date ----------------------------------------------------------------


def current_signals(analysis: MeasureAnalysis | None) -> dict[tuple[Rule, Effect], str]:
    """The signals that include the latest value, one per event (the jump back from an outlier
    is part of it), by rule and effect, with the signal's name."""
    if analysis is None or (latest := analysis.latest_period) is None:
        return {}
    index = analysis.index_of(latest)
    options = analysis.xmr.options
    found = {
        (s.rule, s.effect): signal_name(options.profile, s, options.run_length)
        for s in without_echoes(analysis.xmr.signals)
        if index in s.points
    }
    return dict(sorted(found.items(), key=lambda item: RULES.index(item[0][0])))


def signal_changes(
    news: _About, base: MeasureAnalysis | None, head: MeasureAnalysis | None
) -> Iterator[Change]:
    was, now = current_signals(base), current_signals(head)
    latest = (head and head.latest_period) or (base and base.latest_period)
    at = str(latest) if latest else ""
    for (rule, effect), label in now.items():
        if (rule, effect) not in was:
            yield news("signal_new", rule, label, at, after=effect)
    for (rule, effect), label in was.items():
        if (rule, effect) not in now:
            yield news("signal_cleared", rule, label, at, before=effect)


def target_changes(
    news: _About, base: MeasureAnalysis | None, head: MeasureAnalysis | None
) -> Iterator[Change]:
    """Can the process meet the target in force? Only told while a target is in force."""
    was = base.target if base else None
    now = head.target if head else None
    if now is None or news.measure.meta.better == "neutral":
        return  # no target in force (the role change tells it), or no assurance to read
    label = _number(now.target)
    if (was.assurance if was else None) != now.assurance:
        before = was.assurance if was else None
        yield news("assurance", "assurance", label, before=before, after=now.assurance)
    if (was.achieved if was else False) != now.achieved:
        yield news("target_reached", "achieved", label, before=not now.achieved, after=now.achieved)


def stale_changes(
    news: _About, base: MeasureAnalysis | None, head: MeasureAnalysis | None
) -> Iterator[Change]:
    """Stale now, and not equally stale before (data removed, or added but still behind)."""
    stale = head.stale if head else None
    was = base.latest_period if base else None
    if stale is None or was == stale.latest:
        return
    expected, latest = str(stale.expected), str(stale.latest)
    yield news("stale", "latest", "latest value", expected, _label(was), latest)


def limits_moved(
    news: _About, base: MeasureAnalysis | None, head: MeasureAnalysis | None
) -> Iterator[Change]:
    """The current phase's limits, as people read them (same rounding on both sides)."""
    if base is None or head is None:
        return
    decimals = display_decimals(head.xmr.values)
    was, now = _limits_text(base, decimals), _limits_text(head, decimals)
    if was != now:
        yield news("limits_moved", "limits", "limits", before=was, after=now)


def _limits_text(analysis: MeasureAnalysis, decimals: int) -> str:
    limits = analysis.xmr.current_phase.limits
    if limits is None:
        return NO_LIMITS[analysis.xmr.current_phase.without_limits or "few_values"]
    trial = f" — trial, from {limits.baseline_points} points" if limits.trial else ""
    center = fmt(limits.center, decimals)
    return f"{limits_range(limits, decimals)}, central line {center}{trial}"


# --- decisions: roles, targets, deadlines -------------------------------------------------------


def role_changes(news: _About, before: Measure, after: Measure) -> Iterator[Change]:
    """Compare the role in force at every quarter where a role starts on either side; a
    difference is told once, at the first quarter it shows."""
    quarters = sorted({r.start for r in (*before.meta.roles, *after.meta.roles)})
    told: dict[Kind, tuple[Value, Value]] = {}
    for quarter in quarters:
        was, now = before.role_at(quarter.start), after.role_at(quarter.start)
        compared: tuple[tuple[Kind, Value, Value], ...] = (
            ("role", _kind(was), _kind(now)),
            ("target", _target(was), _target(now)),
            ("deadline", _deadline(was), _deadline(now)),
        )
        for kind, old, new in compared:
            if old != new and told.get(kind) != (old, new):
                yield news(kind, kind, kind, str(quarter), before=old, after=new)
            told[kind] = (old, new)


def _kind(role: Role | None) -> str:
    return role.role if role else "sustain"  # a measure without a role is business as usual


def _target(role: Role | None) -> float | None:
    return role.target if role else None


def _deadline(role: Role | None) -> str | None:
    return role.deadline.isoformat() if role and role.deadline else None


# --- data and limits settings ---------------------------------------------------------------------


def data_changes(news: _About, before: Series | None, after: Series | None) -> Iterator[Change]:
    if before is None or after is None:
        return
    was = {o.period: o.value for o in before.observations}
    now = {o.period: o.value for o in after.observations}
    for key, label, periods in (
        ("added", "new values", sorted(now.keys() - was.keys())),
        (
            "corrected",
            "corrected values",
            sorted(p for p in was.keys() & now.keys() if was[p] != now[p]),
        ),
        ("removed", "removed values", sorted(was.keys() - now.keys())),
    ):
        if periods:
            yield news("data", key, label, _span(periods), after=len(periods))


def _span(periods: list[Period]) -> str:
    if len(periods) <= SHOWN_PERIODS:
        return ", ".join(map(str, periods))
    return f"{periods[0]} to {periods[-1]}"


def limits_settings_changes(
    news: _About, before: LimitsSettings, after: LimitsSettings
) -> Iterator[Change]:
    for key, label in LIMITS_FIELDS:
        was, now = _setting(getattr(before, key)), _setting(getattr(after, key))
        if was != now:
            yield news("limits_settings", key, label, before=was, after=now)
    for key, label, was_reasons, now_reasons in (
        ("phase", "phase", _phases(before), _phases(after)),
        ("exclude", "exclusion", _exclusions(before), _exclusions(after)),
    ):
        for at in sorted(was_reasons.keys() | now_reasons.keys()):
            old, new = was_reasons.get(at), now_reasons.get(at)
            if old != new:
                yield news("limits_settings", key, label, at, before=old, after=new)


def _phases(limits: LimitsSettings) -> dict[str, str]:
    return {str(phase.start): phase.reason for phase in limits.phases}


def _exclusions(limits: LimitsSettings) -> dict[str, str]:
    return {str(exclusion.period): exclusion.reason for exclusion in limits.exclude}


def _setting(value: object) -> Value:
    if isinstance(value, BaselineRange):
        return f"{value.start} to {value.end}"
    if isinstance(value, Bounds):
        ends = (("lower", value.lower), ("upper", value.upper))
        return ", ".join(f"{name} {as_written(v)}" for name, v in ends if v is not None) or "none"
    return value if isinstance(value, str | int | float) or value is None else str(value)


# --- definition fields ----------------------------------------------------------------------------


def field_changes(
    news: _About, before: MeasureMeta, after: MeasureMeta, goal_renames: Mapping[str, str]
) -> Iterator[Change]:
    for key, label in FIELDS:
        was, now = _field(before, key), _field(after, key)
        followed = key == "goal" and isinstance(was, str) and goal_renames.get(was) == now
        if was != now and not followed:
            yield news("field", key, label, before=was, after=now)


def _field(meta: MeasureMeta, key: str) -> Value:
    value: object = meta
    for name in key.split("."):
        value = getattr(value, name)
    return value if isinstance(value, str) or value is None else str(value)


def _label(value: Period | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _number(value: float) -> str:
    return fmt(value, display_decimals([value], extra=0))

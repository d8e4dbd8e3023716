"""What `pumpsite pull` prints: per measure, the new periods, the revised values (a revised
past value is news), the periods removed and the period in progress left out; then one line
of totals. Plain text lines; the problems are printed as `check` prints them."""

from __future__ import annotations

from pumpsite.numbers import counted
from pumpsite.pull.run import Pulled, PullResult
from pumpsite.pull.snapshot import value_text

MOST = 5
"""How many periods a line names before it says how many more."""


def measure_lines(pulled: Pulled, report_date: str) -> list[str]:
    changes = pulled.changes
    head = f"{pulled.measure_id} → {pulled.data_path}"
    lines = []
    if changes.new:
        shown = [f"{row.period}: {value_text(row.value) or 'empty'}" for row in changes.new]
        lines.append(f"  {counted(len(changes.new), 'new period')}: {_some(shown)}")
    if changes.revised:
        shown = [
            f"{period}: {value_text(old) or 'empty'} → {value_text(new) or 'empty'}"
            for period, old, new in changes.revised
        ]
        lines.append(f"  {counted(len(changes.revised), 'revised value')}: {_some(shown)}")
    if changes.removed:
        shown = [str(period) for period in changes.removed]
        lines.append(
            f"  {counted(len(changes.removed), 'period')} no longer in the source, removed: "
            f"{_some(shown)}"
        )
    if pulled.in_progress is not None:
        lines.append(f"  {pulled.in_progress} left out: still in progress on {report_date}")
    if pulled.later:
        lines.append(f"  {counted(pulled.later, 'later period')} left out: after the report date")
    if not pulled.periods:
        lines.append("  nothing written yet: the source has no full period before the report date")
    summary = "no change"
    if pulled.written:
        summary = "updated" if changes else "rewritten, with the same values"
    return [f"{head}: {summary}", *lines]


def _some(items: list[str]) -> str:
    more = len(items) - MOST
    return ", ".join(items[:MOST]) + (f" and {more:,} more" if more > 0 else "")


def summary_line(result: PullResult) -> str:
    changed = sum(1 for p in result.pulled if p.written)
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    parts = [
        f"Pulled {counted(len(result.pulled), 'measure')} as of {result.report_date}",
        f"{changed} updated",
    ]
    if errors:
        parts.append(counted(errors, "error"))
    if warnings:
        parts.append(counted(warnings, "warning"))
    return ", ".join(parts) + "."

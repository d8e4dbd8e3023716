"""Improvement actions where the charts show them: each action's start, and its end once it
is done or dropped, as numbered events of `kind: action` on the measures it aims to move. The
chart, its notes and the measure page's event list then number them with the measure's own
events, by date."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

from pumpsite.model import Action, Measure, Repo
from pumpsite.periods import containing
from pumpsite.schema import Event


def action_events(action: Action, measure: Measure) -> Iterator[Event]:
    """The events `action` puts on `measure`'s chart: its start once it has run, and its end
    if it has one."""
    if not action.ran:
        return
    frequency = measure.meta.frequency
    moments: list[tuple[date, str]] = [(action.meta.start, "started")]
    if action.ended is not None:
        moments.append((action.ended, action.meta.current.status))
    for day, what in moments:
        yield Event.model_construct(
            date=containing(day, frequency), text=f"{action.title}: {what}", kind="action"
        )


def with_action_events(repo: Repo) -> Repo:
    """The repository with every action's events added to the measures it aims to move."""
    added: dict[str, list[Event]] = {}
    for action in sorted(repo.actions.values(), key=lambda a: (a.meta.start, a.id)):
        for aim in action.meta.measures:
            if (measure := repo.measures.get(aim.measure)) is not None:
                added.setdefault(measure.id, []).extend(action_events(action, measure))
    measures = {
        measure_id: _with_events(measure, added.get(measure_id, []))
        for measure_id, measure in repo.measures.items()
    }
    return dataclasses.replace(repo, measures=measures)


def _with_events(measure: Measure, events: list[Event]) -> Measure:
    if not events:
        return measure
    meta = measure.meta.model_copy(update={"events": [*measure.meta.events, *events]})
    return dataclasses.replace(measure, meta=meta)

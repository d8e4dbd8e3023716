"""The news about improvement actions between two revisions: added or removed, started,
finished or dropped, and a signal that now follows one on a measure it aims to move."""

from __future__ import annotations

from collections.abc import Iterator

from pumpsite.analysis.follow import action_follow_up
from pumpsite.checks.inspection import Inspection
from pumpsite.diff.change import Change
from pumpsite.model import Action

STATUS_NEWS = {"running": "started", "done": "finished", "dropped": "dropped"}


def action_changes(base: Inspection, head: Inspection) -> Iterator[Change]:
    before, after = base.repo.actions, head.repo.actions
    for action_id in sorted(set(before) - set(after)):
        yield Change("action", action_id, before[action_id].title, "removed", before=action_id)
    for action_id, action in sorted(after.items()):
        old = before.get(action_id)
        if old is None:
            yield Change("action", action_id, action.title, "added")
        yield from _status_changes(old, action, head)
        yield from _followed(old, action, base, head)


def _statuses(action: Action | None, inspection: Inspection) -> set[tuple[str, str]]:
    if action is None:
        return set()
    on = inspection.report_date
    return {(c.status, c.date.isoformat()) for c in action.meta.status if c.date <= on}


def _status_changes(old: Action | None, new: Action, head: Inspection) -> Iterator[Change]:
    for status, day in sorted(_statuses(new, head) - _statuses(old, head), key=lambda s: s[1]):
        if status in STATUS_NEWS:
            yield Change("action", new.id, new.title, "action_status", key=status, at=day)


def _verdicts(action: Action | None, inspection: Inspection) -> dict[str, str]:
    """measure id -> the sentence, for the measures a signal followed the action on."""
    if action is None:
        return {}
    found = {}
    repo = inspection.repo
    for aim in action.meta.measures:
        measure = repo.measures.get(aim.measure)
        if measure is None:
            continue
        follow = action_follow_up(action, aim, measure, repo.settings, inspection.report_date)
        if follow is not None and follow.follow.verdict == "followed":
            found[measure.id] = follow.sentence
    return found


def _followed(
    old: Action | None, new: Action, base: Inspection, head: Inspection
) -> Iterator[Change]:
    was = _verdicts(old, base)
    for measure_id, sentence in _verdicts(new, head).items():
        if measure_id not in was:
            title = head.repo.measures[measure_id].title
            yield Change(
                "action", new.id, new.title, "followed", key=measure_id, label=title, after=sentence
            )

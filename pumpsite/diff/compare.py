"""Statistical news between two states of a measures repository: a pure comparison.

Two inspections, analysed at the same report date, in; a flat list of `Change`s out, goals and
the site here, each measure in `pumpsite.diff.measure`.

A goal or measure whose id disappears while a new id appears is a **rename** when the two share,
unambiguously, their frontmatter (the data path apart), their text, their title or their data.
Matching on content rather than on git's rename detection also works for files not committed yet
and for renames that move two files (the measure and its CSV) and edit references elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from pumpsite.checks.inspection import Inspection
from pumpsite.diff.actions import action_changes
from pumpsite.diff.change import Change
from pumpsite.diff.measure import measure_changes
from pumpsite.model import Goal, Measure
from pumpsite.problems import Problem
from pumpsite.schema import SiteSettings

Item = TypeVar("Item", Goal, Measure)

GOAL_FIELDS = (("title", "title"), ("parent", "parent goal"), ("owner", "owner"))
SETTINGS_FIELDS = (
    ("rules", "signal rules"),
    ("run_length", "run length"),
    ("as_of", "report date"),
)


@dataclass(frozen=True, slots=True)
class Matching:
    """Ids on both sides: `pairs` maps every kept base id to its head id (renames included)."""

    pairs: Mapping[str, str]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def renamed(self) -> dict[str, str]:
        return {old: new for old, new in self.pairs.items() if old != new}


def compare(base: Inspection, head: Inspection) -> list[Change]:
    """Everything statistically worth telling a reviewer, from `base` to `head`."""
    unreadable = {p.path for p in head.errors}
    goals = match(base.repo.goals, head.repo.goals, goal_fingerprints, unreadable)
    measures = match(base.repo.measures, head.repo.measures, measure_fingerprints, unreadable)
    changes = list(settings_changes(base.repo.settings, head.repo.settings))
    changes += goal_changes(base, head, goals)
    changes += _removed(base.repo.measures, measures.removed, head.errors, "measure")
    for measure_id in measures.added:
        measure = head.repo.measures[measure_id]
        analysis = head.analyses.get(measure_id)
        arrival = _arrival(measure, base.errors)
        changes += measure_changes(None, measure, None, analysis, head.report_date, arrival=arrival)
    for old, new in measures.pairs.items():
        before, after = base.repo.measures[old], head.repo.measures[new]
        if old != new:
            changes.append(Change("measure", new, after.title, "renamed", before=old, after=new))
        base_analysis, head_analysis = base.analyses.get(old), head.analyses.get(new)
        changes += measure_changes(
            before, after, base_analysis, head_analysis, head.report_date, goals.renamed
        )
    changes += action_changes(base, head)
    return changes


# --- matching ids, renames included ---------------------------------------------------------------


def match(
    base: Mapping[str, Item],
    head: Mapping[str, Item],
    fingerprints: Callable[[Item], set[Hashable]],
    unreadable: set[str],
) -> Matching:
    """Ids on both sides; a base item whose file is `unreadable` now stays put, never renamed."""
    kept = sorted(base.keys() & head.keys())
    gone = {i: fingerprints(base[i]) for i in sorted(base.keys() - head.keys())}
    new = {i: fingerprints(head[i]) for i in sorted(head.keys() - base.keys())}
    movable = {i: fps for i, fps in gone.items() if base[i].path not in unreadable}
    renames = find_renames(movable, new)
    return Matching(
        pairs={**{i: i for i in kept}, **renames},
        added=tuple(i for i in new if i not in renames.values()),
        removed=tuple(i for i in gone if i not in renames),
    )


def find_renames(
    old: Mapping[str, set[Hashable]], new: Mapping[str, set[Hashable]]
) -> dict[str, str]:
    """Old id -> new id for pairs that share a fingerprint no other old or new item has;
    the pair sharing the most fingerprints wins when an id could go two ways."""
    old_count = Counter(fp for fps in old.values() for fp in fps)
    new_count = Counter(fp for fps in new.values() for fp in fps)
    scores = {
        (o, n): shared
        for o, o_fps in old.items()
        for n, n_fps in new.items()
        if (shared := sum(old_count[fp] == new_count[fp] == 1 for fp in o_fps & n_fps))
    }
    renames: dict[str, str] = {}
    for o, n in sorted(scores, key=lambda pair: (-scores[pair], pair)):
        if o not in renames and n not in renames.values():
            renames[o] = n
    return renames


def goal_fingerprints(goal: Goal) -> set[Hashable]:
    found: set[Hashable] = {("meta", goal.meta.model_dump_json()), ("title", goal.title.casefold())}
    if goal.body.strip():
        found.add(("body", goal.body.strip()))
    return found


def measure_fingerprints(measure: Measure) -> set[Hashable]:
    meta = measure.meta.model_dump_json(exclude={"data"})
    found: set[Hashable] = {("meta", meta), ("title", measure.title.casefold())}
    if measure.body.strip():
        found.add(("body", measure.body.strip()))
    if measure.series and measure.series.observations:
        values = tuple((o.period, o.value) for o in measure.series.observations)
        found.add(("data", values))
    return found


# --- goals and site settings ----------------------------------------------------------------------


def goal_changes(base: Inspection, head: Inspection, goals: Matching) -> Iterator[Change]:
    for goal_id in goals.added:
        goal = head.repo.goals[goal_id]
        yield Change("goal", goal_id, goal.title, _arrival(goal, base.errors))
    yield from _removed(base.repo.goals, goals.removed, head.errors, "goal")
    for old, new in goals.pairs.items():
        before, after = base.repo.goals[old], head.repo.goals[new]
        if old != new:
            yield Change("goal", new, after.title, "renamed", before=old, after=new)
        for key, label in GOAL_FIELDS:
            was, now = getattr(before.meta, key), getattr(after.meta, key)
            if was != now and goals.renamed.get(was, was) != now:  # not just following a rename
                yield Change("goal", new, after.title, "field", key, label, before=was, after=now)


def _removed(
    items: Mapping[str, Goal] | Mapping[str, Measure],
    ids: tuple[str, ...],
    errors: list[Problem],
    subject: Literal["goal", "measure"],
) -> Iterator[Change]:
    """Removed, or only unreadable now: a file with errors is left out by the loader."""
    broken = {p.path for p in errors}
    for item_id in ids:
        item = items[item_id]
        kind: Literal["removed", "unreadable"] = "unreadable" if item.path in broken else "removed"
        yield Change(subject, item_id, item.title, kind, before=item.path)


def _arrival(item: Goal | Measure, base_errors: list[Problem]) -> Literal["added", "repaired"]:
    """New, or there before but left out then because its file had errors."""
    return "repaired" if item.path in {p.path for p in base_errors} else "added"


def settings_changes(before: SiteSettings, after: SiteSettings) -> Iterator[Change]:
    for key, label in SETTINGS_FIELDS:
        was, now = getattr(before, key), getattr(after, key)
        if was != now:
            yield Change(
                "site", "", "", "settings", key, label, before=_plain(was), after=_plain(now)
            )


def _plain(value: object) -> str | float | None:
    if value is None or isinstance(value, int | float | str):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)

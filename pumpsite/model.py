"""The repository as a value: goals, measures with their data, actions, glossary and settings.

`pumpsite.load` builds it (and is the only module that reads files); everything downstream is pure.
Repo-relative paths are POSIX strings (`measures/churn.md`); OS paths are `pathlib.Path`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from pumpsite.periods import Period, quarter_of
from pumpsite.schema import ActionMeta, GoalMeta, MeasureMeta, Role, SiteSettings, StatusChange


@dataclass(frozen=True, slots=True)
class Observation:
    period: Period
    value: float | None  # None: the row is there but the value cell is empty
    note: str
    line: int  # physical line in the CSV file


@dataclass(frozen=True, slots=True)
class Series:
    """A measure's data: observations sorted by period, one per period, gaps allowed."""

    path: str  # repo-relative CSV path
    column: str
    observations: tuple[Observation, ...]

    def values_by_period(self) -> tuple[list[Period], list[float | None]]:
        """Every period from the first to the last, with None for missing ones (gaps)."""
        if not self.observations:
            return [], []
        first, last = self.observations[0].period, self.observations[-1].period
        if last.ordinal - first.ordinal + 1 == len(self.observations):  # no gap: nearly always
            return [o.period for o in self.observations], [o.value for o in self.observations]
        by_ordinal = {o.period.ordinal: o.value for o in self.observations}
        ordinals = range(first.ordinal, last.ordinal + 1)
        periods = [Period(first.frequency, n) for n in ordinals]
        return periods, [by_ordinal.get(n) for n in ordinals]


Key = str | int
KeyPath = tuple[Key, ...]
"""Where a value is in a YAML document: ("roles", 1, "target"); () for the document."""


def line_of(lines: Mapping[KeyPath, int], at: KeyPath) -> int | None:
    """The line of the deepest key on the path `at` whose line is known."""
    for depth in range(len(at), -1, -1):
        if (line := lines.get(at[:depth])) is not None:
            return line
    return None


def default_data_path(measure_id: str) -> str:
    """Where a measure's data is when it does not say (`data:`)."""
    return f"data/{measure_id}.csv"


class _Document:
    """What goal, measure and action files share: a title, and the line of a key."""

    __slots__ = ()
    meta: GoalMeta | MeasureMeta | ActionMeta
    lines: Mapping[KeyPath, int]

    @property
    def title(self) -> str:
        return self.meta.title

    def line(self, *at: Key) -> int | None:
        return line_of(self.lines, at)


@dataclass(frozen=True, slots=True)
class Goal(_Document):
    id: str
    path: str
    meta: GoalMeta
    body: str  # Markdown after the frontmatter
    lines: Mapping[KeyPath, int] = field(default_factory=dict)  # key path -> line


@dataclass(frozen=True, slots=True)
class Measure(_Document):
    id: str
    path: str
    meta: MeasureMeta
    body: str
    data_path: str  # repo-relative CSV path: meta.data, or default_data_path(id)
    series: Series | None  # None when the CSV could not be read
    lines: Mapping[KeyPath, int] = field(default_factory=dict)  # key path -> line

    def role_at(self, day: date) -> Role | None:
        """The role in force on `day`: the latest `from` quarter at or before it."""
        quarter = quarter_of(day)
        current = [r for r in self.meta.roles if r.start <= quarter]
        return max(current, key=lambda r: r.start) if current else None

    def role_kind_at(self, day: date) -> str:
        """'improve' or 'sustain'; a measure without roles is business as usual."""
        role = self.role_at(day)
        return role.role if role else "sustain"


@dataclass(frozen=True, slots=True)
class Action(_Document):
    """An improvement action: what is done to move some measures, and why (root causes)."""

    id: str
    path: str
    meta: ActionMeta
    body: str
    lines: Mapping[KeyPath, int] = field(default_factory=dict)  # key path -> line

    def status_on(self, day: date) -> StatusChange | None:
        """The status in force on `day`: the latest change at or before it."""
        changes = [c for c in self.meta.status if c.date <= day]
        return changes[-1] if changes else None

    @property
    def ran(self) -> bool:
        """Whether it has ever been running (a planned or dropped-before-start one has not)."""
        return any(change.status in ("running", "done") for change in self.meta.status)

    @property
    def ended(self) -> date | None:
        """When it finished or was dropped, if it has."""
        last = self.meta.current
        return last.date if last.status in ("done", "dropped") else None


@dataclass(frozen=True, slots=True)
class Tagged:
    """A YAML value with an engine-specific tag in mkdocs.yml (`!!python/name:…`, `!ENV`),
    kept as written so the generated engine config can carry it through unchanged."""

    tag: str
    value: object


@dataclass(frozen=True, slots=True)
class GoalReference:
    """A goal named by a file that could not be loaded whole: `goal:` of a measure or an
    action, `parent:` of a goal."""

    path: str
    line: int | None
    kind: Literal["goal", "measure", "action"]
    goal: str


@dataclass(frozen=True, slots=True)
class Repo:
    root: Path
    goals: Mapping[str, Goal]
    measures: Mapping[str, Measure]
    glossary: Mapping[str, str]  # term -> definition, built-ins merged with the user's file
    settings: SiteSettings
    site_config: Mapping[str, object]  # the user's mkdocs.yml; custom tags kept as `Tagged`
    templates: Mapping[str, str] = field(default_factory=dict)  # site_templates/<name> -> text
    actions: Mapping[str, Action] = field(default_factory=dict)
    # Files in measures/ that could not be loaded (their problems are reported): id -> the goal
    # ids they name (goal:, parent:), or None when even that could not be read. Cross-file checks
    # use it so a broken file does not also make its goal look missing or empty.
    broken: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    # The goals those broken files name, where: checked like a loaded file's, in the same run.
    broken_references: tuple[GoalReference, ...] = ()

"""What `pumpsite diff` finds: changes to goals, measures and the site, between two revisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from pumpsite.gitstate import Revision
from pumpsite.problems import Problem

Subject = Literal["site", "goal", "measure", "action"]
Kind = Literal[
    "added",
    "removed",
    "unreadable",  # still there, but its file has errors now, so the loader left it out
    "repaired",  # its file had errors at the base: read again now
    "renamed",
    "signal_new",
    "signal_cleared",
    "assurance",
    "target_reached",
    "role",
    "target",
    "deadline",
    "stale",
    "data",
    "limits_moved",
    "limits_settings",
    "field",
    "settings",
    "action_status",  # an action started, finished or dropped: key the status, at its date
    "followed",  # a signal in the expected direction now follows an action: key the measure
]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""Every kind, in the order a measure's news is told: identity, statistics, decisions, edits."""

Value = str | float | bool | None


@dataclass(frozen=True, slots=True)
class Change:
    """`key` names what changed for tools (a field path, a rule, 'role'); `label` is the same for
    people; `at` anchors it in time (a quarter, a period, a span of periods), when it has to."""

    subject: Subject
    id: str  # the head id ('' for the site); the base id when removed
    title: str
    kind: Kind
    key: str = ""
    label: str = ""
    at: str = ""
    before: Value = None
    after: Value = None


@dataclass(frozen=True, slots=True)
class Diff:
    """The news from `base` to `head` (None: the working tree), both read at `report_date`;
    `errors` are the head's, which the news cannot see into."""

    base: Revision
    head: Revision | None
    report_date: date
    changes: Sequence[Change]
    errors: Sequence[Problem] = ()

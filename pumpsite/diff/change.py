"""One piece of statistical news: what changed about a goal, a measure or the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Subject = Literal["site", "goal", "measure"]
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

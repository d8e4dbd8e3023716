"""The words a reader sees for roles, signal effects and assurance, in one place: the pages, the
chart legend, a measure's reading and `pumpsite diff` each take the form they need from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pumpsite.analysis.xmr import Assurance

ROLE_LABELS: dict[str, str] = {"improve": "Key result", "sustain": "KPI"}
"""A role as a heading or badge."""
ROLE_NAMES: dict[str, str] = {"improve": "key result", "sustain": "KPI"}
"""A role inside a sentence."""

EFFECT_LABELS: dict[str, str] = {
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral": "Signal",
}
"""A signal's effect as a badge."""
EFFECT_NAMES: dict[str, str] = {
    "improvement": "Improvement (filled)",
    "concern": "Concern (open)",
}
"""A signal's effect in the chart legend, beside its colour and fill, which the words name so
the effect reads without colour (a signal without a direction is drawn filled in the text colour
and needs no entry)."""
EFFECT_ASIDES: dict[str, str] = {
    "improvement": " (an improvement)",
    "concern": " (a concern)",
    "neutral": "",
}
"""A signal's effect after its description, in a measure's reading."""
EFFECT_NOTES: dict[str, str] = {
    "improvement": " (improvement)",
    "concern": " (concern)",
    "neutral": "",
}
"""A signal's effect after its description, in `pumpsite diff`."""

ASSURANCE_WORDS: dict[Assurance, str] = {
    "unpredictable": (
        "can't be judged until a new phase: the latest values are signals, so the limits no "
        "longer describe the process"
    ),
    "met_consistently": "will be met consistently",
    "hit_or_miss": "hit or miss: the target sits inside the natural process limits",
    "not_met": "will not be met unless the process changes",
}
"""Whether a target will be met, in a few words, for overview pages."""
ASSURANCE_CHANGES: dict[str | None, str] = {
    "unpredictable": "can't be judged until a new phase: the latest values are signals",
    "met_consistently": "met consistently",
    "hit_or_miss": "hit or miss",
    "not_met": "not met unless the process changes",
    None: "not known until the current phase has limits",
}
"""Whether a target will be met, as `pumpsite diff` reports a change of it."""

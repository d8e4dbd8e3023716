"""Variation and assurance icons, after NHS England's "Making Data Count": a measure's state at a
glance in a summary table. Each icon is inline SVG drawn here at build time, the same for every
measure in that state, and carries a letter (H/L, P/F/?) and a text alternative, so it reads
without colour. Where pumpsite's meanings differ from the NHS ones, docs/statistics.md says so.

- **Variation** comes from the latest value: a signal of the X chart that includes it (one per
  event, `without_echoes`) is special cause, improving or concerning (neutral when no direction
  is better), high or low; otherwise common cause. Without limits in the current phase, or
  without data, it cannot be judged.
- **Assurance** comes from the role's target against the current phase's limits
  (`xmr.assurance`): met consistently (P), hit or miss (?), not met unless the process changes
  (F), or cannot be judged (the process is unpredictable, no limits, no better direction). A
  KPI has no target.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import latest_signals
from pumpsite.analysis.signals import Effect, Side
from pumpsite.analysis.xmr import LEVEL_RULES
from pumpsite.render.chart.plan import EFFECT_COLOURS, svg_colour
from pumpsite.render.chart_ref import ChartRef

GREY = "currentColor"


@dataclass(frozen=True, slots=True)
class Icon:
    key: str  # "variation-concern-high", "assurance-pass", …: its name in the site's charts
    letter: str  # what it shows besides colour: "H", "L", "P", "F", "?", or "" (a shape)
    label: str  # its text alternative, plain text
    meaning: str  # a sentence for the legend
    colour: str
    dashed: bool = False  # "cannot judge": a dashed outline

    @property
    def ref(self) -> ChartRef:
        return ChartRef(self.key, "icon")


_SIDE = {"high": "High", "low": "Low"}
_SPECIAL = {
    "improvement": "Special cause improving",
    "concern": "Special cause concerning",
    "neutral": "Special cause, neither direction better",
}
_SPECIAL_MEANING = {
    "improvement": "the latest value is part of a signal in the better direction",
    "concern": "the latest value is part of a signal in the worse direction",
    "neutral": "the latest value is part of a signal; neither direction is better",
}


def _special(effect: Effect, side: Side) -> Icon:
    return Icon(
        key=f"variation-{effect}-{side}",
        letter=side[0].upper(),
        label=f"{_SPECIAL[effect]}: {side} values",
        meaning=f"{_SPECIAL[effect]}, {_SIDE[side].lower()} ({side[0].upper()}): "
        f"{_SPECIAL_MEANING[effect]}.",
        colour=svg_colour(EFFECT_COLOURS[effect]),
    )


VARIATION: dict[str, Icon] = {
    "common": Icon(
        "variation-common",
        "",
        "Common cause variation",
        "Common cause: no signal in the latest value; the process is doing what it usually does.",
        GREY,
    ),
    **{
        f"{effect}-{side}": _special(effect, side)
        for effect in ("improvement", "concern", "neutral")
        for side in ("high", "low")
    },
    "unknown": Icon(
        "variation-unknown",
        "–",
        "Variation cannot be judged: no limits yet",
        "Cannot be judged (dashed): no limits yet, so no signals.",
        GREY,
        dashed=True,
    ),
}
ASSURANCE: dict[str, Icon] = {
    "met_consistently": Icon(
        "assurance-pass",
        "P",
        "Target met consistently",
        "Pass (P): the target lies beyond the limits on the better side; the process meets it "
        "consistently.",
        EFFECT_COLOURS["improvement"],
    ),
    "hit_or_miss": Icon(
        "assurance-hit-or-miss",
        "?",
        "Target hit or miss",
        "Hit or miss (?): the target lies on or between the limits; it is met some periods "
        "and missed others by routine variation.",
        GREY,
    ),
    "not_met": Icon(
        "assurance-fail",
        "F",
        "Target not met unless the process changes",
        "Fail (F): the target lies beyond the limits on the worse side; it will not be met "
        "unless the process changes.",
        EFFECT_COLOURS["concern"],
    ),
    "unknown": Icon(
        "assurance-unknown",
        "–",
        "Assurance cannot be judged",
        "Cannot be judged (dashed): no limits yet, no better direction, or the latest values "
        "are signals (unpredictable) so the limits no longer describe the process.",
        GREY,
        dashed=True,
    ),
    "none": Icon(
        "assurance-none",
        "",
        "No target: a KPI, watched for signals",
        "No target (empty): a KPI is kept healthy and watched for signals, not held to a target.",
        GREY,
        dashed=True,
    ),
}


def variation_icon(analysis: MeasureAnalysis | None) -> Icon:
    if analysis is None or analysis.xmr.current_phase.limits is None:
        return VARIATION["unknown"]
    latest = [s for s in latest_signals(analysis.xmr) if s.rule in LEVEL_RULES]
    for effect in ("concern", "improvement", "neutral"):
        signal = next((s for s in latest if s.effect == effect), None)
        if signal is not None:
            return VARIATION[f"{effect}-{signal.side}"]
    return VARIATION["common"]


def assurance_icon(analysis: MeasureAnalysis | None, has_target: bool) -> Icon:
    if not has_target:
        return ASSURANCE["none"]
    reading = analysis.target if analysis else None
    if reading is None or reading.assurance in (None, "unpredictable"):
        return ASSURANCE["unknown"]
    return ASSURANCE[reading.assurance]


LEGEND: tuple[Icon, ...] = (*VARIATION.values(), *ASSURANCE.values())
"""Every icon, in the order the legend explains them."""


def icon_svg(icon: Icon) -> str:
    """The icon as inline SVG on one line, its label as text alternative (in an attribute, as
    the sparkline's: the page gives the hover title on its wrapper)."""
    label = escape(icon.label, quote=True)
    dash = ' stroke-dasharray="3 2"' if icon.dashed else ""
    ring = (
        f'<circle cx="12" cy="12" r="10" fill="{icon.colour}" fill-opacity="0.15" '
        f'stroke="{icon.colour}" stroke-width="2"{dash}/>'
    )
    if icon.letter:
        mark = (
            f'<text x="12" y="16.5" text-anchor="middle" font-size="13" font-weight="bold" '
            f'fill="currentColor">{escape(icon.letter)}</text>'
        )
    elif icon.key == "variation-common":
        mark = (
            '<path d="M5 12 q3.5 -5 7 0 t7 0" fill="none" stroke="currentColor" stroke-width="2"/>'
        )
    else:
        mark = ""
    return (
        f'<svg class="pumpsite-icon" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" '
        f'width="24" height="24" role="img" aria-label="{label}">'
        f"{ring}{mark}</svg>"
    )


def icon_charts() -> dict[ChartRef, str]:
    """Every icon by its reference, for the site's charts."""
    return {icon.ref: icon_svg(icon) for icon in LEGEND}

"""The pieces pumpsite's hand-drawn SVG charts are made of: coordinates, the frame that maps data
to points, paths, titled groups, marker shapes and their uses, labels. Text from the repository
is escaped here, and every element is one that the chart cache's shape check admits
(`build.chart_cache.chart_shaped`).

Text is placed as matplotlib placed it, with DejaVu Sans' proportions: an ascent of 0.76 and a
descent of 0.24 of the font size above and below the baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from pumpsite.render.chart.plan import one_line

ASCENT, DESCENT = 0.76, 0.24
"""Of the font size: where a line's top and bottom sit from its baseline."""


def num(value: float) -> str:
    """A coordinate to two decimals, as short as it goes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True, slots=True)
class Frame:
    """Data to points: a panel's box in the view box and the data range it shows."""

    left: float
    right: float
    top: float
    bottom: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def x(self, index: float) -> float:
        return self.left + (index - self.x_low) / (self.x_high - self.x_low) * (
            self.right - self.left
        )

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)


def hline(f: Frame, x: tuple[float, float], y: float) -> str:
    return f"M {num(f.x(x[0]))} {num(f.y(y))} L {num(f.x(x[1]))} {num(f.y(y))}"


def titled(gid: str, title: str, body: str) -> str:
    return f'<g id="{gid}">\n<title>{text(title)}</title>\n{body}\n</g>'


def text(words: str) -> str:
    return escape(one_line(words), quote=False)


def path(d: str, style: str) -> str:
    return f'<path d="{d}" style="{style}"/>'


# --- marks ---------------------------------------------------------------------------------------


def shape_path(marker: str, size: float) -> str:
    """A marker's outline centred on 0 0, `size` points across as matplotlib sizes it."""
    half = size / 2
    if marker == "o":  # four Bézier quarters, as matplotlib writes a circle
        k = half * 0.5523
        return (
            f"M 0 {num(half)} C {num(k)} {num(half)} {num(half)} {num(k)} {num(half)} 0 "
            f"C {num(half)} {num(-k)} {num(k)} {num(-half)} 0 {num(-half)} "
            f"C {num(-k)} {num(-half)} {num(-half)} {num(-k)} {num(-half)} 0 "
            f"C {num(-half)} {num(k)} {num(-k)} {num(half)} 0 {num(half)} z"
        )
    if marker == "D":
        r = half * math.sqrt(2)
        return polygon([(0, r), (r, 0), (0, -r), (-r, 0)])
    if marker == "s":
        return polygon([(-half, half), (half, half), (half, -half), (-half, -half)])
    if marker == "^":
        return polygon([(0, -half), (-half, half), (half, half)])
    turns = [math.radians(90 + 72 * k) for k in range(5)]  # "p": a pentagon, a corner up
    return polygon([(half * math.cos(t), -half * math.sin(t)) for t in turns])


def polygon(corners: list[tuple[float, float]]) -> str:
    return "M " + " L ".join(f"{num(x)} {num(y)}" for x, y in corners) + " z"


def use(
    f: Frame, shape_id: str, index: float, value: float, style: str, title: str, period: str = ""
) -> str:
    extra = f' data-period="{period}"' if period else ""
    return (
        f'<use x="{num(f.x(index))}" y="{num(f.y(value))}" style="{style}" '
        f'href="#{shape_id}"{extra}><title>{text(title)}</title>\n</use>'
    )


def use_at(x: float, y: float, shape_id: str, style: str, title: str) -> str:
    return (
        f'<use x="{num(x)}" y="{num(y)}" style="{style}" href="#{shape_id}">'
        f"<title>{text(title)}</title>\n</use>"
    )


def defined(shape_id: str, marker: str, size: float) -> str:
    return f'<defs>\n<path id="{shape_id}" d="{shape_path(marker, size)}"/>\n</defs>'


def label(
    x: float,
    y: float,
    words: str,
    font: float,
    anchor: str = "start",
    fill: str = "currentColor",
    opacity: float | None = None,
    face: str = "",
) -> str:
    """Text with its baseline at `y`; `face` is "bold" or "italic" (or "" for neither)."""
    head = {"bold": "font-weight: 700; ", "italic": "font-style: italic; "}.get(face, "")
    tail = "" if opacity is None else f"; opacity: {num(opacity)}"
    style = f"{head}font-size: {num(font)}px; text-anchor: {anchor}; fill: {fill}{tail}"
    return f'<text x="{num(x)}" y="{num(y)}" style="{style}">{text(words)}</text>'


def baseline(y: float, font: float, va: str) -> float:
    """The baseline of one line of text whose top, centre or bottom (`va`) is at `y`."""
    if va == "top":
        return y + ASCENT * font
    if va == "bottom":
        return y - DESCENT * font
    if va == "center_baseline":  # as matplotlib centres tick labels
        return y + 0.38 * font
    return y + (ASCENT - DESCENT) / 2 * font

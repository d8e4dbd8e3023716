"""User text made safe for Markdown pages: `md_escape` for inline values, `html_text` for titles
the theme prints as HTML, `sanitise_markdown` for the owner's notes (the rendered HTML is judged
again by `pumpsite.render.safe_html`)."""

from __future__ import annotations

import html
import re

# --- inline text ---------------------------------------------------------------------------

_MD_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    **{c: f"&#{ord(c)};" for c in "\\`*_{}[]#+|~^"},
}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_ENTITIES)) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_LIST = re.compile(r"^(\d+)([.)])(?=\s|$)|^-(?=\s|$)")


def md_escape(value: object) -> str:
    """User text as inert inline Markdown: one line, `&<>"` escaped for HTML and every character
    Markdown or its extensions give a meaning to (links, emphasis, code, attribute lists, tables,
    headings, lists) written as a character reference, so `[x](javascript:…)`, `<script>` or
    `{onclick=…}` show as the text they are. The reader sees the same characters."""
    text = " ".join(_CONTROL.sub("", str(value)).split())
    text = _MD_SPECIAL.sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _LEADING_LIST.sub(
        lambda m: f"{m.group(1)}&#{ord(m.group(2))};" if m.group(1) else "&#45;", text, count=1
    )


def html_text(value: object) -> str:
    """User text for places the theme prints as raw HTML: page titles and nav entries."""
    text = html.escape(" ".join(_CONTROL.sub("", str(value)).split()), quote=False)
    return text.replace('"', "&quot;")


# The Markdown body of a goal or measure file is the owner's own Markdown: it is rendered, with
# two changes made here. Every `<` that is not an http(s)/mailto autolink is escaped, so raw HTML
# (`<script>`, `<img onerror>`, `<div markdown>`, a forged chart placeholder `<!--…-->`) shows as
# text; the price is that a literal `<` inside a code block shows as its escape. Headings are
# moved two levels down, below the page's own sections, so the page keeps a single title.
# Links, attributes and ids are not judged here but in the rendered HTML, whatever Markdown or
# an extension made of the source (`pumpsite.render.safe_html`).

_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"]*>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_ATX = re.compile(r"^(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")


def _escape_tags(text: str) -> str:
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group())
        return f"\x00{len(kept) - 1}\x00"

    text = _AUTOLINK.sub(keep, text.replace("\x00", ""))
    text = text.replace("<", "&lt;")
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _outside_fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is outside fenced code (``` or ~~~)."""
    outside, fence = [], ""
    for line in lines:
        marker = _FENCE.match(line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            outside.append(False)
            fence = "" if fence else marker.group(1)[:3]
        else:
            outside.append(not fence)
    return outside


def _atx_headings(lines: list[str], outside: list[bool]) -> tuple[list[str], list[bool]]:
    """Setext headings (a line of text underlined with === or ---) as # headings."""
    out: list[str] = []
    kept: list[bool] = []
    for line, ok in zip(lines, outside, strict=True):
        underline = _SETEXT.match(line)
        if ok and underline and out and kept[-1] and out[-1].strip() and not _ATX.match(out[-1]):
            level = "#" if underline.group(1).startswith("=") else "##"
            out[-1] = f"{level} {out[-1].strip()}"
            continue
        out.append(line)
        kept.append(ok)
    return out, kept


def _demote_headings(body: str, top: int = 3) -> str:
    """Move the owner's headings down so the highest becomes level `top`: below the page's own
    sections, and never a second page title."""
    lines = body.split("\n")
    lines, outside = _atx_headings(lines, _outside_fences(lines))
    levels = [
        len(m.group(1))
        for line, ok in zip(lines, outside, strict=True)
        if ok and (m := _ATX.match(line))
    ]
    shift = max(0, top - min(levels, default=top))
    return "\n".join(
        _ATX.sub(lambda m: "#" * min(len(m.group(1)) + shift, 6), line) if ok else line
        for line, ok in zip(lines, outside, strict=True)
    )


def sanitise_markdown(body: str) -> str:
    """The owner's Markdown, raw HTML as text, headings below the page's (see above)."""
    return _demote_headings(_escape_tags(body)).strip()

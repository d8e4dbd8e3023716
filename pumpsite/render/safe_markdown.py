"""User text made safe for Markdown pages: `md_escape` for inline values, `html_text` for titles
the theme prints as HTML, `notes_html` for the owner's notes (rendered here and judged by
`pumpsite.render.safe_html`'s allow-list, as every page is again)."""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor

from pumpsite.render import safe_html
from pumpsite.render.tooltips import TooltipsExtension

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


# --- the owner's notes ---------------------------------------------------------------------------

# The Markdown body of a goal or measure file is the owner's own Markdown. It is rendered here,
# apart from the page, by Python-Markdown without its raw-HTML parsers: `<script>`, `<img
# onerror>`, `<div markdown>` or a forged chart placeholder `<!--…-->` show as the text they are,
# and a `<` inside code shows as typed. The HTML is then judged by safe_html's allow-list (links,
# attributes, ids, whatever an extension made of the source). Headings are moved below the
# page's own sections, so the page keeps a single title.
#
# The page takes the HTML inside a `markdown="1"` block, which md_in_html (always in the
# generated project) turns into elements without reading their content as Markdown again: the
# headings reach the page's table of contents and get its permalinks. Glossary tooltips are
# added here, as the page would: the page's own pass does not see inside this block.

NOTES_EXTENSIONS = ("admonition", "attr_list", "tables", "pymdownx.details", "pymdownx.superfences")
"""What a note may use: the extensions every generated project has, less md_in_html (which
would read raw HTML again)."""
TOP_HEADING = 3
"""A note's highest heading, below the page's `## Notes`."""


class _DemoteHeadings(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        headings = [e for e in root.iter() if re.fullmatch("h[1-6]", str(e.tag))]
        shift = max(0, TOP_HEADING - min((int(e.tag[1]) for e in headings), default=TOP_HEADING))
        for heading in headings:
            heading.tag = f"h{min(int(heading.tag[1]) + shift, 6)}"


@functools.lru_cache(maxsize=2)  # one instance, reset between notes: making one costs more
def _notes_markdown(glossary: tuple[tuple[str, str], ...]) -> Markdown:
    md = Markdown(
        extensions=[*NOTES_EXTENSIONS, TooltipsExtension(glossary=dict(glossary))],
        output_format="html",
    )
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_DemoteHeadings(md), "pumpsite_demote_headings", 1)
    return md


def notes_html(body: str, glossary: Mapping[str, str] | None = None) -> str:
    """The owner's Markdown as safe HTML for a page (see above); "" for a blank body."""
    if not body.strip():
        return ""
    md = _notes_markdown(tuple(sorted((glossary or {}).items())))
    rendered = safe_html.clean(md.reset().convert(body))
    return f'<div class="pumpsite-notes" markdown="1">\n{rendered}\n</div>'

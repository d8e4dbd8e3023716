"""The last word on every page's HTML: a Markdown extension the generated project lists in its
`markdown_extensions` (`pumpsite.render.safe_html`), so `mkdocs build -f .pumpsite/mkdocs.yml`
applies it too.

Its postprocessor runs after everything else — Markdown, the extensions' own output (fenced
code, attribute lists), the page templates' HTML — and passes the page through nh3 (ammonia)
with pumpsite's allow-list. What a page may hold is judged on the HTML the browser will get, not
on the Markdown that led to it:

- tags and attributes that pages, Markdown and Material's extensions produce, nothing else: no
  `<script>`, `<style>`, `<iframe>`, `<form>`, no event handler, no `data-md-…` attribute (Material
  mounts its components on those);
- URLs (`href`, `src`, `xlink:href`) with the scheme http, https, mailto or tel, or relative;
- `tabindex` 0 or -1 on `<div>`, `<tr>` and `<abbr>` (a scrolling table, a chart's row with a
  signal, a glossary term),
  so content can join the focus order where it stands, never jump ahead of it;
- `style` with the properties tables (text-align) and charts (SVG paint and text) use, so no
  page can lay a box over the site (no `position`);
- ids kept out of the theme's page frame, which Material names `__drawer`, `__search`, `__toc`,
  `__nav_1`… (see `body_id`), and free of characters that would leave an attribute: Material
  prints the table of contents' ids unescaped. A renamed id is renamed in the page's `#` links
  and in the table of contents too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from typing import Any

import nh3
from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_SVG_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "use"}
_SVG_TAGS = {"svg", "g", "defs", "symbol", "clipPath", "text", "tspan", "title", "desc"}
TAGS = frozenset(nh3.ALLOWED_TAGS | {"input", "label"} | _SVG_TAGS | _SVG_SHAPES)

_SVG_PAINT = {
    *("fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity"),
    *("stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset"),
    "stroke-miterlimit",
    *("opacity", "clip-path", "clip-rule", "transform", "font-family", "font-size"),
    *("font-weight", "font-style", "text-anchor", "dominant-baseline"),
}
_SVG_COMMON = {*_SVG_PAINT, "style", "x", "y", "width", "height"}
_SVG_OWN = {
    "svg": {"xmlns", "viewBox", "preserveAspectRatio"},
    "path": {"d"},
    "rect": {"rx", "ry"},
    "circle": {"cx", "cy", "r"},
    "ellipse": {"cx", "cy", "rx", "ry"},
    "line": {"x1", "y1", "x2", "y2"},
    "polyline": {"points"},
    "polygon": {"points"},
    "use": {"href", "xlink:href"},
    "text": {"dx", "dy"},
    "tspan": {"dx", "dy"},
    "a": {"xlink:href"},
}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir", "role", "align"},
    "a": {"href", "hreflang", "target", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "div": {"tabindex"},
    "tr": {"tabindex"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "input": {"type", "checked", "disabled", "name"},
    "label": {"for"},
    "details": {"open"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
    "abbr": {"tabindex"},  # glossary terms, reachable by keyboard (pumpsite.render.tooltips)
}
for _tag in _SVG_TAGS | _SVG_SHAPES | {"a"}:
    ATTRIBUTES[_tag] = ATTRIBUTES.get(_tag, set()) | _SVG_COMMON | _SVG_OWN.get(_tag, set())
STYLE_PROPERTIES = frozenset({"text-align", *_SVG_PAINT})

# Material's page frame: `__drawer`, `__search`, `__toc`, `__palette_0`, `__nav_2_label`, and the
# `__code_0` ids its script gives code blocks. Two families of `__` ids belong to the page's own
# content, made by pymdownx (line anchors of code, content tabs), and keep their names.
_FRAME_ID = re.compile(r"__(?!codelineno-|tabbed_)")
_LEAVES_AN_ATTRIBUTE = re.compile(r"[\s\x00-\x1f\x7f\"'<>&`]")
_ID_LISTS = frozenset({"for", "aria-labelledby", "aria-describedby", "aria-controls", "headers"})


def body_id(value: str) -> str:
    """An id from a page's content, as the page may carry it: never one in the theme's
    frame (`__drawer` becomes `_drawer`), never with a quote, bracket, space or control
    character (nor so the engine's placeholders, which would otherwise turn back into HTML)."""
    value = _LEAVES_AN_ATTRIBUTE.sub("-", value)
    return "_" + value.lstrip("_") if _FRAME_ID.match(value) else value


def _ids(name: str, value: str) -> str:
    """An attribute's value with the ids it names as the page may carry them."""
    if name == "id":
        return body_id(value)
    if name in _ID_LISTS:
        return " ".join(body_id(part) for part in value.split())
    if name == "href" and value.startswith("#"):
        return "#" + body_id(value[1:])
    return value


_URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _hidden_scheme(value: str) -> bool:
    """A URL that nh3 takes for a relative one but whose scheme, once its spaces and control
    characters are gone, is not allowed: `java   script:` (Markdown turns a tab into spaces)."""
    scheme = _SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
    return scheme is not None and scheme.group(1).lower() not in URL_SCHEMES


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name.startswith("data-md-") or (name in _URL_ATTRIBUTES and _hidden_scheme(value)):
        return None
    if name == "tabindex" and value not in ("0", "-1"):
        return None  # a page joins the focus order in place, never ahead of the theme
    return _ids(name, value)


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags={"script", "style"},
    attributes=ATTRIBUTES,
    attribute_filter=_attribute,
    strip_comments=False,  # the chart markers (see pumpsite.render.chart_ref)
    link_rel=None,
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
)


def clean(html: str) -> str:
    """HTML as a page may carry it (see the module docstring)."""
    return _CLEANER.clean(html)


def _tokens(tokens: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for token in tokens:
        yield token
        yield from _tokens(token.get("children", []))


class BodyIds(Treeprocessor):
    """Ids as the page may carry them, in the page and in its table of contents alike: here,
    before the raw HTML the tree holds as placeholders comes back."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name, value in element.items():
                if value != (fixed := _ids(name, value)):
                    element.set(name, fixed)
        for token in _tokens(getattr(self.md, "toc_tokens", [])):
            token["id"] = body_id(token["id"])


class SafeHtml(Postprocessor):
    def run(self, text: str) -> str:
        return clean(text)


class SafeHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(BodyIds(md), "pumpsite_body_ids", 4)  # after `toc` (5)
        md.postprocessors.register(SafeHtml(md), "pumpsite_safe_html", -100)  # the very last


def makeExtension(**kwargs: Any) -> SafeHtmlExtension:
    return SafeHtmlExtension(**kwargs)

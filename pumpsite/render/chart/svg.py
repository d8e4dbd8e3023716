"""Make matplotlib's SVG inline-safe: no prolog, comments, metadata or page-wide `<style>`, no
blank line, no fixed size, ids prefixed by the measure id, text and axes in `currentColor` and
the inside of open marks in the page's background (one chart serves Material's light and dark
schemes), a `<title>`/`<desc>` for assistive technology and a hover `<title>` on every mark.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pumpsite.render.chart.plan import BACKGROUND, INK, NOT_XML, PAGE_BACKGROUND, Marks, one_line

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# --- SVG post-processing -----------------------------------------------------------------------

_URL_REF = re.compile(r"url\(#([^)]+)\)")
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_FONT_FAMILY = re.compile(r"font-family:[^;]*;?\s*")
_COORDINATE_ATTRS = ("d", "x", "y", "transform")
_NO_TURN = re.compile(r"rotate\(-?0 [^)]*\)")
_ROOT_STYLE = (
    "font-family: var(--md-text-font-family, sans-serif); "
    "stroke-linejoin: round; stroke-linecap: butt"
)


def _short(match: re.Match[str]) -> str:
    text = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def id_prefix(measure_id: str, size: str) -> str:
    """The prefix of every id in a chart: unique on a page that shows several charts."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", measure_id).strip("-") or "chart"
    return f"{slug}-{size}-"


def _local_names(root: ET.Element) -> None:
    """Plain SVG tag names, and `href` (SVG 2) instead of `xlink:href`."""
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        href = element.attrib.pop(XLINK_HREF, None)
        if href is not None:
            element.set("href", href)


def _references(root: ET.Element) -> set[str]:
    found: set[str] = set()
    for element in root.iter():
        href = element.get("href", "")
        if href.startswith("#"):
            found.add(href[1:])
        for value in element.attrib.values():
            found.update(_URL_REF.findall(value))
    return found


def _rename_ids(root: ET.Element, prefix: str) -> None:
    """Prefix referenced ids and our own `ps-` group ids; drop matplotlib's other ids."""
    used = _references(root)
    for element in root.iter():
        old = element.get("id")
        if old is not None:
            if old in used or old.startswith("ps-"):
                element.set("id", prefix + old.removeprefix("ps-"))
            else:
                del element.attrib["id"]
        href = element.get("href", "")
        if href.startswith("#"):
            element.set("href", f"#{prefix}{href[1:]}")
        for name, value in element.attrib.items():
            if "url(#" in value:
                element.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))


def _restyle(element: ET.Element) -> None:
    """currentColor for the sentinel ink, the page's background for the inside of open marks,
    the page's font, short coordinates."""
    style = element.get("style")
    if style is not None:
        style = style.replace(INK, "currentColor").replace(BACKGROUND, PAGE_BACKGROUND)
        style = _FONT_FAMILY.sub("", style).strip().rstrip(";")
        element.set("style", style)
    for name in _COORDINATE_ATTRS:
        value = element.get(name)
        if value is not None:
            element.set(name, " ".join(_NUMBER.sub(_short, value).split()))
    if _NO_TURN.fullmatch(element.get("transform", "")):
        del element.attrib["transform"]


def _marks_of(group: ET.Element) -> list[ET.Element]:
    """The drawn marks of a collection in drawing order: `<use>`s, or `<path>`s where matplotlib
    found a shared definition not worth it; definitions left out."""
    defined = {id(p) for d in group.iter("defs") for p in d.iter()}
    return [e for e in group.iter() if e.tag in ("use", "path") and id(e) not in defined]


def _element(tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.Element(tag, attrs)
    element.text = one_line(text)
    return element


def _apply_marks(root: ET.Element, marks: Marks) -> None:
    groups = {e.get("id"): e for e in root.iter() if e.get("id", "").startswith("ps-")}
    for gid, titles in marks.titles.items():
        drawn = _marks_of(groups[gid])
        if len(drawn) != len(titles):
            raise AssertionError(f"{gid}: {len(drawn)} marks drawn for {len(titles)} titles")
        attrs = marks.attrs.get(gid, [{} for _ in titles])
        for element, title, extra in zip(drawn, titles, attrs, strict=True):
            element.append(_element("title", title))
            element.attrib.update(extra)
    for gid, text in marks.group_titles.items():
        if gid in groups:
            groups[gid].insert(0, _element("title", text))


def _strip(root: ET.Element) -> None:
    """Drop metadata and the `<style>` element (inline in a page, its `*` rule would apply to
    the whole page), then empty definitions."""
    for tags in (("metadata", "style"), ("defs",)):
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag in tags and (tags[0] != "defs" or not len(child)):
                    parent.remove(child)


def _flatten(element: ET.Element) -> None:
    """Unwrap the bare `<g>`s left once matplotlib's ids are gone; drop empty ones."""
    children: list[ET.Element] = []
    for child in element:
        _flatten(child)
        if child.tag == "g" and not child.attrib:
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


def _layout_text(root: ET.Element) -> None:
    """One element per line, no indentation, no whitespace-only text."""
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = "\n" if len(element) else None
        element.tail = "\n"
    root.tail = None


def finish_svg(
    svg: str, prefix: str, title: str, description: str, classes: str, marks: Marks
) -> str:
    root = ET.fromstring(NOT_XML.sub("", svg))  # matplotlib writes text as it is given
    _local_names(root)
    _strip(root)
    _apply_marks(root, marks)
    for element in root.iter():
        _restyle(element)
    _rename_ids(root, prefix)
    _flatten(root)
    view_box = root.get("viewBox", "")
    root.attrib.clear()
    root.attrib.update(
        {
            "xmlns": SVG_NS,
            "viewBox": view_box,
            "class": classes,
            "role": "img",
            "aria-labelledby": f"{prefix}title {prefix}desc",
            "style": _ROOT_STYLE,
        }
    )
    root.insert(0, _element("title", title, id=f"{prefix}title"))
    root.insert(1, _element("desc", description, id=f"{prefix}desc"))
    _layout_text(root)
    text = ET.tostring(root, encoding="unicode")
    return "\n".join(line for line in text.splitlines() if line.strip())

"""Glossary tooltips: a Markdown extension the generated project lists in its
`markdown_extensions` (`pumpsite.render.tooltips`, with the glossary), in place of Python-Markdown's
`abbr`. A term in a page's text becomes `<abbr title="definition" tabindex="0">`, which Material
shows as a tooltip on hover and on keyboard focus (and names it the term's description). Unlike
`abbr`:

- a page carries a term's definition on its first `PER_TERM` occurrences only (a term is
  explained where the reader first meets it), and at most `PER_PAGE` characters of definitions
  in all: every occurrence carrying the whole definition made a page grow with the square of
  the glossary when definitions use their own terms;
- the engine's placeholders (Python-Markdown's `STX wzxhzdk:N ETX`, which stand for raw HTML and
  the charts until the end) are passed over whole, whatever the terms are;
- terms come from glossary.yml only: `*[term]: definition` in a page is text;
- headings carry none: a dotted underline in a heading reads as a link, and the heading's text
  is the page's title and table of contents.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Mapping
from typing import Any

from markdown import Extension, Markdown, util
from markdown.treeprocessors import Treeprocessor

PER_TERM = 3
"""Occurrences of one term on a page that carry its definition."""
PER_PAGE = 20_000
"""Characters of definitions one page carries at most."""
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_PLACEHOLDER = f"{re.escape(util.STX)}[^{re.escape(util.ETX)}]*{re.escape(util.ETX)}"


@functools.lru_cache(maxsize=4)
def _pattern(terms: frozenset[str]) -> re.Pattern[str]:
    """A placeholder, whole, or a term as a whole word (the longest first)."""
    words = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(f"{_PLACEHOLDER}|\\b(?:{words})\\b")


class Tooltips(Treeprocessor):
    def __init__(self, md: Markdown, glossary: Mapping[str, str]) -> None:
        super().__init__(md)
        self.glossary = {
            term: meaning
            for term, meaning in glossary.items()
            if term and meaning and util.STX not in term and util.ETX not in term
        }

    def run(self, root: etree.Element) -> None:
        if not self.glossary:
            return
        self.pattern = _pattern(frozenset(self.glossary))
        self.shown: Counter[str] = Counter()
        self.left = PER_PAGE
        self._element(root)

    def _element(self, element: etree.Element) -> None:
        """Document order: the element's text, then each child and the text after it (a
        heading's own text is passed over)."""
        if element.tag in HEADINGS:
            return
        element.text, content = self._split(element.text)
        for child in list(element):
            self._element(child)
            child.tail, tips = self._split(child.tail)
            content += [child, *tips]
        element[:] = content

    def _split(self, text: str | None) -> tuple[str | None, list[etree.Element]]:
        """The text before the first tooltip, and the tooltips, each with the text after it."""
        if not text or isinstance(text, util.AtomicString):
            return text, []
        head, start = text, 0
        tips: list[etree.Element] = []
        for match in self.pattern.finditer(text):
            term = match.group()
            if not self._take(term):
                continue
            tip = etree.Element("abbr", {"title": self.glossary[term], "tabindex": "0"})
            tip.text = util.AtomicString(term)
            if tips:
                tips[-1].tail = text[start : match.start()]
            else:
                head = text[: match.start()]
            tips.append(tip)
            start = match.end()
        if tips:
            tips[-1].tail = text[start:]
        return head, tips

    def _take(self, term: str) -> bool:
        """Whether this occurrence carries the definition (a placeholder is no term)."""
        meaning = self.glossary.get(term)
        if meaning is None or self.shown[term] >= PER_TERM or len(meaning) > self.left:
            return False
        self.shown[term] += 1
        self.left -= len(meaning)
        return True


class TooltipsExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {"glossary": [{}, "term -> definition"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        glossary = self.getConfig("glossary") or {}
        md.treeprocessors.register(Tooltips(md, glossary), "pumpsite_tooltips", 7)  # as abbr


def makeExtension(**kwargs: Any) -> TooltipsExtension:
    return TooltipsExtension(**kwargs)

"""A built site as its parsed HTML: two sites are the same when every page has the same elements,
attributes and text, however each was serialised (`<path/>` or `<path></path>`, `&#123;` or `{`,
`fill: x;` or `fill:x`), and every other file the same bytes."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

Event = tuple[str, ...]
_SPACES = re.compile(r"\s+|;$")


class _Events(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = (f"{name}={_SPACES.sub('', value or '')}" for name, value in attrs)
        self.events.append((tag, *sorted(values)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append((f"/{tag}",))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", " ".join(data.split())))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))


def parsed(text: str) -> list[Event]:
    parser = _Events()
    parser.feed(text)
    parser.close()
    return parser.events


def site_snapshot(folder: Path) -> dict[str, bytes | list[Event]]:
    return {
        p.relative_to(folder).as_posix(): parsed(p.read_text())
        if p.suffix == ".html"
        else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }

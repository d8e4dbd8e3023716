"""The frontmatter of a Markdown file: the YAML between its `---` lines, and the body after."""

from __future__ import annotations

from dataclasses import dataclass

from pumpsite.load.text import split_lines
from pumpsite.problems import FRONTMATTER, Problem


@dataclass(frozen=True, slots=True)
class Frontmatter:
    yaml: str
    body: str  # verbatim, after the closing '---' line
    yaml_line: int = 2  # the file line of the first YAML line


def split_frontmatter(text: str, path: str) -> tuple[Frontmatter | None, list[Problem]]:
    lines = split_lines(text)
    if not lines or lines[0].rstrip() != "---":
        start = "is empty" if not text.strip() else "does not start with frontmatter"
        message = (
            f"The file {start}: expected a first line '---', then keys like 'title: ...', "
            "then a closing '---'."
        )
        return None, [Problem(path, 1, FRONTMATTER, message)]
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return Frontmatter("".join(lines[1:i]), "".join(lines[i + 1 :])), []
    message = "The frontmatter is not closed: expected a line '---' after the last key."
    return None, [Problem(path, 1, FRONTMATTER, message)]

"""Reading the user's text: UTF-8 with precise problems for anything else, its lines, and the
frontmatter of a Markdown file. The problem codes of reading YAML live here too, shared by
`yaml_values` (YAML to plain values with their lines) and `validation` (pydantic errors to
problems).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pumpsite.model import Problem

NOT_TEXT = "PS100"
FRONTMATTER = "PS101"
YAML_SYNTAX = "PS102"
UNKNOWN_KEY = "PS103"
MISSING_KEY = "PS104"
WRONG_TYPE = "PS105"
YAML_TRAP = "PS106"
NOT_ALLOWED = "PS107"
BAD_PERIOD = "PS108"
DUPLICATE_KEY = "PS109"
ALIAS = "PS113"
UNSUPPORTED_YAML = "PS114"
OUT_OF_RANGE = "PS115"
UNREADABLE = "PS117"

CODES: dict[str, str] = {
    NOT_TEXT: "A file is not UTF-8 text: invalid bytes, a NUL byte (binary file) or UTF-16.",
    FRONTMATTER: "A file's frontmatter is missing, unclosed, empty or not a mapping of keys.",
    YAML_SYNTAX: "YAML syntax error, or a tab used for indentation.",
    UNKNOWN_KEY: "An unknown key (a typo, or a key of another kind of file).",
    MISSING_KEY: "A required key is missing.",
    WRONG_TYPE: "A value has the wrong type, or is empty.",
    YAML_TRAP: "An unquoted value YAML reads as a boolean, number or date where text is expected.",
    NOT_ALLOWED: "A value is not one of the allowed values.",
    BAD_PERIOD: "An invalid period, quarter or date.",
    DUPLICATE_KEY: "A key appears twice in the same mapping.",
    ALIAS: "A YAML alias (*name) is used; write the value out in full instead.",
    UNSUPPORTED_YAML: "A YAML tag (like !!binary) or a non-text key that pumpsite does not accept.",
    OUT_OF_RANGE: "A number is outside the allowed range.",
    UNREADABLE: "A file cannot be read (permissions, or a folder where a file should be).",
}

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


# --- text -----------------------------------------------------------------------------------------


def nul_problem(path: str, line: int) -> Problem:
    return Problem(
        path,
        line,
        NOT_TEXT,
        "The file contains a NUL byte: expected UTF-8 text, got what looks like a binary file.",
    )


def encoding_problem(path: str, line: int, column: int, byte: int, hint: str = "") -> Problem:
    return Problem(
        path,
        line,
        NOT_TEXT,
        f"The file is not valid UTF-8: byte 0x{byte:02x} at column {column} cannot be read. "
        f"Save the file as UTF-8{hint}.",
    )


def utf16_problem(path: str, hint: str = "") -> Problem:
    return Problem(
        path, 1, NOT_TEXT, f"The file is UTF-16: expected UTF-8 text. Save it as UTF-8{hint}."
    )


def decode_text(data: bytes, path: str, hint: str = "") -> tuple[str | None, list[Problem]]:
    """UTF-8 text without its BOM, or None and the reason (with the line of the first bad byte)."""
    if data.startswith(_UTF16_BOMS):
        return None, [utf16_problem(path, hint)]
    data = data.removeprefix(_UTF8_BOM)
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, [nul_problem(path, data.count(b"\n", 0, nul) + 1)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        start = error.start
        line = data.count(b"\n", 0, start) + 1
        column = start - data.rfind(b"\n", 0, start)
        return None, [encoding_problem(path, line, column, data[start], hint)]


def split_lines(text: str) -> list[str]:
    """Lines with their endings; '\\r\\n', '\\r' and '\\n' end a line, as they do for YAML."""
    return io.StringIO(text, newline="").readlines()


# --- frontmatter ----------------------------------------------------------------------------------


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


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

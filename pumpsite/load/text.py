"""The user's text: UTF-8 with a precise problem for anything else, and its lines."""

from __future__ import annotations

import io

from pumpsite.problems import NOT_TEXT, Problem

_UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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
    if data.startswith(UTF16_BOMS):
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

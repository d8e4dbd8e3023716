"""Decoding the user's text: UTF-8, or a problem that says where and what to do."""

from __future__ import annotations

from pumpsite.load.text import decode_text
from pumpsite.problems import Problem

P = "measures/m.md"


def test_decode_accepts_a_bom_silently() -> None:
    assert decode_text(b"\xef\xbb\xbf---\n", P) == ("---\n", [])


def test_decode_reports_the_line_and_byte_of_invalid_utf8() -> None:
    text, problems = decode_text(b"---\ntitle: caf\xe9\n---\n", P)
    assert text is None
    assert problems == [
        Problem(
            P,
            2,
            "PS100",
            "The file is not valid UTF-8: byte 0xe9 at column 11 cannot be read. "
            "Save the file as UTF-8.",
        )
    ]


def test_decode_reports_nul_bytes_as_binary() -> None:
    assert decode_text(b"---\n\x00\x01", P)[1] == [
        Problem(
            P,
            2,
            "PS100",
            "The file contains a NUL byte: expected UTF-8 text, got what looks like a binary file.",
        )
    ]


def test_decode_reports_utf16() -> None:
    assert decode_text("---\n".encode("utf-16"), P)[1] == [
        Problem(P, 1, "PS100", "The file is UTF-16: expected UTF-8 text. Save it as UTF-8.")
    ]

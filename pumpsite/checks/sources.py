"""Checks of measures' `source` blocks that need more than the block itself: the file path and
the connection's name. Pure, and nothing here runs a source: only `pumpsite pull` does.

The schema reports what does not fit together inside a block (PS800) and connections that hold
a password (PS803) or are no URL (PS804); the problems `pumpsite pull` finds by running a source are
`pumpsite.pull.problems`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PureWindowsPath

from pumpsite.model import Measure, Repo
from pumpsite.numbers import listed
from pumpsite.problems import SOURCE_FILE_OUTSIDE, UNKNOWN_CONNECTION, Problem, closest, short


def check_sources(repo: Repo) -> Iterator[Problem]:
    """Every problem of the measures' sources that `check` can see without running them."""
    connections = sorted(repo.settings.connections)
    for measure in repo.measures.values():
        source = measure.meta.source
        if source is None:
            continue
        if source.file is not None and (refused := file_refusal(source.file)):
            line = measure.line("source", "file")
            message = f"Source file '{short(source.file)}' {refused}"
            yield Problem(measure.path, line, SOURCE_FILE_OUTSIDE, message)
        if source.connection is not None and source.connection not in connections:
            yield _unknown_connection(measure, source.connection, connections)


def file_refusal(ref: str) -> str | None:
    """Why a source's file may not be read, "<what it is>: <what was expected>"; None if it may.
    Unlike a measure's `data:`, a file git ignores is fine: raw records often hold personal
    data that belongs outside git, and only `pumpsite pull` reads them."""
    text = ref.replace("\\", "/")
    norm = posixpath.normpath(text)
    inside = "expected a path inside the repository, like data/raw/complaints.csv."
    if text.startswith("/") or PureWindowsPath(ref).drive:
        return f"is absolute: {inside} A query can read files elsewhere."
    if norm == ".." or norm.startswith("../"):
        return f"points outside the repository: {inside} A query can read files elsewhere."
    if any(part.startswith(".") for part in norm.split("/")):
        return (
            "is hidden or in a hidden folder: pumpsite reads no hidden files (their names "
            "start with a dot), which hold settings and secrets like .env and .git/."
        )
    return None


def _unknown_connection(measure: Measure, name: str, known: list[str]) -> Problem:
    if close := closest(name, known):
        hint = f" Did you mean '{close}'?"
    elif known:
        hint = f" Known connections: {listed(known, 10)}."
    else:
        hint = (
            " Name it under extra: pumpsite: connections: in mkdocs.yml, or leave connection: "
            "out to query with DuckDB, embedded."
        )
    message = f"Connection '{short(name)}' is not defined in mkdocs.yml.{hint}"
    return Problem(measure.path, measure.line("source", "connection"), UNKNOWN_CONNECTION, message)

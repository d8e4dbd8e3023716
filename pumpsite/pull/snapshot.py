"""The CSV a pull writes — the same format people write by hand, so `build`, `serve`, `diff` and
the site read it as any other — what changed since the last one, and the atomic write.

A snapshot is `period,<column>` and a `note` column when a period has a note: notes written in
the previous CSV are kept for the periods that stay (a query may give its own). Values are
written exactly (`repr` of the number, whole numbers without a decimal point), so they load back
as the values pulled.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pumpsite.model import Series
from pumpsite.periods import Period


@dataclass(frozen=True, slots=True)
class Row:
    period: Period
    value: float | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a pull changes in a measure's CSV."""

    new: list[Row] = field(default_factory=list)
    revised: list[tuple[Period, float | None, float | None]] = field(default_factory=list)
    removed: list[Period] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.revised or self.removed)


def value_text(value: float | None) -> str:
    if value is None:
        return ""
    if value.is_integer():
        return str(int(value))
    return repr(value)


def csv_text(rows: list[Row], column: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with_notes = any(row.note for row in rows)
    writer.writerow(["period", column, "note"] if with_notes else ["period", column])
    for row in rows:
        cells = [row.period.label, value_text(row.value)]
        writer.writerow([*cells, row.note] if with_notes else cells)
    return buffer.getvalue()


def with_old_notes(rows: list[Row], old: Series | None) -> list[Row]:
    """`rows`, where a row has no note of its own, with the note the previous CSV gave it."""
    notes = {o.period: o.note for o in old.observations if o.note} if old else {}
    return [
        row if row.note else Row(row.period, row.value, notes.get(row.period, "")) for row in rows
    ]


def compare(old: Series | None, rows: list[Row]) -> Changes:
    before = {o.period: o.value for o in old.observations} if old else {}
    after = {row.period: row.value for row in rows}
    changes = Changes()
    for row in rows:
        if row.period not in before:
            changes.new.append(row)
        elif before[row.period] != row.value:
            changes.revised.append((row.period, before[row.period], row.value))
    changes.removed.extend(period for period in before if period not in after)
    return changes


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` through a temporary file in the same folder and one rename, so
    the file is always the old one or the new one, whole. False when it already holds `text`.
    The new file keeps the old one's permissions (else the usual ones for a new file)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True

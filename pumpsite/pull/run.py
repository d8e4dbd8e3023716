"""One `pumpsite pull`: run each measure's source and write its data CSV, atomically.

Values are kept up to the last full period before the report date (`--as-of`, else `extra:
pumpsite: as_of`, else today): the period still in progress is left out and reported. Records
are counted between the periods of their first and last record, a covered period without any
counting 0 (or, for sum, adding up to 0; a mean, median or ratio of nothing is a missing
value), and no period outside them is invented. Each measure is pulled on its own: a bad source
is a problem at the line of its `source` block and leaves its CSV as it was.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pumpsite.build.scratch import scratch_folder
from pumpsite.checks.inspection import report_date
from pumpsite.checks.sources import check_sources
from pumpsite.load.repo import load_repo
from pumpsite.model import Measure, Repo
from pumpsite.periods import Period, containing
from pumpsite.problems import NO_DATA_FILE, Problem, sort_problems
from pumpsite.pull import records
from pumpsite.pull.problems import CANNOT_WRITE, NOT_PULLED, UNDATED_RECORDS, SourceError
from pumpsite.pull.query import PeriodValues, expand, run_query
from pumpsite.pull.snapshot import Changes, Row, compare, csv_text, with_old_notes, write_atomic

ZERO_WHEN_EMPTY = ("count", "sum")
"""Aggregates whose value for a covered period without records is 0, not missing."""


class UnknownMeasures(Exception):
    """`pumpsite pull IDS…` names measures that do not exist or have no source."""


@dataclass(frozen=True, slots=True)
class Pulled:
    """What a pull did to one measure's CSV."""

    measure_id: str
    data_path: str
    changes: Changes
    written: bool
    periods: int  # rows in the snapshot
    in_progress: Period | None  # the period in progress, when the source had values for it
    later: int  # periods after it that the source had values for


@dataclass(frozen=True, slots=True)
class PullResult:
    report_date: date
    pulled: list[Pulled]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def pull(
    root: Path,
    *,
    today: date,
    as_of: date | None = None,
    ids: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> PullResult:
    """Pull the measures `ids` (default: every measure with a source) of the repository at
    `root`. Raises UnknownMeasures when an id names no measure with a source."""
    repo, load_problems = load_repo(root)
    on = report_date(repo.settings, as_of, today)
    measures = _selected(repo, ids)
    problems = [p for p in load_problems if p.is_error and p.path == "mkdocs.yml"]
    problems += check_sources(repo)
    pulled = []
    with scratch_folder("pull") as scratch:
        for measure in measures:
            blocking = [p for p in [*load_problems, *problems] if _blocks(p, measure)]
            if blocking:
                problems += [p for p in blocking if p not in problems]
                problems.append(_not_pulled(measure))
                continue
            done, found = _pull_one(repo, measure, on, environ or os.environ, scratch)
            problems += found
            pulled += [done] if done else []
    if ids:  # the problems of the measures asked for, and of the connections
        paths = {m.path for m in measures} | {"mkdocs.yml"}
        problems = [p for p in problems if p.path in paths]
    problems += _broken_sources(repo, load_problems, ids)
    return PullResult(on, pulled, sort_problems(problems))


def _selected(repo: Repo, ids: Sequence[str]) -> list[Measure]:
    sourced = {m.id: m for m in repo.measures.values() if m.meta.source is not None}
    unknown = [i for i in ids if i not in sourced and i not in repo.broken]
    if unknown:
        what = [
            f"'{i}' has no source" if i in repo.measures else f"'{i}' is not a measure"
            for i in unknown
        ]
        raise UnknownMeasures("; ".join(what))
    return [sourced[i] for i in (dict.fromkeys(ids) if ids else sorted(sourced)) if i in sourced]


def _broken_sources(repo: Repo, problems: list[Problem], ids: Sequence[str]) -> list[Problem]:
    """The errors of measure files that did not load but have a `source:` block (selected by
    `ids`, or all), and a PS823 at each block: a pull that skips them says so."""
    found: list[Problem] = []
    paths = sorted({p.path for p in problems if p.is_error and p.path.startswith("measures/")})
    for path in paths:
        file_id = posixpath.basename(path).removesuffix(".md")
        if file_id not in repo.broken or (ids and file_id not in ids):
            continue
        try:
            text = (repo.root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        block = re.search(r"^source:", text, re.MULTILINE)
        if block:
            line = text.count("\n", 0, block.start()) + 1
            found += [
                p for p in problems if p.path == path and p.is_error and p.code != NO_DATA_FILE
            ]
            found.append(Problem(path, line, NOT_PULLED, _NOT_PULLED))
    return found


def _blocks(problem: Problem, measure: Measure) -> bool:
    """Whether a problem stops the measure's pull: any error in its file, but for its missing
    CSV, which the pull writes (a broken CSV's problems are in the CSV: it is replaced)."""
    if not problem.is_error or problem.path != measure.path:
        return False
    return problem.code != NO_DATA_FILE


_NOT_PULLED = "Not pulled: the measure's file has errors. Correct them first (pumpsite check)."


def _not_pulled(measure: Measure) -> Problem:
    return Problem(measure.path, measure.line("source"), NOT_PULLED, _NOT_PULLED)


def _pull_one(
    repo: Repo, measure: Measure, on: date, environ: Mapping[str, str], scratch: Path
) -> tuple[Pulled | None, list[Problem]]:
    source = measure.meta.source
    assert source is not None
    try:
        fetched = _fetch(repo, measure, environ, scratch)
    except SourceError as error:
        line = measure.line("source", error.key) if error.key else measure.line("source")
        return None, [Problem(measure.path, line, error.code, error.message)]
    problems = []
    if isinstance(fetched, records.Aggregated) and fetched.undated:
        problems.append(_undated(measure, fetched.undated))
    values = fetched.values
    notes = fetched.notes if isinstance(fetched, PeriodValues) else {}
    current = containing(on, measure.meta.frequency)
    kept = {p: v for p, v in values.items() if p < current}
    if isinstance(fetched, records.Aggregated) and kept:
        empty = 0.0 if source.aggregate in ZERO_WHEN_EMPTY else None
        first, last = min(kept), max(kept)
        kept = {first + i: kept.get(first + i, empty) for i in range(last - first + 1)}
    rows = with_old_notes([Row(p, kept[p], notes.get(p, "")) for p in sorted(kept)], measure.series)
    changes = compare(measure.series, rows)
    written = False
    if rows:
        try:
            written = _write(repo.root, measure.data_path, csv_text(rows, measure.meta.column))
        except OSError as error:
            message = (
                f"Cannot write {measure.data_path}: {error.strerror or error}. The previous "
                "file is unchanged."
            )
            return None, [
                *problems,
                Problem(measure.path, measure.line("source"), CANNOT_WRITE, message),
            ]
    in_progress = current if current in values else None
    later = sum(1 for p in values if p > current)
    return Pulled(
        measure.id, measure.data_path, changes, written, len(rows), in_progress, later
    ), problems


def _fetch(
    repo: Repo, measure: Measure, environ: Mapping[str, str], scratch: Path
) -> PeriodValues | records.Aggregated:
    source = measure.meta.source
    assert source is not None
    frequency = measure.meta.frequency
    if source.file is not None:
        with records.connect(repo.root) as con:
            records.view_file(con, repo.root, source, scratch)
            return records.aggregate(con, source, frequency)
    url = None
    if source.connection is not None:
        url = expand(repo.settings.connections[source.connection], environ, source.connection)
    return run_query(source, frequency, repo.root, url, scratch)


def _write(root: Path, data_path: str, text: str) -> bool:
    """Write the snapshot, never through a symbolic link (the loader reports links)."""
    parts = data_path.split("/")
    for depth in range(1, len(parts) + 1):
        if os.path.islink(root / "/".join(parts[:depth])):
            link = "/".join(parts[:depth])
            raise OSError(0, f"{link} is a symbolic link, which pumpsite never writes through")
    return write_atomic(root / data_path, text)


def _undated(measure: Measure, count: int) -> Problem:
    source = measure.meta.source
    assert source is not None and source.date is not None
    noun = "record has" if count == 1 else "records have"
    message = (
        f"{count:,} {noun} no date in column '{source.date}' and {'is' if count == 1 else 'are'} "
        "left out: each record's date decides its period."
    )
    return Problem(measure.path, measure.line("source", "date"), UNDATED_RECORDS, message)

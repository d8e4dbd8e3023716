"""Two git states of the measures repository, inspected at one report date, and what changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pumpsite.checks.inspection import inspect
from pumpsite.diff.change import Diff
from pumpsite.diff.compare import compare
from pumpsite.gitstate import checked_out, repository_prefix, resolve

WORKING_TREE = "."
"""The HEAD argument that means the working tree, as it is (also the default)."""


def diff_revisions(
    folder: Path, base_ref: str, head_ref: str | None, *, today: date, as_of: date | None = None
) -> Diff:
    """Compare the measures repository at `folder` as of `base_ref` with `head_ref` (None or '.'
    for the working tree). Both are analysed at the report date of the head: `as_of`, else its
    `extra: pumpsite: as_of`, else `today`. Raises GitError on git trouble."""
    repository_prefix(folder)  # not a git repository: say so before anything else
    base = resolve(folder, base_ref)
    head = None if head_ref in (None, WORKING_TREE) else resolve(folder, head_ref)
    if head is None:
        head_inspection = inspect(folder, today=today, as_of=as_of)
    else:
        with checked_out(folder, head) as root:
            head_inspection = inspect(root, today=today, as_of=as_of)
    with checked_out(folder, base) as root:
        base_inspection = inspect(root, today=today, as_of=head_inspection.report_date)
    changes = compare(base_inspection, head_inspection)
    return Diff(base, head, head_inspection.report_date, changes, head_inspection.errors)

"""Build the example repository once per test session, for the end-to-end and browser tests."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
EXAMPLE_FILES = ("measures", "data", "mkdocs.yml", "glossary.yml")


def copy_example(dest: Path) -> Path:
    """A copy of the example repository (this repo's own measures) at `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.is_file():
            shutil.copy2(source, dest / name)
    return dest


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }

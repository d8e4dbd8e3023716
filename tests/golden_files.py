"""Golden files: rendered output compared byte for byte; `make golden` refreshes them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(path: Path, text: str) -> None:
    """Compare with a golden file byte for byte. PUMPSITE_UPDATE_GOLDEN=1 rewrites it (never
    under CI); a missing file is created locally and is a failure under CI."""
    in_ci = bool(os.environ.get("CI"))
    if not in_ci and (os.environ.get("PUMPSITE_UPDATE_GOLDEN") == "1" or not path.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"missing golden file {path}; run `make golden` locally")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path} differs; if the change is intended, refresh with `make golden`"
    )

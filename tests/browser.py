"""Debian's Chromium driven by Playwright, for the browser tests. Without either a browser test
skips, except under CI (the `CI` variable set), where it fails: CI installs both (`.ci/run`), and
a suite that skips its browser tests there proves less than it says."""

from __future__ import annotations

import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def missing(what: str) -> NoReturn:
    """Skip the test for want of `what`; fail it under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed, and CI must run the browser tests", pytrace=False)
    pytest.skip(f"{what} is not installed")


def chromium() -> str:
    """Chromium's path."""
    return CHROMIUM or missing("Debian chromium")


def playwright() -> ModuleType:
    """Playwright's sync API."""
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        missing("Playwright")
    return sync_api

"""`pumpsite serve` in a subprocess, and edits of the example, for the serve tests and the
latency script.

Waits poll with deadlines: a slow machine makes them slower, never wrong.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tests.example_site import TODAY

DEADLINE = 90.0  # seconds; a build of the example takes 1-4 s, more on a loaded machine
BANNER = 'id="pumpsite-serve-banner"'
CHURN_CSV = "data/customer-churn.csv"  # in the example: the churn measure's data, and its page
CHURN_PAGE = "measures/customer-churn.html"
LAST_PERIOD = "2026-10,"
T = TypeVar("T")


def wait_until(check: Callable[[], T | None], what: str, deadline: float = DEADLINE) -> T:
    """Call `check` until it returns something true; fail after `deadline`."""
    end = time.monotonic() + deadline
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline:.0f} s waiting for {what}")
        time.sleep(0.05)


def fetch(url: str, timeout: float = 30.0) -> tuple[int, str]:
    """Status and body of a GET; error statuses are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class ServeProcess:
    """`pumpsite serve ROOT` on a free loopback port, its output collected line by line."""

    def __init__(self, root: Path, *args: str, env: Mapping[str, str] | None = None) -> None:
        command = [sys.executable, "-c", "from pumpsite.cli import main; main()", "serve"]
        self.process = subprocess.Popen(
            [*command, str(root), "--as-of", TODAY.isoformat(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        found = wait_until(lambda: self._url() or self._exited(), "the server's address")
        if not isinstance(found, str):
            raise AssertionError("pumpsite serve exited:\n" + self.output)
        self.url = found

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _url(self) -> str | None:
        match = re.search(r"Serving (http://\S+/)", self.output)
        return match[1] if match else None

    def _exited(self) -> bool:
        return self.process.poll() is not None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def get(self, path: str = "") -> tuple[int, str]:
        return fetch(self.url + path.lstrip("/"))

    def page_when(self, path: str, test: Callable[[str], bool], what: str) -> str:
        """The page at `path` once `test` holds for it."""

        def check() -> str | None:
            assert self.process.poll() is None, "the server stopped:\n" + self.output
            _, body = self.get(path)
            return body if test(body) else None

        return wait_until(check, what)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def set_last_value(root: Path, value: str) -> None:
    """Write `value` as October 2026's churn (the CSV's last row) in one step, as editors save:
    a hidden temporary file renamed over the old one."""
    csv = root / CHURN_CSV
    rows = csv.read_text().splitlines(keepends=True)
    assert rows[-1].startswith(LAST_PERIOD)
    temporary = csv.with_name(f".{csv.name}.tmp")
    temporary.write_text("".join(rows[:-1]) + f"{LAST_PERIOD}{value}\n")
    temporary.replace(csv)


def local_only(page: Any, url: str) -> None:
    """Refuse requests to other sites (Material asks Google for its fonts): without a network
    each one waits for a time-out that would hold up the page's load event."""
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(url) else route.abort(),
    )

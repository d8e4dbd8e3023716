"""Measure `pumpsite serve` from save to reloaded page on the example repository.

    python scripts/serve_latency.py [--runs 10]

Starts the server on a copy of the example, opens the churn measure page in Debian's chromium
(headless, through Playwright), then saves a new last value in the CSV `--runs` times. For each
save it reports the time until the open page has reloaded by itself (its `load` event) and the
rebuild time the server printed. Requests to other sites (Material's web fonts) are refused, so
a missing network does not hold up the page. A measurement, not a test: the figures depend on
the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.example_site import copy_example  # noqa: E402
from tests.serve_process import (  # noqa: E402
    CHURN_PAGE,
    ServeProcess,
    local_only,
    set_last_value,
    wait_until,
)


def summary(name: str, seconds: list[float]) -> str:
    return (
        f"{name}: median {statistics.median(seconds):.2f} s, "
        f"min {min(seconds):.2f} s, max {max(seconds):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        root = copy_example(Path(folder) / "repo")
        server = ServeProcess(root, "--dev-addr", ":0")
        try:
            wait_until(lambda: server.count("Built the site"), "the first build")
            reloads = measure(server, root, runs)
        finally:
            server.stop()
        rebuilds = [float(s) for s in re.findall(r"Rebuilt in ([0-9.]+) s", server.output)]
    print(summary(f"save → reloaded page ({runs} saves)", reloads))
    print(summary("rebuild alone (as the server reports it)", rebuilds))


def measure(server: ServeProcess, root: Path, runs: int) -> list[float]:
    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        local_only(page, server.url)
        page.goto(server.url + CHURN_PAGE)
        for run in range(runs):
            value = f"{5 + run / 100:.2f}"
            with page.expect_event("load", timeout=120_000):
                started = time.perf_counter()
                set_last_value(root, value)
            seconds.append(time.perf_counter() - started)
            assert f"{value}% in Oct 2026" in page.inner_text("article")
            time.sleep(0.5)  # let the server settle between saves, as between a person's saves
        browser.close()
    return seconds


if __name__ == "__main__":
    main()

"""Measure `pumpsite serve` from save to reloaded page, on the example repository or another.

    python scripts/serve_latency.py [--runs 10]
    python scripts/serve_latency.py --repo PATH --measure ID [--runs 10]

Starts the server on a copy of the example (or on the repository at PATH, whose CSV of measure
ID is edited: a benchmark repository from `benchmarks/generate.py`, built once beforehand so
that its chart cache is warm), opens the measure's page in Debian's chromium (headless, through
Playwright), then saves a new last value in the CSV `--runs` times. For each
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.example_site import copy_example  # noqa: E402
from tests.serve_process import (  # noqa: E402
    CHURN_CSV,
    CHURN_PAGE,
    ServeProcess,
    local_only,
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
    parser.add_argument("--repo", type=Path, help="serve this repository, not the example's copy")
    parser.add_argument("--measure", help="with --repo: the measure whose CSV is edited")
    parser.add_argument(
        "--as-of", help="with --repo: the report date its chart cache was built for"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = args.repo.resolve() if args.repo else copy_example(Path(folder) / "repo")
        edit = Edit(f"data/{args.measure}.csv", f"measures/{args.measure}.html", "")
        edit = edit if args.repo else Edit(CHURN_CSV, CHURN_PAGE, "% in Oct 2026")
        as_of = ["--as-of", args.as_of] if args.as_of else []  # the last --as-of given counts
        server = ServeProcess(root, "--dev-addr", ":0", *as_of)
        try:
            wait_until(lambda: server.count("Built the site"), "the first build", 1800)
            reloads = measure(server, root, edit, args.runs)
        finally:
            server.stop()
        rebuilds = [float(s) for s in re.findall(r"Rebuilt in ([0-9.]+) s", server.output)]
    print(summary(f"save → reloaded page ({args.runs} saves)", reloads))
    print(summary("rebuild alone (as the server reports it)", rebuilds))
    print("\n".join(line for line in server.lines if "Rebuilt in" in line))


@dataclass(frozen=True)
class Edit:
    """The CSV saved, the page watched, and what follows the value on the page."""

    csv: str
    page: str
    shown_after: str

    def value(self, run: int) -> str:
        """A new value each run, written as the page shows it."""
        return f"{5 + run / 100:.2f}" if self.shown_after else f"{301 + run}.3"

    def save(self, root: Path, value: str) -> None:
        """`value` as the CSV's last value, in one step (a hidden file renamed over it)."""
        csv = root / self.csv
        rows = csv.read_text().splitlines(keepends=True)
        period, _, rest = rows[-1].rstrip("\n").partition(",")
        _, comma, others = rest.partition(",")  # the columns after the value, if any
        temporary = csv.with_name(f".{csv.name}.tmp")
        temporary.write_text("".join(rows[:-1]) + f"{period},{value}{comma}{others}\n")
        temporary.replace(csv)


def measure(server: ServeProcess, root: Path, edit: Edit, runs: int) -> list[float]:
    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        local_only(page, server.url)
        page.goto(server.url + edit.page, timeout=120_000)
        for run in range(runs):
            value = edit.value(run)
            with page.expect_event("load", timeout=120_000):
                started = time.perf_counter()
                edit.save(root, value)
            seconds.append(time.perf_counter() - started)
            assert f"{value}{edit.shown_after}" in page.inner_text("article")
            time.sleep(0.5)  # let the server settle between saves, as between a person's saves
        browser.close()
    return seconds


if __name__ == "__main__":
    main()

"""A measure page of the example site read without a mouse or sight: its chart's data table
holds the numbers of the analysis, and a keyboard reaches the table and its rows with a signal
from the top of the page, in page order, with a visible focus. Debian's Chromium with Playwright
(`tests.browser`: fails under CI without them); the focus states are written to
tests/screenshots/ (the ones looked at are copied to docs/images/)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pumpsite.analysis.reading import level_decimals
from pumpsite.checks.inspection import analyse_repo
from pumpsite.load.repo import load_repo
from pumpsite.numbers import data_decimals
from tests.example_site import ROOT, TODAY
from tests.test_browser import SHOTS, browser, open_page, site_dir, site_url

__all__ = ["browser", "site_dir", "site_url"]  # the shared fixtures
pytestmark = pytest.mark.slow


class _Table(HTMLParser):
    """The rows of the chart's data table: each a list of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.rows, self.cell = False, [], None
        self.rows: list[list[str]]
        self.cell: list[str] | None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "pumpsite-chart-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th") and ("scope", "rowgroup") not in attrs:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.cell is not None and tag in ("td", "th"):
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: Path) -> list[list[str]]:
    parser = _Table()
    parser.feed(page.read_text(encoding="utf-8"))
    return [row for row in parser.rows[1:] if len(row) == 8]  # the values, not the headers


def near(cell: str, exact: float, decimals: int) -> bool:
    number = float(re.sub(r"[^0-9.\-]", "", cell.split(" (")[0]))
    return abs(number - exact) <= 0.5 * 10**-decimals + 1e-12


@pytest.mark.parametrize("measure_id", ["customer-complaints", "customer-churn"])
def test_the_table_holds_the_analysis_numbers(site_dir: Path, measure_id: str) -> None:
    # customer-complaints has two phases (the second with trial limits), customer-churn
    # signals; tests/render/test_chart_text.py has a measure with both.
    repo, _ = load_repo(ROOT)
    analysis = analyse_repo(repo, TODAY)[measure_id]
    xmr = analysis.xmr
    rows = table_rows(site_dir / "measures" / f"{measure_id}.html")
    assert len(rows) == len(xmr.values)
    value_dp, line_dp = data_decimals(xmr.values), level_decimals(xmr)
    for i, (period, value, spread, center, lower, upper, signals, _) in enumerate(rows):
        exact, limits = xmr.values[i], xmr.limits_at(i)
        assert value == "missing" if exact is None else near(value, exact, value_dp), period
        mr = xmr.moving_ranges[i]
        assert spread == "" if mr is None else near(spread, mr, value_dp), period
        if limits is None:
            assert center == lower == upper == "", period
            continue
        assert near(center, limits.center, line_dp), period
        assert near(lower, limits.lower_line, line_dp), period
        assert near(upper, limits.upper_line, line_dp), period
        assert bool(signals) == bool(xmr.rules_at(i)), period
    if measure_id == "customer-complaints":
        assert len(xmr.phases) == 2 and len({row[3] for row in rows}) == 2
    else:
        assert sum(bool(row[6]) for row in rows) == 9


FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), cls: e.className || "", text: e.textContent.slice(0, 60),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
          inTable: !!e.closest(".pumpsite-chart-data"), inMain: !!e.closest("article")};
}"""


def test_a_keyboard_reaches_the_chart_table_and_its_signals_from_the_top(
    browser: object, site_url: str
) -> None:
    page = open_page(browser, site_url + "/measures/customer-churn.html")
    SHOTS.mkdir(exist_ok=True)
    stops = []
    for _ in range(120):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        stop = page.evaluate(FOCUSED)  # type: ignore[attr-defined]
        stops.append(stop)
        if stop["tag"] == "summary" and stop["inTable"]:
            break
    else:
        pytest.fail("Tab never reached the chart's data table")
    assert stop["text"].startswith("Data table of the chart: Monthly customer churn")
    page.screenshot(path=str(SHOTS / "focus-chart-table-summary.png"))  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    region = page.evaluate(FOCUSED)  # type: ignore[attr-defined]
    assert region["tag"] == "div" and "pumpsite-chart-data__scroll" in region["cls"]
    rows = []
    for _ in range(9):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        rows.append(page.evaluate(FOCUSED))  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "focus-chart-table-signal.png"))  # type: ignore[attr-defined]
    assert all(r["tag"] == "tr" and "signal" in r["cls"] for r in rows)
    months = [r["text"][:8] for r in rows]
    assert months[0] == "Feb 2026" and months[-1] == "Oct 2026"  # the run, then the latest
    assert all(r["outline"] != "none" and r["width"] >= 2 for r in [*stops[-1:], region, *rows])
    # Before the table: the page's own links in order, no stop inside the chart's image.
    assert not any(s["tag"] in ("svg", "g", "path", "use") for s in stops)

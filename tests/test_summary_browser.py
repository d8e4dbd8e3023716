"""The summary tables in a real headless browser: on Home, Strategic, Review and Operational every
measure row has its sparkline and both icons, each with a text alternative; screenshots at
desktop, mobile and dark for people to look at (tests/screenshots/), and with
PUMPSITE_DOC_IMAGES=1 the Review summary table for the README (docs/images/review-summary.png).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import SHOTS, browser, open_page, site_dir, site_url

__all__ = ["browser", "site_dir", "site_url"]  # the fixtures, shared with tests/test_browser.py

pytestmark = pytest.mark.slow  # the browser fixture skips without Chromium, and fails under CI
DOC_IMAGE = Path(__file__).parents[1] / "docs" / "images" / "review-summary.png"
PAGES = ("/", "/strategic.html", "/review.html", "/operational.html")


def _alternative(svg: object) -> str:
    """The text alternative of a chart or icon, which has a hover title on its wrapper too."""
    label = svg.get_attribute("aria-label") or ""  # type: ignore[attr-defined]
    hover = svg.locator("xpath=..").get_attribute("title") or ""  # type: ignore[attr-defined]
    assert svg.get_attribute("role") == "img"  # type: ignore[attr-defined]
    assert label and hover and (hover in label or label in hover)
    return str(label)


@pytest.mark.parametrize("path", PAGES)
def test_every_summary_row_has_a_chart_and_both_icons(
    browser: object, site_url: str, path: str
) -> None:
    page = open_page(browser, site_url + path)
    rows = page.locator(".pumpsite-summary tbody tr")  # type: ignore[attr-defined]
    assert rows.count() > 0
    for k in range(rows.count()):
        row = rows.nth(k)
        name = row.locator("td").first.inner_text()
        assert "sparkline" in _alternative(row.locator("svg.pumpsite-spark")), name
        icons = row.locator("svg.pumpsite-icon")
        assert icons.count() == 2, name
        variation, assurance = (_alternative(icons.nth(i)) for i in range(2))
        assert "variation" in variation.lower() or "cause" in variation.lower(), name
        assert "target" in assurance.lower() or "assurance" in assurance.lower(), name
    legend = page.locator(".pumpsite-legend svg.pumpsite-icon")  # type: ignore[attr-defined]
    assert legend.count() >= 10


def test_review_has_small_multiples_labelled_by_role(browser: object, site_url: str) -> None:
    page = open_page(browser, site_url + "/review.html")
    cards = page.locator(".pumpsite-multiple")  # type: ignore[attr-defined]
    assert cards.count() > 0
    for k in range(cards.count()):
        card = cards.nth(k)
        assert card.locator(".pumpsite-role").inner_text() in ("Key result", "KPI")
        assert card.locator("svg.pumpsite-spark").count() == 1


@pytest.mark.parametrize(
    ("name", "width", "dark"),
    [("desktop", 1280, False), ("mobile", 390, False), ("dark", 1280, True)],
)
def test_summary_screenshots(
    browser: object, site_url: str, name: str, width: int, dark: bool
) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
    )
    page = context.new_page()
    if dark:  # Material follows the saved palette, not the system's, until a reader picks one
        page.add_init_script(
            "localStorage.setItem('/.__palette', JSON.stringify({index: 1, color: "
            "{scheme: 'slate', primary: 'indigo', accent: 'indigo'}}))"
        )
    page.goto(site_url + "/review.html")
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-summary-{name}.png"), full_page=True)
    box = page.locator(".pumpsite-summary").first.bounding_box()  # the page is at its top
    clip = {
        "x": box["x"] - 8,
        "y": box["y"] - 8,
        "width": box["width"] + 16,
        "height": box["height"] + 16,
    }
    page.screenshot(path=str(SHOTS / f"review-table-{name}.png"), full_page=True, clip=clip)
    if name == "desktop" and os.environ.get("PUMPSITE_DOC_IMAGES"):
        page.screenshot(path=str(DOC_IMAGE), full_page=True, clip=clip)
    context.close()

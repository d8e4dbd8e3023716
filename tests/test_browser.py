"""The built site in a real headless browser (Debian's chromium driven by Playwright).

Skips cleanly when Playwright or chromium is not installed; CI installs both (see .ci/run).
Screenshots are written to tests/screenshots/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpsite.build.run import build
from tests.example_site import TODAY, copy_example

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).parent / "screenshots"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_example(tmp_path_factory.mktemp("browser"))
    result = build(root, today=TODAY)
    assert result.ok and result.site_dir is not None
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(result.site_dir)
    )
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_page(browser: object, url: str, dark: bool = False) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, color_scheme="dark" if dark else "light"
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def test_home_page_reads_and_links_to_the_sections(browser: object, site_url: str) -> None:
    page = open_page(browser, site_url + "/")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)  # type: ignore[attr-defined]
    text = page.inner_text("article")  # type: ignore[attr-defined]
    assert "2026-Q4" in text
    for section in ("Strategic", "Operational", "Review"):
        assert page.locator(f"a:has-text('{section}')").count() > 0  # type: ignore[attr-defined]


def test_measure_page_shows_the_chart_with_hover_titles_and_tooltips(
    browser: object, site_url: str
) -> None:
    page = open_page(browser, site_url + "/measures/customer-complaints.html")
    chart = page.locator("svg.pumpsite-chart-full")  # type: ignore[attr-defined]
    assert chart.count() == 1
    assert chart.bounding_box()["width"] > 500
    assert page.locator("svg.pumpsite-chart-full use title").count() > 20  # type: ignore[attr-defined]
    assert page.locator("abbr[title]").count() > 0  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "measure.png"), full_page=True)  # type: ignore[attr-defined]
    dark = open_page(browser, site_url + "/measures/customer-complaints.html", dark=True)
    dark.screenshot(path=str(SHOTS / "measure-dark.png"), full_page=False)  # type: ignore[attr-defined]


def test_section_pages_render(browser: object, site_url: str) -> None:
    for name in ("strategic", "operational", "review", "goals/index", "glossary"):
        page = open_page(browser, f"{site_url}/{name}.html")
        assert page.locator("article h1").count() == 1, name  # type: ignore[attr-defined]
        shot = SHOTS / f"{name.replace('/index', '')}.png"
        page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]

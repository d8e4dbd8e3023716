"""The built site in a real headless browser (Debian's chromium driven by Playwright).

Skips when Playwright or chromium is not installed, and fails under CI (`tests.browser`).
Screenshots are written to tests/screenshots/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpsite.build.run import build
from tests.browser import chromium, playwright
from tests.example_site import TODAY, copy_example

SHOTS = Path(__file__).parent / "screenshots"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("browser"))
    result = build(root, today=TODAY)
    assert result.ok and result.site_dir is not None
    return result.site_dir


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
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
    sync_api, executable = playwright(), chromium()
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable,
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


def local_only(page: object, origin: str) -> list[str]:
    """Every request the page makes from now on that leaves `origin` (the list fills as it goes)."""
    leaving: list[str] = []

    def judge(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith((origin, "data:", "blob:", "about:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            leaving.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", judge)  # type: ignore[attr-defined]
    return leaving


@pytest.mark.slow
def test_no_request_leaves_the_site(browser: object, site_url: str) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    leaving = local_only(page, site_url)
    for path in ("/", "/review.html", "/operational.html", "/measures/customer-churn.html"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    assert leaving == []


@pytest.mark.slow
def test_the_site_reads_from_the_file_system(browser: object, site_dir: Path) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    leaving = local_only(page, "file://")
    page.goto((site_dir / "index.html").as_uri())
    page.click("nav.md-tabs >> text=Review")
    page.wait_for_load_state()
    assert page.url.endswith("/review.html")
    page.locator("article a[href$='.html']").first.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith(".html")
    assert page.locator("article h1").count() == 1, page.url
    assert leaving == []


def test_a_measure_page_says_where_it_belongs(browser: object, site_url: str) -> None:
    page = open_page(browser, site_url + "/measures/customer-churn.html")
    crumbs = page.locator("p.pumpsite-crumbs a")  # type: ignore[attr-defined]
    assert crumbs.all_inner_texts() == ["Strategic", "Customers stay with us"]
    crumbs.first.click()
    assert page.url.endswith("/strategic.html")  # type: ignore[attr-defined]


def test_the_not_found_page_stands_alone(browser: object, site_url: str, site_dir: Path) -> None:
    html = (site_dir / "404.html").read_text()
    assert 'href="/' not in html and 'src="/' not in html


PRINTABLE_HEIGHT_PX = (297 - 10 - 12) / 25.4 * 96  # A4 less the print CSS's page margins


@pytest.mark.slow
def test_the_review_prints_as_a_clean_pack(browser: object, site_url: str, tmp_path: Path) -> None:
    """Print → Save as PDF: one goal per page, the report date and quarter on every page, no
    chrome, charts whole (each avoids a break and fits on a page, so none is split)."""
    pymupdf = pytest.importorskip("pymupdf")
    page = open_page(browser, site_url + "/review.html")
    goals = page.locator("article h2").count()  # type: ignore[attr-defined]
    pdf = tmp_path / "review.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)  # type: ignore[attr-defined]
    document = pymupdf.open(str(pdf))
    # The summary table and its legend come first; then each goal starts a page of its own.
    assert goals + 1 <= document.page_count <= 2 * goals + 2
    for number, printed in enumerate(document, 1):
        text = printed.get_text()
        assert "Review for 2026-Q4 · report date 23 November 2026" in text, number
        assert "Search" not in text and "Made with" not in text, number
    SHOTS.mkdir(exist_ok=True)
    document[0].get_pixmap(dpi=110).save(str(SHOTS / "review-printed.png"))
    for path in ("/operational.html", "/measures/customer-churn.html", "/index.html"):
        printing = open_page(browser, site_url + path)
        printing.emulate_media(media="print")  # type: ignore[attr-defined]
        charts = printing.evaluate(  # type: ignore[attr-defined]
            """() => [...document.querySelectorAll('.pumpsite-chart-wrap')].map(c =>
                [getComputedStyle(c).breakInside, c.getBoundingClientRect().height])"""
        )
        for avoid, height in charts:
            assert avoid == "avoid" and height < PRINTABLE_HEIGHT_PX, path

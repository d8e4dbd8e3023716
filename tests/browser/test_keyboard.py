"""The example site with the keyboard: the skip link shows on the first Tab and moves focus past
the header, a glossary term takes focus and shows its definition (named as the term's
description), a tab in the header shows where focus is. Screenshots of each focus state go to
tests/screenshots/, and with PUMPSITE_DOC_IMAGES=1 to docs/images/ for docs/accessibility.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_browser import SHOTS, browser, site_dir, site_url

__all__ = ["browser", "site_dir", "site_url"]  # the fixtures, shared with tests/test_browser.py

pytestmark = pytest.mark.slow
DOC_IMAGES = Path(__file__).parents[2] / "docs" / "images"
MEASURE = "/measures/customer-churn.html"


def _page(browser: object, url: str) -> object:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")  # no transition half-way in a screenshot
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def _shot(page: object, name: str, clip: dict[str, float]) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"focus-{name}.png"), clip=clip)  # type: ignore[attr-defined]
    if os.environ.get("PUMPSITE_DOC_IMAGES"):
        page.screenshot(path=str(DOC_IMAGES / f"focus-{name}.png"), clip=clip)  # type: ignore[attr-defined]


def _around(box: dict[str, float], width: float = 560, height: float = 160) -> dict[str, float]:
    return {
        "x": max(box["x"] - 40, 0),
        "y": max(box["y"] - 40, 0),
        "width": width,
        "height": height,
    }


def _focused(page: object, script: str) -> object:
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")  # type: ignore[attr-defined]


BOX = "JSON.stringify(el.getBoundingClientRect())"


def _tab_to(page: object, script: str, most: int) -> bool:
    """Press Tab until the focused element `el` passes `script`, at most `most` times."""
    for _ in range(most):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if _focused(page, script):
            return True
    return False


def _outline(page: object) -> str:
    return str(_focused(page, "getComputedStyle(el).outlineStyle"))


def test_the_skip_link_shows_on_the_first_tab_and_skips_the_header(
    browser: object, site_url: str
) -> None:
    page = _page(browser, site_url + MEASURE)
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert _focused(page, "el.classList.contains('md-skip')")
    link = page.locator(".md-skip")  # type: ignore[attr-defined]
    assert link.inner_text().strip() == "Skip to content"
    assert float(link.evaluate("el => getComputedStyle(el).opacity")) == 1
    assert _outline(page) == "solid"
    _shot(page, "skip-link", _around(link.bounding_box()))
    target = link.get_attribute("href")
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.url.endswith(target)  # type: ignore[attr-defined]
    assert page.locator(target).evaluate("el => el.tagName") == "H1"  # type: ignore[attr-defined]


def test_a_glossary_term_takes_focus_and_shows_its_definition(
    browser: object, site_url: str
) -> None:
    page = _page(browser, site_url + MEASURE)
    term = page.locator("article abbr[title]").first  # type: ignore[attr-defined]
    definition = term.get_attribute("title")
    assert term.get_attribute("tabindex") == "0"
    assert _tab_to(page, "el.tagName === 'ABBR'", 200)  # by keyboard, as a reader gets there
    assert _outline(page) == "solid"
    # Material's tooltip names the description when it reacts to the focus, a moment later.
    described = page.wait_for_function(  # type: ignore[attr-defined]
        "document.activeElement.getAttribute('aria-describedby')", timeout=10_000
    ).json_value()
    assert described, "the definition is the focused term's description"
    tip = page.locator(f"[id='{described}']")  # type: ignore[attr-defined]
    tip.wait_for(state="visible")
    assert " ".join(tip.inner_text().split()) == " ".join(str(definition).split())
    size = float(tip.evaluate("el => parseFloat(getComputedStyle(el.firstElementChild).fontSize)"))
    body = float(
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)"
        )
    )  # type: ignore[attr-defined]
    assert size >= body * 0.99, (size, body)
    term_box, tip_box = json.loads(str(_focused(page, BOX))), tip.bounding_box()
    left = min(term_box["x"], tip_box["x"])
    bottom = max(term_box["y"] + term_box["height"], tip_box["y"] + tip_box["height"])
    _shot(
        page,
        "glossary-term",
        _around({"x": left, "y": term_box["y"]}, 640, bottom - term_box["y"] + 80),
    )


def test_the_current_tab_in_the_header_shows_focus(browser: object, site_url: str) -> None:
    page = _page(browser, site_url + "/review.html")
    current = "el.matches('.md-tabs__item--active .md-tabs__link')"
    assert _tab_to(page, current, 40)
    assert _outline(page) == "solid"
    assert _focused(page, "getComputedStyle(el).textDecorationLine") == "underline"
    _shot(page, "tab", _around(json.loads(str(_focused(page, BOX)))))

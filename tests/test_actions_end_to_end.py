"""Improvement actions end to end: the example with two more actions (a second one on the
complaints key result, and one on churn), checked, built by MkDocs, its pages and charts read as
HTML, its action files validated by the JSON Schema, and a measure page with two actions
photographed in a real browser (tests/screenshots/measure-two-actions.png)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from pumpsite.build.run import BuildResult, build
from pumpsite.checks.inspection import inspect
from pumpsite.schema import json_schemas
from tests.example_site import TODAY, copy_example

pytestmark = pytest.mark.slow

DELIVERY = """---
kind: action
title: Delivery promise
owner: Maria Lopez, Head of Customer Service
goal: no-customer-complaints
measures:
  - measure: customer-complaints
causes:
  - A third of the complaints left are about late deliveries.
start: 2026-09-07
end: 2026-10-31
status:
  - status: running
    date: 2026-09-07
---

Orders are promised for a day the warehouse can keep.
"""
RETENTION = """---
kind: action
title: Retention desk
owner: Tom Baker, Head of Customer Success
goal: customers-stay-with-us
measures:
  - measure: customer-churn
start: 2026-06-01
end: 2027-03-31
status:
  - status: running
    date: 2026-06-01
---
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("actions"))
    (root / "measures/actions/delivery-promise.md").write_text(DELIVERY, encoding="utf-8")
    (root / "measures/actions/retention-desk.md").write_text(RETENTION, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(repo: Path) -> BuildResult:
    result = build(repo, today=TODAY)
    assert result.ok and result.site_dir is not None, result.problems
    return result


def page_text(built: BuildResult, path: str) -> str:
    assert built.site_dir is not None
    file = built.site_dir / f"{path}.html"  # pages are files (use_directory_urls: false)
    if not file.exists():
        file = built.site_dir / path / "index.html"  # a section's index page
    raw = file.read_text(encoding="utf-8")
    article = re.search(r"<article.*?</article>", raw, re.DOTALL)
    assert article is not None
    text = html.unescape(re.sub(r"<[^>]+>", "", article[0]))
    return re.sub(r"\s+", " ", text)


def test_check_warns_about_the_overdue_action_word_for_word(repo: Path) -> None:
    problems = [str(p) for p in inspect(repo, today=TODAY).problems]
    assert problems == [
        "measures/actions/delivery-promise.md:11: warning: The action is still running, but "
        "its planned end was 2026-10-31. Record what happened: a status done or dropped with "
        "its date, or a later end if it goes on. [PS419]"
    ]


def test_the_follow_up_in_each_of_its_three_cases(built: BuildResult) -> None:
    followed = page_text(built, "actions/customer-success-programme")
    assert (
        "Customer complaints per month (expected down): A signal down (run of 8 on one side) "
        "began in 2026-03, in the month the action started." in followed
    )
    none_yet = page_text(built, "actions/delivery-promise")
    assert (
        "Customer complaints per month (expected down): No signal down yet: two months of data "
        "since the action started show routine variation." in none_yet
    )
    wrong_way = page_text(built, "actions/retention-desk")
    assert (
        "Monthly customer churn (expected down): A signal the wrong way (point beyond the "
        "limits, up) began in 2026-07, one month after the action started; none down yet."
        in wrong_way
    )


def test_actions_under_the_key_result_on_goal_strategic_and_review_pages(
    built: BuildResult,
) -> None:
    for path in ("goals/no-customer-complaints", "strategic", "review"):
        text = page_text(built, path)
        assert (
            "Customer success programme (Maria Lopez, Head of Customer Service, running since "
            "2 Mar 2026)" in text
        ), path
        assert (
            "Delivery promise (Maria Lopez, Head of Customer Service, running since 7 Sep 2026)"
            in text
        ), path
    results_map = page_text(built, "goals")
    assert (
        "Action: Upgrade the most problematic modules · Priya Shah, Head of IT Operations · "
        "done since 12 Jun 2026" in results_map
    )


def test_the_chart_marks_each_action_by_number(built: BuildResult) -> None:
    assert built.site_dir is not None
    raw = (built.site_dir / "measures/customer-complaints.html").read_text("utf-8")
    events = re.search(r'<g id="customer-complaints-full-events">.*?</g>', raw, re.DOTALL)
    assert events is not None
    marks = html.unescape(events[0])
    # Numbered with the phase changes, in date order (the notes below the chart share them).
    titles = re.findall(r"<title>(\d+)\. ([^<]*\(action\)[^<]*)</title>", marks)
    assert [text for _, text in titles] == [
        "Mar 2026 (action): Customer success programme: started",
        "Sep 2026 (action): Delivery promise: started",
    ]
    text = page_text(built, "measures/customer-complaints")
    for _, title in titles:  # the list below the chart, an <ol> in the same order
        when, what = title.split(" (action): ")
        assert f"{when} · action: {what}" in text


def test_the_action_files_match_the_json_schema(repo: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schemas()["action"])
    for path in sorted((repo / "measures/actions").glob("*.md")):
        data = yaml.safe_load(path.read_text("utf-8").split("---")[1])
        as_json = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
        as_json["status"] = [{**s, "date": s["date"].isoformat()} for s in as_json["status"]]
        assert list(validator.iter_errors(as_json)) == [], path.name


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_a_measure_page_with_two_actions_in_a_browser(built: BuildResult) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    assert built.site_dir is not None
    shots = Path(__file__).parent / "screenshots"
    shots.mkdir(exist_ok=True)
    page_file = built.site_dir / "measures/customer-complaints.html"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_file.as_uri())
        assert page.locator("svg.pumpsite-chart-full").count() == 1
        page.screenshot(path=str(shots / "measure-two-actions.png"), full_page=True)
        browser.close()

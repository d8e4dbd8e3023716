"""Safe rendering, end to end: a repository whose every text field carries script injections is
built by the real engine; the built HTML holds no injected element, and in a real browser no
script runs (no dialog opens) and no injected element exists in the DOM.

The payloads name their field (`alert('XSS-unit')`), so a failure says where it came from."""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpsite.build import build
from tests.example_site import TODAY

BASE = Path(__file__).parent / "corpus" / "_base"
PAYLOADS = (
    "<script>alert('XSS-{f}')</script>",
    "\"><img src=x onerror=alert('XSS-{f}')>",
    "</svg><script>alert('XSS-{f}')</script><svg onload=alert('XSS-{f}')>",
    "[click](javascript:alert('XSS-{f}'))",
    "<a href=\"javascript:alert('XSS-{f}')\">link</a>",
    # Charts are templates to the theme's Jinja: neither template syntax nor a forged chart
    # placeholder may do anything.
    "{{{{ 'JINJA-' ~ 'RAN' }}}} {{% include 'base.html' %}} <!--pumpsite-chart:../../x-->",
)


def hostile(field: str) -> str:
    return "Ok " + " ".join(p.format(f=field) for p in PAYLOADS)


def q(field: str) -> str:
    """The hostile text as a YAML (JSON) string."""
    return json.dumps(hostile(field))


def _goal() -> str:
    return f"""---
kind: goal
title: {q("goal-title")}
owner: {q("goal-who")}
---
{hostile("goal-body")}

[ref link][r] <svg onload=alert('XSS-goal-svg')></svg> {{: onclick="alert('XSS-attr')" }}

[r]: javascript:alert('XSS-goal-ref')
"""


def _measure() -> str:
    improve = f"target: 99, deadline: 2026-06-30, owner: {q('role-who')}, note: {q('note2')}"
    return f"""---
title: {q("measure-title")}
goal: g
owner: {q("measure-who")}
unit: {q("unit")}
frequency: monthly
better: up
definition:
  description: {q("description")}
  formula: {q("formula")}
  data_source: {q("data-source")}
  scope: {q("scope")}
  custodian: {q("custodian")}
roles:
  - {{from: 2025-Q1, role: sustain, note: {q("role-note")}}}
  - {{from: 2025-Q4, role: improve, {improve}}}
limits:
  baseline: 6
  phases:
    - {{from: 2025-09, reason: {q("phase-reason")}}}
  exclude:
    - {{period: 2025-03, reason: {q("exclude-reason")}}}
events:
  - {{date: 2025-06, text: {q("event-text")}, kind: action}}
---
{hostile("measure-body")}
"""


def _csv() -> str:
    rows = ["period,value,note"]
    for month in range(1, 13):
        note = hostile(f"csv-note-{month}").replace('"', '""') if month in (2, 7) else ""
        rows.append(f'2025-{month:02d},{90 + month % 5}.{month},"{note}"')
    return "\n".join(rows) + "\n"


FIELDS = [
    *("goal-title", "goal-who", "goal-body", "measure-title", "measure-who", "unit"),
    *("description", "formula", "data-source", "scope", "custodian", "role-note", "role-who"),
    *("note2", "phase-reason", "exclude-reason", "event-text", "measure-body", "csv-note-2"),
    *("term", "definition"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "repo"
    shutil.copytree(BASE, root)
    (root / "measures" / "g.md").write_text(_goal())
    (root / "measures" / "m.md").write_text(_measure())
    (root / "data" / "m.csv").write_text(_csv())
    terms = (json.dumps("Ok " + p.format(f="term")) for p in PAYLOADS)  # a term is short
    (root / "glossary.yml").write_text("".join(f"{t}: {q('definition')}\n" for t in terms))
    result = build(root, today=TODAY)
    assert result.ok, [str(p) for p in result.problems]
    assert result.site_dir is not None
    return result.site_dir


class _Injected(html.parser.HTMLParser):
    """Elements and attributes that only an injection would have put in a pumpsite page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.script = tag == "script"
        for name, value in attrs:
            plain = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or plain.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "iframe", "object", "embed") and ("src", "x") in attrs:
            self.found.append(f"<{tag} src=x>")

    def handle_endtag(self, tag: str) -> None:
        self.script = False

    def handle_data(self, data: str) -> None:
        if self.script and "XSS" in data:
            self.found.append(f"<script>{data[:60]}")


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_hostile_field_reaches_the_pages(site: Path) -> None:
    """Else the other tests would prove nothing."""
    text = "".join(page.read_text() for page in pages(site))
    missing = [field for field in FIELDS if f"XSS-{field}'" not in html.unescape(text)]
    assert missing == []


def test_no_injected_element_in_the_built_html(site: Path) -> None:
    for page in pages(site):
        parser = _Injected()
        parser.feed(page.read_text())
        assert parser.found == [], page.relative_to(site)


def test_the_hostile_text_reads_as_text_in_the_chart(site: Path) -> None:
    page = (site / "measures" / "m" / "index.html").read_text()
    titles = re.findall(r"<title>([^<]*XSS-unit[^<]*)</title>", page)
    assert titles, "the unit shows in the chart's hover titles"
    assert all("&lt;script&gt;" in title and "</svg>" not in title for title in titles)
    assert "&lt;/svg&gt;&lt;script&gt;" in page


def test_template_syntax_in_the_files_stays_text(site: Path) -> None:
    text = html.unescape("".join(page.read_text() for page in pages(site)))
    assert "JINJA-RAN" not in text
    assert "{{ 'JINJA-' ~ 'RAN' }}" in text and "<!--pumpsite-chart:../../x-->" in text


# --- in the browser ----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

INJECTED_IN_DOM = """() => {
  const found = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.getAttributeNames()) {
      const v = (e.getAttribute(a) || '').replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (a.startsWith('on') || v.startsWith('javascript:')) found.push(e.tagName + ' ' + a);
    }
    if (e.tagName === 'SCRIPT' && e.textContent.includes('XSS')) found.push('script');
    if (['IMG', 'IFRAME'].includes(e.tagName) && e.getAttribute('src') === 'x') found.push('img');
  }
  return found;
}"""


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_no_script_runs_in_the_browser(site: Path, site_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.set_content(hostile("control"))  # the payloads, unescaped, do run and are found
        page.wait_for_timeout(200)
        assert "XSS-control" in dialogs and len(page.evaluate(INJECTED_IN_DOM)) >= 3
        dialogs.clear()
        for path in pages(site):
            url = f"{site_url}/{path.relative_to(site).as_posix()}"
            page.goto(url, wait_until="load")
            for target in page.locator("abbr, svg [data-period]").all()[:6]:
                if target.is_visible():
                    target.hover(force=True, timeout=2000)  # tooltips show titles
            assert page.evaluate(INJECTED_IN_DOM) == [], url
        page.goto(site_url + "/")
        page.keyboard.press("/")  # Material's search renders matches from the index
        page.keyboard.type("onerror", delay=20)  # matches every hostile text
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        assert page.evaluate(INJECTED_IN_DOM) == []
        browser.close()
    assert dialogs == []

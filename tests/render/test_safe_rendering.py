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

import pumpsite.render
from pumpsite.build.run import build
from pumpsite.render import tooltips
from tests.browser import chromium, playwright
from tests.example_site import TODAY

pytestmark = pytest.mark.slow  # every test builds with the engine, one opens Chromium

BASE = Path(__file__).parents[1] / "corpus" / "_base"
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

{CONTAINED_LINKS}
{FRAME_IDS}
"""


# Link definitions inside containers, which a filter over the source missed; and attribute lists
# that set handlers, styles and URLs. Their links must lead nowhere.
CONTAINED_LINKS = """
> [quote link][q1]
>
> [q1]: javascript:alert('XSS-quote')

- [list link][q2]

    [q2]: javascript:alert('XSS-list')

!!! note
    [admonition link][q3]{ .md-button }

    [q3]: javascript:alert('XSS-admonition')

??? info
    [details link][q4]

    [q4]: java&#115;cript:alert('XSS-details')

[attribute link](https://example.org){ onclick="alert('XSS-attr-onclick')" \
href="javascript:alert('XSS-attr-href')" style="position: fixed; inset: 0" }

![image link](javascript:alert('XSS-image'))
"""
DEAD_LINKS = ("quote link", "list link", "admonition link", "details link")

# Ids of Material's page frame, which a body must not clone (the drawer, the search).
FRAME_IDS = """
## Drawer {#__drawer}

## Search { #__search .x }

## __toc
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

```{{.python data-x='a" onmouseover="alert(1)' #__drawer}}
fenced = "code"
```

*[Ok]: An abbreviation a page defines for itself is shown as text.
"""


# A page template from a pull request writes HTML as it likes; a heading id with a quote and a
# tag would leave its attribute in the table of contents, which the theme prints unescaped.
TEMPLATE = (
    (Path(pumpsite.render.__file__).parent / "templates" / "glossary.md").read_text()
    + """
<script>alert('XSS-template')</script>
<img src="javascript:alert('XSS-template-src')" onerror="alert('XSS-template-img')">
<a href="javascript:alert('XSS-template-link')">template link</a>
<iframe srcdoc="<script>alert('XSS-template-iframe')</script>"></iframe>
<div style="position: fixed; inset: 0" onclick="alert('XSS-template-div')">overlay</div>

## Breakout { #x"><script>alert('XSS-toc-id')</script> }
"""
)


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
    (root / "glossary.yml").write_text(
        "".join(f"{t}: {q('definition')}\n" for t in terms)
        + "wzxhzdk: Python-Markdown's placeholder, which must not take the charts away.\n"
    )
    (root / "site_templates").mkdir()
    (root / "site_templates" / "glossary.md").write_text(TEMPLATE)
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
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        if "position" in dict(attrs).get("style", "") or "":
            self.found.append(f"<{tag} style={dict(attrs)['style']!r}>")

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


class _Anchors(html.parser.HTMLParser):
    """Every link of a page: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[dict[str, str | None], str]] = []
        self.open: list[tuple[dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.open.append((dict(attrs), []))

    def handle_data(self, data: str) -> None:
        for _, text in self.open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.open:
            attrs, text = self.open.pop()
            self.links.append((attrs, "".join(text).strip()))


def links(page: Path) -> list[tuple[dict[str, str | None], str]]:
    parser = _Anchors()
    parser.feed(page.read_text())
    return parser.links


def test_links_defined_inside_containers_lead_nowhere(site: Path) -> None:
    found = {text: attrs for attrs, text in links(site / "goals" / "g.html")}
    assert all("href" not in found[text] for text in DEAD_LINKS)
    assert found["admonition link"] == {"class": "md-button"}, "a button, to nowhere"
    attribute_link = found["attribute link"]  # its own href replaced the safe one: none is left
    assert not {"href", "onclick"} & set(attribute_link)
    assert "position" not in (attribute_link.get("style") or "")
    page = (site / "goals" / "g.html").read_text()
    (image,) = re.findall(r'<img alt="image link"[^>]*>', page)
    assert "src" not in image


def test_ids_of_the_themes_frame_are_not_cloned(site: Path) -> None:
    for page in pages(site):
        text = page.read_text()
        for frame_id in ("__drawer", "__search", "__toc"):
            assert text.count(f'id="{frame_id}"') <= 1, (page.relative_to(site), frame_id)
    goal = (site / "goals" / "g.html").read_text()
    for renamed in ("_drawer", "_search", "_toc"):
        assert f'id="{renamed}"' in goal, renamed
        assert f'<a href="#{renamed}" class="md-nav__link">' in goal, "the contents link to it"
    measure = (site / "measures" / "m.html").read_text()
    fenced = re.findall(r"<div [^>]*class=\"highlight\"[^>]*>", measure)
    assert any('id="_drawer"' in div for div in fenced), ("a fenced block's id too", fenced)


def test_an_id_cannot_leave_its_attribute_in_the_table_of_contents(site: Path) -> None:
    glossary = (site / "glossary.html").read_text()
    ids = re.findall(r'<h2 id="([^"]*)">Breakout', glossary)
    assert ids and not re.search(r"[\"'<> ]", ids[0]), ids
    assert f'<a href="#{ids[0]}" class="md-nav__link">' in glossary


def test_a_glossary_term_never_breaks_the_engines_placeholders(site: Path) -> None:
    measure = (site / "measures" / "m.html").read_text()
    assert 'class="pumpsite-chart pumpsite-chart-full"' in measure, "the chart is there"
    goal = (site / "goals" / "g.html").read_text()
    assert 'class="pumpsite-chart pumpsite-chart-small"' in goal


def test_abbreviations_a_page_defines_are_text(site: Path) -> None:
    measure = html.unescape((site / "measures" / "m.html").read_text())
    assert "*[Ok]: An abbreviation a page defines for itself is shown as text." in measure
    assert 'title="An abbreviation' not in measure


def test_the_hostile_text_reads_as_text_in_the_chart(site: Path) -> None:
    page = (site / "measures" / "m.html").read_text()
    titles = re.findall(r"<title>([^<]*XSS-unit[^<]*)</title>", page)
    assert titles, "the unit shows in the chart's hover titles"
    assert all("&lt;script&gt;" in title and "</svg>" not in title for title in titles)
    assert "&lt;/svg&gt;&lt;script&gt;" in page


def test_template_syntax_in_the_files_stays_text(site: Path) -> None:
    text = html.unescape("".join(page.read_text() for page in pages(site)))
    assert "JINJA-RAN" not in text
    assert "{{ 'JINJA-' ~ 'RAN' }}" in text and "<!--pumpsite-chart:../../x-->" in text


# --- in the browser ----------------------------------------------------------------------------

INJECTED_IN_DOM = """() => {
  const found = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.getAttributeNames()) {
      const v = (e.getAttribute(a) || '').replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (a.startsWith('on') || v.startsWith('javascript:')) found.push(e.tagName + ' ' + a);
    }
    if (e.tagName === 'SCRIPT' && e.textContent.includes('XSS')) found.push('script');
    if (['IMG', 'IFRAME'].includes(e.tagName) && e.getAttribute('src') === 'x') found.push('img');
    if (['IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)) found.push(e.tagName);
    if ((e.getAttribute('style') || '').includes('position')) found.push(e.tagName + ' style');
  }
  const ids = {};
  for (const e of document.querySelectorAll('[id]')) (ids[e.id] = ids[e.id] || []).push(e);
  for (const [id, all] of Object.entries(ids)) {
    if (all.length > 1 && all.some(e => !e.closest('article'))) found.push('#' + id + ' twice');
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


def test_no_script_runs_in_the_browser(site: Path, site_url: str) -> None:
    sync_api, executable = playwright(), chromium()
    dialogs: list[str] = []
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
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


# --- bounded tooltips ------------------------------------------------------------------------


def test_tooltips_are_bounded_per_term_and_per_page(tmp_path: Path) -> None:
    """A definition that uses its own term, and a page that uses it thousands of times, made
    every occurrence carry the whole definition: pages grew with the square of the input."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    definition = "loop " * 80
    (root / "glossary.yml").write_text(f"loop: {definition.strip()}\n")
    measure = root / "measures" / "m.md"
    body = f"{'loop ' * 3000}\n\n*[loop]: {definition.strip()} again\n"
    measure.write_text(measure.read_text().replace("Notes on the measure.", body))
    result = build(root, today=TODAY)
    assert result.ok and result.site_dir is not None, [str(p) for p in result.problems]
    for page in pages(result.site_dir):
        text = page.read_text()
        titles = re.findall(r'<abbr tabindex="0" title="([^"]*)">loop</abbr>', text)
        assert len(titles) <= tooltips.PER_TERM, page
        assert sum(map(len, titles)) <= tooltips.PER_PAGE
        assert len(text) < 200_000, (page, len(text))
    measure_page = (result.site_dir / "measures" / "m.html").read_text()
    assert measure_page.count(">loop</abbr>") == tooltips.PER_TERM, "the first occurrences have it"
    assert "*[loop]:" in measure_page, "a page's own abbreviations are text"


def browse(site: Path) -> list[str]:
    """Every page of a built site opened in Chromium: the dialogs that opened and the injected
    elements found (empty when no script ran). For other test modules' sites."""
    sync_api, executable = playwright(), chromium()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found: list[str] = []
    try:
        with sync_api.sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.on("dialog", lambda dialog: (found.append(dialog.message), dialog.dismiss()))
            for path in pages(site):
                url = f"http://127.0.0.1:{server.server_address[1]}/{path.relative_to(site)}"
                page.goto(url, wait_until="load")
                found += page.evaluate(INJECTED_IN_DOM)
            browser.close()
    finally:
        server.shutdown()
    return found


def test_headings_carry_no_tooltip_but_the_text_after_them_does() -> None:
    import markdown

    extension = tooltips.makeExtension(glossary={"signal": "A point that stands out."})
    page = markdown.markdown("## A signal\n\nOne signal here.", extensions=[extension])
    assert page.startswith("<h2>A signal</h2>")
    assert '<abbr tabindex="0" title="A point that stands out.">signal</abbr> here' in page


def test_a_page_may_put_an_abbreviation_in_the_tab_order_but_never_ahead_of_it() -> None:
    from pumpsite.render.safe_html import clean

    assert clean('<abbr tabindex="0" title="t">x</abbr>') == '<abbr tabindex="0" title="t">x</abbr>'
    assert clean('<abbr tabindex="1" title="t">x</abbr>') == '<abbr title="t">x</abbr>'
    assert clean('<a href="#a" tabindex="0">x</a>') == '<a href="#a">x</a>'

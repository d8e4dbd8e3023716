"""axe-core on every page of two built sites — the example and a generated repository of 20
measures — in light and dark, at desktop and mobile widths. Any serious or critical violation
fails, and any of the rules in ALWAYS (heading order, headers, …), listed by rule, page and
element (its selector, its HTML and axe's reason).

axe-core comes from npm, pinned in tests/browser/package.json and installed into
tests/browser/node_modules by `make install` (or `npm ci --prefix tests/browser`). Without it,
or without Chromium, the test skips, except under CI, where it fails (`tests.browser`).

For one site: `pytest tests/browser/test_axe.py -k example`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pumpsite.build.run import build
from tests.browser import missing
from tests.example_site import ROOT, TODAY, copy_example
from tests.test_browser import browser, site_url

__all__ = ["browser", "site_url"]  # the fixtures, shared with tests/test_browser.py

pytestmark = pytest.mark.slow
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("serious", "critical")
# Rules of issue 18 that fail whatever axe's impact: a heading order with no level skipped, one
# h1, the language, a skip link (bypass), tables with headers.
ALWAYS = ("heading-order", "page-has-heading-one", "html-has-lang", "bypass", "empty-table-header")
# The WCAG 2.0, 2.1 and 2.2 A and AA rules, and axe's best practices (landmarks, headings, …).
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice")
VARIANTS = {  # name: (viewport width, Material's colour scheme)
    "light-desktop": (1280, "default"),
    "dark-desktop": (1280, "slate"),
    "light-mobile": (390, "default"),
    "dark-mobile": (390, "slate"),
}


def _generated(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(dest), "--measures", "20"],
        check=True,
        capture_output=True,
    )
    return dest


@pytest.fixture(scope="module", params=["example", "generated-20"])
def site_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(request.param)
    root = copy_example(folder) if request.param == "example" else _generated(folder / "repo")
    result = build(root, today=TODAY)  # the generated repository has its own report date
    assert result.ok and result.site_dir is not None
    return result.site_dir


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _violations(page: object, url: str, scheme: str) -> list[dict[str, object]]:
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    # Material's palette toggle sets this attribute; pumpsite's CSS and the theme's follow it.
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")  # type: ignore[attr-defined]
    # Collapsed content (a chart's data table) is read too: axe skips what is hidden.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # type: ignore[attr-defined]
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    found = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']}).then(r => r.violations)",
        list(TAGS),
    )
    return list(found)


def _problems(path: str, violations: list[dict[str, object]]) -> list[str]:
    lines = []
    for v in violations:
        if v["impact"] not in IMPACTS and v["id"] not in ALWAYS:
            continue
        for node in v["nodes"]:  # type: ignore[attr-defined]
            target = " ".join(map(str, node["target"]))
            html = " ".join(str(node["html"]).split())[:200]
            why = " ".join(str(node.get("failureSummary", "")).split())[:300]
            lines.append(f"{path}: {v['id']} ({v['impact']}): {target}\n    {html}\n    {why}")
    return lines


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_serious_violation_on_any_page(
    browser: object, site_dir: Path, site_url: str, variant: str
) -> None:
    if not AXE.is_file():
        missing("axe-core (npm ci --prefix tests/browser)")
    width, scheme = VARIANTS[variant]
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900},
        color_scheme="dark" if scheme == "slate" else "light",
    )
    page = context.new_page()
    problems = []
    for path in pages(site_dir):
        problems += _problems(path, _violations(page, f"{site_url}/{path}", scheme))
    context.close()
    if problems:
        pytest.fail(f"{len(problems)} serious or critical violations:\n" + "\n".join(problems))

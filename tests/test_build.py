"""End to end: the example repository builds into a real MkDocs Material site."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pumpsite import _mkdocs
from pumpsite.build import BuildResult, build
from tests.example_site import TODAY, copy_example, tree_snapshot
from tests.html_snapshot import site_snapshot


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = copy_example(tmp_path_factory.mktemp("example"))
    result = build(root, today=TODAY)
    assert result.ok, (result.failure, [str(p) for p in result.inspection.errors])
    return result


def measure_ids(result: BuildResult) -> list[str]:
    return sorted(result.inspection.repo.measures)


def test_every_section_page_exists(built: BuildResult) -> None:
    site = built.site_dir
    assert site is not None
    for page in (
        "index.html",
        "strategic/index.html",
        "operational/index.html",
        "review/index.html",
        "goals/index.html",
        "glossary/index.html",
    ):
        assert (site / page).is_file(), page


def test_every_measure_page_has_its_chart(built: BuildResult) -> None:
    assert built.site_dir is not None
    for measure_id in measure_ids(built):
        html = (built.site_dir / "measures" / measure_id / "index.html").read_text()
        assert 'class="pumpsite-chart pumpsite-chart-full"' in html, measure_id
        assert "<title" in html


def test_every_goal_page_exists_and_the_results_map_is_inline_svg(built: BuildResult) -> None:
    assert built.site_dir is not None
    for goal_id in built.inspection.repo.goals:
        assert (built.site_dir / "goals" / goal_id / "index.html").is_file(), goal_id
    assert "pumpsite-results-map" in (built.site_dir / "goals" / "index.html").read_text()


def test_search_finds_page_text_but_not_the_charts_hover_titles(built: BuildResult) -> None:
    assert built.site_dir is not None
    index = json.loads((built.site_dir / "search" / "search_index.json").read_text())
    text = " ".join(f"{doc['title']} {doc['text']}" for doc in index["docs"])
    assert "Customer complaints per month" in text  # page text is searchable
    assert not re.search(r"\d{4}-\d\d: moving range", text)  # no hover title of the charts
    assert "UNPL" not in text and "Avg mR" not in text  # no chart margin labels
    assert "Results map of" not in text  # nor the results map's description


def test_charts_put_back_after_markdown_give_the_same_site_as_inline_charts(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Charts skip Markdown and search (set apart as theme files): the HTML must not change."""
    assert built.site_dir is not None
    project = built.site_dir.parent / _mkdocs.PROJECT_DIR
    assert "<svg" not in (project / "docs" / "measures" / "customer-churn.md").read_text()
    assert list((project / "overrides" / _mkdocs.CHART_FOLDER).glob("*.html"))
    root = copy_example(tmp_path / "inline")
    monkeypatch.setattr(_mkdocs, "charts_apart", lambda pages: (dict(pages), {}))
    inline = build(root, today=TODAY)
    assert inline.ok and inline.site_dir is not None
    assert (
        "<svg"
        in (root / _mkdocs.PROJECT_DIR / "docs" / "measures" / "customer-churn.md").read_text()
    )
    assert site_snapshot(inline.site_dir) == site_snapshot(built.site_dir)  # judged, reserialised


def test_glossary_terms_become_tooltips_across_the_site(built: BuildResult) -> None:
    assert built.site_dir is not None
    html = (built.site_dir / "glossary" / "index.html").read_text()
    assert "<abbr title=" in html


def test_nav_does_not_list_every_measure(built: BuildResult) -> None:
    assert built.site_dir is not None
    html = (built.site_dir / "index.html").read_text()
    for measure_id in measure_ids(built):
        assert f'href="measures/{measure_id}/"' not in html.split('class="md-content"')[0]


def test_the_generated_project_rebuilds_with_plain_mkdocs(
    built: BuildResult, tmp_path: Path
) -> None:
    assert built.site_dir is not None
    project = built.site_dir.parent / ".pumpsite"
    out = tmp_path / "plain"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        check=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert (out / "index.html").is_file()


def test_generated_markdown_and_svg_are_reproducible(built: BuildResult) -> None:
    assert built.site_dir is not None
    root = built.site_dir.parent
    before = tree_snapshot(root / ".pumpsite" / "docs")
    again = build(root, today=TODAY)
    assert again.ok
    assert tree_snapshot(root / ".pumpsite" / "docs") == before


def test_a_failed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    assert build(root, today=TODAY).ok
    before = tree_snapshot(root / "site")
    victim = sorted((root / "measures").rglob("*.md"))[-1]
    original = victim.read_text()
    victim.write_text(original.replace("title:", "titel:", 1))
    result = build(root, today=TODAY)
    assert not result.ok
    assert any(p.code == "PS103" for p in result.inspection.errors)
    assert tree_snapshot(root / "site") == before
    assert victim.read_text() == original.replace("title:", "titel:", 1)


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = build(root, today=TODAY, site_dir=precious)
    assert not result.ok and "refusing" in (result.failure or "")
    assert (precious / "thesis.txt").read_text() == "years of work"

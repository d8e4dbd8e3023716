"""The warm engine of `pumpsite serve`: a save renders only the pages it changed, and the site it
makes is the one a full build makes, byte for byte; anything more than pages is a full build.
Real builds of a copy of the example (see `pumpsite.build.engine_partial.INTERNALS`)."""

from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path

import pytest

from pumpsite.build import engine, engine_partial
from pumpsite.build.engine_partial import WarmEngine, changed_files
from pumpsite.build.outputs import SITE_MARKER
from pumpsite.build.run import BuildResult, build
from tests.example_site import TODAY, copy_example, tree_snapshot
from tests.serve_process import CHURN_PAGE, set_last_value

CHURN_MD = "measures/customers/customer-churn.md"


def _build(root: Path, warm: WarmEngine, folder: str) -> BuildResult:
    result = build(root, today=TODAY, site_dir=root.parent / folder, as_of=TODAY, engine_run=warm)
    assert result.ok, result.failure
    assert result.site_dir is not None
    warm.settled(result.site_dir)
    return result


def _index(site: Path) -> list[dict[str, object]]:
    docs: list[dict[str, object]] = json.loads((site / "search/search_index.json").read_text())[
        "docs"
    ]
    return docs


def _entries_of(docs: list[dict[str, object]], page: str) -> list[dict[str, object]]:
    return [d for d in docs if str(d["location"]).partition("#")[0] == page]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def test_changed_files_are_those_whose_stamp_moved_and_none_when_files_come_or_go() -> None:
    before = {"docs/a.md": (1, 10, 5), "docs/b.md": (2, 10, 5)}
    assert changed_files(before, dict(before)) == set()
    assert changed_files(before, {**before, "docs/b.md": (3, 11, 5)}) == {"docs/b.md"}
    assert changed_files(before, {"docs/a.md": (1, 10, 5)}) is None
    assert changed_files(before, {**before, "docs/c.md": (4, 10, 5)}) is None


@pytest.mark.slow
def test_an_edited_csv_renders_its_pages_only_and_the_site_is_a_full_builds(
    example: Path, tmp_path: Path
) -> None:
    warm = WarmEngine()
    first = _build(example, warm, "first")
    assert warm.rendered is None, "the first build is a full one"
    assert first.site_dir is not None
    before = tree_snapshot(first.site_dir)

    set_last_value(example, "9.87")
    second = _build(example, warm, "second")
    assert second.site_dir is not None
    assert warm.rendered is not None and 0 < warm.rendered < 10, warm.rendered
    assert "9.87% in Oct 2026" in (second.site_dir / CHURN_PAGE).read_text()
    assert tree_snapshot(first.site_dir) == before, "the previous build was written to"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "repo", "second"]

    # The same project built in full, in one go, makes the same site byte for byte.
    engine.run_engine(example / ".pumpsite", tmp_path / "full", strict=False)
    partial = tree_snapshot(second.site_dir)
    assert partial.pop(SITE_MARKER) and partial == tree_snapshot(tmp_path / "full")

    docs, old_docs = _index(second.site_dir), _index(first.site_dir)
    assert any("9.87%" in str(d["text"]) for d in _entries_of(docs, CHURN_PAGE))
    assert not any("9.87%" in str(d["text"]) for d in _entries_of(old_docs, CHURN_PAGE))
    assert _entries_of(docs, "measures/downtime-percent.html") == _entries_of(
        old_docs, "measures/downtime-percent.html"
    ), "another page's entries changed"


@pytest.mark.slow
def test_a_new_measure_or_a_new_title_is_a_full_build_with_the_page_in_the_navigation(
    example: Path,
) -> None:
    warm = WarmEngine()
    _build(example, warm, "first")
    source = (example / CHURN_MD).read_text()
    copy = source.replace("title: Monthly customer churn", "title: Churn, the copy")
    (example / "measures/customers/churn-copy.md").write_text(copy)
    (example / "data/churn-copy.csv").write_text((example / "data/customer-churn.csv").read_text())
    second = _build(example, warm, "second")
    assert warm.rendered is None, "a page added is a full build"
    assert second.site_dir is not None
    page = (second.site_dir / "measures/churn-copy.html").read_text()
    assert "Churn, the copy" in page
    home = (second.site_dir / "index.html").read_text()
    assert 'href="measures/churn-copy.html"' in home, "the new page is not in the navigation"

    (example / CHURN_MD).write_text(source.replace("Monthly customer churn", "Churn each month"))
    third = _build(example, warm, "third")
    assert warm.rendered is None, "a title shows in every page's navigation: a full build"
    assert third.site_dir is not None
    engine.run_engine(example / ".pumpsite", example.parent / "full", strict=False)
    built = tree_snapshot(third.site_dir)
    assert built.pop(SITE_MARKER) and built == tree_snapshot(example.parent / "full")


@pytest.mark.slow
def test_a_build_the_server_did_not_keep_is_never_the_base_of_the_next(example: Path) -> None:
    warm = WarmEngine()
    first = build(example, today=TODAY, site_dir=example.parent / "a", as_of=TODAY, engine_run=warm)
    assert first.ok
    set_last_value(example, "9.87")
    _build(example, warm, "b")
    assert warm.rendered is None, "no build was settled: nothing to link to"


def test_the_engine_internals_the_warm_engine_relies_on_are_still_there() -> None:
    from material.plugins.search import plugin as search
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.plugins import PluginCollection
    from mkdocs.structure.files import File, Files

    assert list(inspect.signature(mkdocs_build._populate_page).parameters)[:3] == [
        "page",
        "config",
        "files",
    ]
    assert list(inspect.signature(mkdocs_build._build_page).parameters)[:5] == [
        "page",
        "config",
        "doc_files",
        "nav",
        "env",
    ]
    assert isinstance(File.__dict__["abs_dest_path"], functools.cached_property)
    assert callable(Files.documentation_pages) and callable(Files.get_file_from_path)
    assert "_register_event" in inspect.getsource(PluginCollection.__setitem__)
    assert search.__name__ == engine_partial.SEARCH_PLUGIN
    index = search.SearchIndex(lang=["en"], separator=" ", pipeline=[], fields={})
    index.entries = [{"location": "a.html", "title": "A", "text": "a"}]
    assert json.loads(index.generate_search_index(None))["docs"] == index.entries
    assert "self.search_index.add_entry_from_context(page)" in inspect.getsource(
        search.SearchPlugin.on_page_context
    )

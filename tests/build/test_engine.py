import errno
from pathlib import Path

import pytest
import yaml

from pumpsite.build import engine
from pumpsite.model import Tagged
from pumpsite.render.chart_ref import MARK, MARK_END, RESULTS_MAP, ChartRef, with_charts
from pumpsite.render.site import Site
from tests.example_site import tree_snapshot

SITE = Site(
    files={"index.md": "# Home\n", "measures/m.md": "# M\n"},
    nav=[{"Home": "index.md"}],
    glossary={"KPI": "Key performance indicator", "XmR chart": "Individuals chart"},
    extra_css=("assets/pumpsite.css",),
)


def test_config_keeps_the_users_settings_and_adds_the_generated_pages() -> None:
    user = {
        "site_name": "Acme",
        "nav": [{"About": "https://example.org"}],
        "markdown_extensions": ["toc", {"admonition": {}}, {"abbr": None}],
        "theme": {"name": "material", "palette": {"scheme": "slate"}},
        "extra_css": ["extra.css"],
    }
    config = engine.engine_config(user, SITE, default_name="repo")
    assert config["site_name"] == "Acme"
    assert config["nav"] == [{"Home": "index.md"}, {"About": "https://example.org"}]
    names = [engine._extension_name(e) for e in config["markdown_extensions"]]
    assert names[:2] == ["toc", "admonition"]
    assert set(engine.REQUIRED_EXTENSIONS) <= set(names)
    assert "abbr" not in names, "its `*[term]:` lines are not for pages: pumpsite's tooltips are"
    assert names[-2:] == ["pumpsite.render.tooltips", "pumpsite.render.safe_html"], (
        "safe_html judges last"
    )
    tooltips = config["markdown_extensions"][-2]["pumpsite.render.tooltips"]
    assert tooltips == {
        "glossary": {"KPI": "Key performance indicator", "XmR chart": "Individuals chart"}
    }
    assert config["theme"]["palette"] == {"scheme": "slate"}
    assert config["theme"]["custom_dir"] == "overrides"
    assert config["extra_css"] == ["extra.css", "assets/pumpsite.css"]
    assert config["docs_dir"] == "docs"


def test_defaults_for_a_bare_config() -> None:
    config = engine.engine_config({}, SITE, default_name="my-measures")
    assert config["site_name"] == "my-measures"
    assert config["theme"]["name"] == "material"


def test_by_default_no_request_leaves_the_site_and_pages_are_files() -> None:
    config = engine.engine_config({}, SITE, default_name="r")
    assert config["theme"]["font"] is False and config["use_directory_urls"] is False
    user = {"theme": {"name": "material", "font": {"text": "Inter"}}, "use_directory_urls": True}
    config = engine.engine_config(user, SITE, default_name="r")
    assert config["theme"]["font"] == {"text": "Inter"} and config["use_directory_urls"] is True


def test_without_site_url_the_404_page_stands_alone() -> None:
    bare = engine.project_files(SITE, engine.engine_config({}, SITE, default_name="r"))
    assert "overrides/404.html" in bare and 'href="/' not in bare["overrides/404.html"]
    user = {"site_url": "https://acme.github.io/measures/"}
    config = engine.engine_config(user, SITE, default_name="r")
    assert "overrides/404.html" not in engine.project_files(SITE, config)


def test_a_site_published_into_a_folder_has_its_own_site_url() -> None:
    user = {"site_url": "https://acme.example/measures"}
    config = engine.engine_config(user, SITE, default_name="r", url_folder="previews/pr-7")
    assert config["site_url"] == "https://acme.example/measures/previews/pr-7/"
    assert engine.engine_config(user, SITE, default_name="r")["site_url"] == user["site_url"]
    assert "site_url" not in engine.engine_config({}, SITE, default_name="r", url_folder="p")


def test_users_custom_dir_is_kept_relative_to_the_repository() -> None:
    config = engine.engine_config(
        {"theme": {"name": "material", "custom_dir": "ov"}}, SITE, default_name="r"
    )
    assert config["theme"]["custom_dir"] == "../ov"


def test_custom_yaml_tags_survive_the_round_trip() -> None:
    emoji = {
        "pymdownx.emoji": {
            "emoji_index": Tagged(
                "tag:yaml.org,2002:python/name:material.extensions.emoji.twemoji", ""
            )
        }
    }
    config = engine.engine_config({"markdown_extensions": [emoji]}, SITE, default_name="r")
    text = engine.config_yaml(config)
    assert "!!python/name:material.extensions.emoji.twemoji" in text


def test_write_project_writes_only_changes_and_removes_stale_files(tmp_path: Path) -> None:
    files = {"docs/a.md": "A", "docs/b/c.md": "C", "mkdocs.yml": "site_name: x\n"}
    assert engine.write_project(tmp_path, files) == 3
    assert engine.write_project(tmp_path, files) == 0
    del files["docs/b/c.md"]
    files["docs/a.md"] = "A2"
    assert engine.write_project(tmp_path, files) == 1
    assert not (tmp_path / "docs" / "b").exists()
    assert (tmp_path / "docs" / "a.md").read_text() == "A2"


def test_a_project_written_in_parts_removes_only_what_no_part_wrote(tmp_path: Path) -> None:
    engine.write_project(tmp_path, {"docs/a.md": "A", "overrides/c/old.html": "old", "x.yml": ""})
    writer = engine.ProjectWriter(tmp_path)
    writer.write([("docs/a.md", "A"), ("docs/deep/b.md", "B")])
    assert (tmp_path / "docs" / "deep" / "b.md").read_text() == "B"  # written at once
    assert (tmp_path / "overrides" / "c" / "old.html").exists()  # not before the last part
    writer.write(iter([("overrides/c/new.html", "new")]))
    assert writer.finish() == 2
    assert tree_snapshot(tmp_path) == {
        "docs/a.md": b"A",
        "docs/deep/b.md": b"B",
        "overrides/c/new.html": b"new",
    }


def test_write_project_keeps_the_marker_and_the_cache(tmp_path: Path) -> None:
    kept = {".pumpsite-project": "Made by pumpsite.\n", "cache/charts/m.json": "{}"}
    for rel, text in kept.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    engine.write_project(tmp_path, {"docs/a.md": "A"})
    assert tree_snapshot(tmp_path) == {"docs/a.md": b"A"} | {k: v.encode() for k, v in kept.items()}


def test_write_project_replaces_what_a_killed_write_left(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md.tmp").write_text("half")
    assert engine.write_project(tmp_path, {"docs/a.md": "A"}) == 1
    assert tree_snapshot(tmp_path) == {"docs/a.md": b"A"}


@pytest.mark.parametrize(
    "link",
    ["docs", "docs/a.md", "docs/a.md.tmp", "docs/stale", "overrides/partials"],
    ids=["a-wanted-folder", "a-wanted-file", "a-temporary-file", "a-stale-link", "deeper"],
)
def test_write_project_never_writes_or_deletes_through_a_link(link: str, tmp_path: Path) -> None:
    """A link a pull request committed in .pumpsite/ (git add -f), to the user's files."""
    theirs = tmp_path / "measures"
    theirs.mkdir()
    (theirs / "g.md").write_text("our goal")
    (theirs / "a.md").write_text("our measure")
    project = tmp_path / ".pumpsite"
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(theirs if "." not in link else theirs / "a.md")
    before = tree_snapshot(tmp_path)
    with pytest.raises(OSError) as refused:
        engine.write_project(project, {"docs/a.md": "A", "overrides/partials/x.html": "X"})
    assert refused.value.errno == errno.ELOOP
    assert refused.value.filename == str(project / link)
    assert tree_snapshot(tmp_path) == before


def test_the_generated_project_builds_with_the_engine(tmp_path: Path) -> None:
    config = engine.engine_config(
        {"site_name": "T", "repo_url": "https://example.org/r"}, SITE, default_name="r"
    )
    site = Site(
        files={
            "index.md": "---\nedit_url: https://example.org/r/edit/main/measures/m.md\n---\n"
            "# Home\n\nOur KPI.\n",
            "measures/m.md": "# M\n",
            "assets/pumpsite.css": "body{}\n",
        },
        nav=[{"Home": "index.md"}],
        glossary={"KPI": "Key performance indicator"},
        extra_css=("assets/pumpsite.css",),
    )
    config = engine.engine_config(
        {
            "site_name": "T",
            "repo_url": "https://example.org/r",
            "theme": {"name": "material", "features": ["content.action.edit"]},
        },
        site,
        default_name="r",
    )
    project = tmp_path / ".pumpsite"
    engine.write_project(project, engine.project_files(site, config))
    assert yaml.safe_load((project / "mkdocs.yml").read_text())["docs_dir"] == "docs"
    out = tmp_path / "out"
    engine.run_engine(project, out, strict=False)
    html = (out / "index.html").read_text()
    assert '<abbr tabindex="0" title="Key performance indicator">KPI</abbr>' in html
    assert 'href="https://example.org/r/edit/main/measures/m.md"' in html


def _project_with_custom_dir(folder: Path, custom_dir: str) -> Path:
    """SITE's project in `folder`/.pumpsite, with the user's theme folder `folder`/`custom_dir`."""
    project = folder / ".pumpsite"
    config = engine.engine_config(
        {"site_name": "T", "theme": {"name": "material", "custom_dir": custom_dir}},
        SITE,
        default_name="r",
    )
    engine.write_project(project, engine.project_files(SITE, config))
    return project


CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" class="pumpsite-chart '
    'pumpsite-chart-full" role="img">\n<title>{{ 7 * 7 }} {% include "base.html" %}</title>\n</svg>'
)


def test_charts_are_theme_files_with_no_jinja_syntax_left() -> None:
    files = engine.chart_theme_files({ChartRef("m", "full"): CHART})
    svg = files[f"overrides/{engine.CHART_FOLDER}/full-m.html"]
    assert files["overrides/partials/content.html"] == engine.CONTENT_TEMPLATE
    assert "{" not in svg and svg.replace("&#123;", "{") == CHART


PAGE = f'<div markdown="0">\n{ChartRef("m", "full")}\n</div>\n\nText, and again:\n\n{RESULTS_MAP}\n'
CHARTS = {ChartRef("m", "full"): CHART, RESULTS_MAP: "<svg>map</svg>"}


def test_with_the_users_own_custom_dir_or_another_theme_charts_are_put_in_the_markdown() -> None:
    site = Site(
        files={"m.md": PAGE, "data/m.csv": PAGE}, nav=[], glossary={}, extra_css=(), charts=CHARTS
    )
    inline = f'<div markdown="0">\n{CHART}\n</div>\n\nText, and again:\n\n<svg>map</svg>\n'
    config = engine.engine_config(
        {"theme": {"name": "material", "custom_dir": "ov"}}, site, default_name="r"
    )
    files = engine.project_files(site, config)
    assert files["docs/m.md"] == inline and not any(p.startswith("overrides/") for p in files)
    assert files["docs/data/m.csv"] == PAGE, "only pages name charts"
    other = engine.engine_config({"theme": "readthedocs"}, site, default_name="r")
    assert engine.project_files(site, other)["docs/m.md"] == inline, "the partial is Material's"
    ours = engine.project_files(site, engine.engine_config({}, site, default_name="r"))
    assert ours["docs/m.md"] == PAGE
    assert {p for p in ours if p.startswith(f"overrides/{engine.CHART_FOLDER}/")} == {
        f"overrides/{engine.CHART_FOLDER}/full-m.html",
        f"overrides/{engine.CHART_FOLDER}/map.html",
    }


def test_a_marker_naming_no_chart_is_dropped_and_a_broken_one_kept_as_text() -> None:
    by_name = {"full-m": "<svg/>"}
    assert with_charts("a<!--pumpsite-chart:full-m-->b", by_name) == "a<svg/>b"
    assert with_charts("a<!--pumpsite-chart:../x-->b", by_name) == "ab"
    assert with_charts("a<!--pumpsite-chart:full-m b", by_name) == "a<!--pumpsite-chart:full-m b"


def test_the_content_partial_is_materials_with_the_charts_put_back() -> None:
    """If Material changes its partial, this fails: copy the new one and keep the one change."""
    import material

    theirs = Path(material.__file__).parent / "templates" / "partials" / "content.html"
    header = ("{#-", "  This file", "-#}")  # "generated - do not edit"
    original = [line for line in theirs.read_text().splitlines() if not line.startswith(header)]
    ours = engine.CONTENT_TEMPLATE.splitlines()[1:]
    changed = [k for k, (a, b) in enumerate(zip(original, ours, strict=True)) if a != b]
    assert [original[k] for k in changed] == ["{{ page.content }}"]
    assert f'split("{MARK}")' in ours[changed[0]] and f'partition("{MARK_END}")' in ours[changed[0]]
    assert f'"{engine.CHART_FOLDER}/" ~ name' in ours[changed[0]]


def test_material_puts_each_chart_in_place_after_markdown_and_drops_unknown_markers(
    tmp_path: Path,
) -> None:
    page = f"# M\n\n{PAGE}\nAnd <!--pumpsite-chart:full-nothing--> none.\n"
    site = Site(
        files={"index.md": "# Home\n", "m.md": page},
        nav=[{"Home": "index.md"}, {"M": "m.md"}],
        glossary={},
        extra_css=(),
        charts={ChartRef("m", "full"): CHART, RESULTS_MAP: "<svg>map</svg>"},
    )
    project = tmp_path / ".pumpsite"
    engine.write_project(
        project, engine.project_files(site, engine.engine_config({}, site, default_name="r"))
    )
    engine.run_engine(project, tmp_path / "site", strict=True)
    html = (tmp_path / "site" / "m.html").read_text()
    assert "<title>&#123;&#123; 7 * 7 }} &#123;% include" in html, "the chart, Jinja syntax inert"
    assert "<svg>map</svg>" in html and MARK not in html
    assert "And  none." in html

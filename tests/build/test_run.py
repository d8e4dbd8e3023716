"""End to end: the example repository builds into a real MkDocs Material site."""

from __future__ import annotations

import errno
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pumpsite.build import engine
from pumpsite.build.run import BuildResult, build
from pumpsite.scaffold import init_repo
from tests.example_site import TODAY, copy_example, tree_snapshot
from tests.html_snapshot import site_snapshot

pytestmark = pytest.mark.slow  # every test builds with the engine


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
        "strategic.html",
        "operational.html",
        "review.html",
        "goals/index.html",
        "glossary.html",
    ):
        assert (site / page).is_file(), page


def test_every_measure_page_has_its_chart(built: BuildResult) -> None:
    assert built.site_dir is not None
    for measure_id in measure_ids(built):
        html = (built.site_dir / "measures" / f"{measure_id}.html").read_text()
        (chart,) = re.findall(
            r'<svg [^>]*class="pumpsite-chart pumpsite-chart-full".*?</svg>', html, re.S
        )
        assert len(re.findall(r"<title>[^<]+</title>", chart)) > 10, "hover titles on the points"


def test_every_goal_page_exists_and_the_results_map_is_inline_svg(built: BuildResult) -> None:
    assert built.site_dir is not None
    for goal_id in built.inspection.repo.goals:
        assert (built.site_dir / "goals" / f"{goal_id}.html").is_file(), goal_id
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
    project = built.site_dir.parent / engine.PROJECT_DIR
    assert "<svg" not in (project / "docs" / "measures" / "customer-churn.md").read_text()
    assert list((project / "overrides" / engine.CHART_FOLDER).glob("*.html"))
    root = copy_example(tmp_path / "inline")
    monkeypatch.setattr(engine, "_charts_after_markdown", lambda theme: False)
    inline = build(root, today=TODAY)
    assert inline.ok and inline.site_dir is not None
    assert (
        "<svg"
        in (root / engine.PROJECT_DIR / "docs" / "measures" / "customer-churn.md").read_text()
    )
    assert site_snapshot(inline.site_dir) == site_snapshot(built.site_dir)  # judged, reserialised


def test_glossary_terms_become_tooltips_across_the_site(built: BuildResult) -> None:
    assert built.site_dir is not None
    html = (built.site_dir / "glossary.html").read_text()
    assert '<abbr tabindex="0" title=' in html


def test_nav_does_not_list_every_measure(built: BuildResult) -> None:
    assert built.site_dir is not None
    html = (built.site_dir / "index.html").read_text()
    for measure_id in measure_ids(built):
        assert f'href="measures/{measure_id}.html"' not in html.split('class="md-content"')[0]


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


def test_pages_are_on_disk_before_the_charts_are_drawn(tmp_path: Path) -> None:
    """The pages are written, and not held, while the charts are drawn (peak memory)."""
    root = copy_example(tmp_path / "repo")
    project = root / engine.PROJECT_DIR
    page = project / "docs" / "measures" / "customer-churn.md"
    chart = project / "overrides" / engine.CHART_FOLDER / "full-customer-churn.html"
    seen: dict[str, bool] = {}

    def progress(step: str) -> None:
        if step.startswith("Rendering"):
            seen.update(page=page.is_file(), chart=chart.exists())

    assert build(root, today=TODAY, progress=progress).ok
    assert seen == {"page": True, "chart": False}
    assert chart.is_file()


def test_a_failed_template_leaves_the_site_and_the_project_whole(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    assert build(root, today=TODAY).ok
    site, project = tree_snapshot(root / "site"), tree_snapshot(root / engine.PROJECT_DIR)
    (root / "site_templates").mkdir()
    (root / "site_templates" / "measure.md").write_text("{{ m.title }} {{ 1 // 0 }}\n")
    result = build(root, today=TODAY)  # stopped by the check's trial of the templates
    assert not result.ok and any(p.code.startswith("PS6") for p in result.problems)
    assert tree_snapshot(root / "site") == site
    assert tree_snapshot(root / engine.PROJECT_DIR) == project


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = build(root, today=TODAY, site_dir=precious)
    assert not result.ok and [p.code for p in result.problems] == ["PS704"]
    assert (precious / "thesis.txt").read_text() == "years of work"


# --- only pumpsite's own folders are replaced ----------------------------------------------------


def a_blog(folder: Path) -> dict[str, bytes]:
    """Someone's folder that happens to look like a site, and its files."""
    (folder / "photos").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>My blog</h1>")
    (folder / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    return tree_snapshot(folder)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    init_repo(root, TODAY)
    return root


def codes(result: BuildResult) -> list[str]:
    return [p.code for p in result.problems]


def test_the_built_site_carries_pumpsites_marker(built: BuildResult) -> None:
    assert built.site_dir is not None
    marker = (built.site_dir / ".pumpsite-site").read_text()
    assert marker.startswith("Built by pumpsite.\n") and "replaces this folder" in marker


def test_a_linked_site_is_refused_and_the_folder_it_points_to_is_untouched(
    fresh: Path, tmp_path: Path
) -> None:
    blog = a_blog(tmp_path / "blog")
    (fresh / "site").symlink_to(tmp_path / "blog")
    result = build(fresh, today=TODAY)
    assert not result.ok and codes(result) == ["PS703"]
    assert tree_snapshot(tmp_path / "blog") == blog
    assert (fresh / "site").is_symlink() and not any(fresh.glob("site.*"))


def test_site_dir_naming_a_folder_pumpsite_did_not_build_is_refused(
    fresh: Path, tmp_path: Path
) -> None:
    """It has an index.html, as a built site does: only pumpsite's marker counts."""
    blog = a_blog(tmp_path / "blog")
    result = build(fresh, today=TODAY, site_dir=tmp_path / "blog")
    assert not result.ok and codes(result) == ["PS704"]
    assert result.problems[0].path == str(tmp_path / "blog")
    assert tree_snapshot(tmp_path / "blog") == blog


def test_a_link_named_with_site_dir_is_followed(fresh: Path, tmp_path: Path) -> None:
    published = tmp_path / "published"
    assert build(fresh, today=TODAY, site_dir=published).ok
    (fresh / "site").symlink_to(published)
    result = build(fresh, today=TODAY, site_dir=fresh / "site", as_of=date(2026, 6, 30))
    assert result.ok and result.site_dir == published
    assert (fresh / "site").is_symlink()
    assert "Report for 30 June 2026" in (published / "index.html").read_text()


def test_a_site_built_by_an_older_pumpsite_is_replaced_and_marked(fresh: Path) -> None:
    """Older pumpsites wrote no marker: their stylesheet says they built the site."""
    assert build(fresh, today=TODAY).ok
    (fresh / "site" / ".pumpsite-site").unlink()
    result = build(fresh, today=TODAY, as_of=date(2026, 6, 30))
    assert result.ok, result.problems
    assert (fresh / "site" / ".pumpsite-site").is_file()
    assert "Report for 30 June 2026" in (fresh / "site" / "index.html").read_text()


def test_folders_named_like_pumpsites_own_are_left_alone(fresh: Path) -> None:
    """A user's `site.old`, and a folder named like the staging folder of a process that is
    gone, are not pumpsite's: builds with and without a site/ leave them as they are."""
    theirs = {}
    for name in ("site.old", "site.new-999999999"):
        (fresh / name).mkdir()
        (fresh / name / "notes.txt").write_text(f"{name}: mine")
        theirs[name] = tree_snapshot(fresh / name)
    assert build(fresh, today=TODAY).ok
    assert build(fresh, today=TODAY).ok
    for name, files in theirs.items():
        assert tree_snapshot(fresh / name) == files
    assert sorted(p.name for p in fresh.glob("site*")) == ["site", *sorted(theirs)]


def run_command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def mounts() -> Iterator[list[Path]]:
    """Mount points a test makes (as root); unmounted at the end. Skips where not permitted."""
    made: list[Path] = []
    yield made
    for point in reversed(made):
        run_command(["umount", "-l", str(point)], point.parent)


def mount(mounts: list[Path], *args: str) -> None:
    done = run_command(["mount", *args], Path("/"))
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    mounts.append(Path(args[-1]))


def test_a_site_that_is_a_mount_point_is_a_problem_and_stays_whole(
    fresh: Path, tmp_path: Path, mounts: list[Path]
) -> None:
    assert build(fresh, today=TODAY).ok
    disk = tmp_path / "disk"
    shutil.copytree(fresh / "site", disk)
    mount(mounts, "--bind", str(disk), str(fresh / "site"))
    before = tree_snapshot(fresh / "site")
    result = build(fresh, today=TODAY, as_of=date(2026, 6, 30))
    assert not result.ok and result.failure == "the site could not be written"
    assert [str(p) for p in result.problems] == [
        "site: error: Could not replace this folder: it is a mount point (or in use). pumpsite "
        "builds the new site beside the old one and swaps the two folders in one step, which a "
        "mount point does not allow. The previous site is unchanged; build into a folder inside "
        "it (--site-dir site/public), or mount the folder above it instead. [PS705]"
    ]
    assert tree_snapshot(fresh / "site") == before
    assert sorted(p.name for p in fresh.glob("site*")) == ["site"]
    assert build(fresh, today=TODAY, site_dir=fresh / "site" / "public").ok


def fill(disk: Path, leave: int) -> Path:
    """Fill the file system of `disk` up to `leave` bytes free (a real full disk)."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        while (free := shutil.disk_usage(disk).free - leave) > 0:
            try:
                handle.write(b"\0" * min(free, 1 << 20))
                handle.flush()
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
    return filler


def test_a_full_disk_is_a_problem_and_the_previous_site_stays_whole(
    tmp_path: Path, mounts: list[Path]
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mount(mounts, "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
    root = disk / "repo"
    init_repo(root, TODAY)
    assert build(root, today=TODAY).ok
    before = tree_snapshot(root / "site")
    for leave, where in ((0, ".pumpsite/"), (400_000, "site.new-")):  # the project; the site
        filler = fill(disk, leave)
        result = build(root, today=TODAY, as_of=date(2026, 6, 30))
        assert not result.ok and result.failure == "the site could not be written"
        [problem] = result.problems
        assert problem.path.startswith(where) and problem.code == "PS706", problem
        assert problem.message == (
            "Could not write the site: No space left on device. The previous site is "
            "unchanged; free some space and build again."
        )
        assert tree_snapshot(root / "site") == before
        assert sorted(p.name for p in root.glob("site*")) == ["site"]
        filler.unlink()
    assert build(root, today=TODAY, as_of=date(2026, 6, 30)).ok


def test_a_write_refused_by_the_system_is_a_problem_not_a_traceback(fresh: Path) -> None:
    """Files larger than the process may write (ulimit -f): a real failed write, as any user."""
    assert build(fresh, today=TODAY).ok
    before = tree_snapshot(fresh / "site")
    limit = "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    limit += "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000)); "
    code = limit + "from pumpsite.cli import main; main()"
    args = [sys.executable, "-c", code, "build", str(fresh), "--as-of", "2026-06-30"]
    done = run_command(args, fresh)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.fullmatch(
        r"\.pumpsite/\S+: error: Could not write the site: File too large\. The previous site is "
        r"unchanged; fix the cause and build again\. \[PS706\]\n",
        done.stdout,
    ), done.stdout
    assert "Build stopped: the site could not be written." in done.stderr
    assert tree_snapshot(fresh / "site") == before

"""The chart cache: a rebuild draws only the charts whose inputs changed, and an entry that is
corrupt, truncated, tampered with or stale is ignored and replaced, never trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import pumpsite
from pumpsite.analysis.reading import read_measure
from pumpsite.build import chart_cache, engine
from pumpsite.build.chart_cache import (
    ChartCache,
    Charts,
    Job,
    chart_key,
    code_fingerprint,
    prepare_charts,
)
from pumpsite.build.run import CACHE_DIR, build
from pumpsite.checks.inspection import Inspection, inspect
from pumpsite.cli import cli
from pumpsite.render.chart_ref import RESULTS_MAP, ChartRef, measure_charts_named
from pumpsite.vocabulary import ChartSize
from tests.conftest import make_repo
from tests.example_site import TODAY, copy_example
from tests.git_helpers import git, isolated_git
from tests.render.test_safe_rendering import BASE, browse

__all__ = ["isolated_git"]

CHURN = "customer-churn"


def _inspect(root: Path) -> Inspection:
    result = inspect(root, today=TODAY)
    assert not result.errors, result.errors
    return result


def _prepare(inspection: Inspection, cache: ChartCache | None) -> Charts:
    return prepare_charts(inspection.repo.measures, inspection.analyses, cache, workers=1)


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Charts]:
    """The example, and a cache filled by drawing every chart once."""
    root = copy_example(tmp_path_factory.mktemp("example"))
    fresh = _prepare(_inspect(root), ChartCache(root / "cache"))
    return root / "cache", fresh


@pytest.fixture
def repo(tmp_path: Path, warm: tuple[Path, Charts]) -> Path:
    """A copy of the example with a copy of the warm cache in `cache/`."""
    root = copy_example(tmp_path / "repo")
    shutil.copytree(warm[0], root / "cache")
    return root


def _entry(root: Path, measure_id: str = CHURN) -> Path:
    return root / "cache" / f"{measure_id}.json"


def _edit_churn_csv(root: Path) -> None:
    path = root / "data" / f"{CHURN}.csv"
    path.write_text(path.read_text().replace("2024-02,3.75", "2024-02,3.95"))


@pytest.mark.slow
def test_a_cold_run_draws_every_chart_and_a_warm_one_none(
    repo: Path, warm: tuple[Path, Charts]
) -> None:
    fresh = warm[1]
    measures = len(_inspect(repo).analyses)
    assert (fresh.rendered, fresh.cached) == (measures, 0)
    again = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert (again.rendered, again.cached) == (0, measures)
    assert again.svgs == fresh.svgs


@pytest.mark.slow
def test_editing_one_csv_draws_exactly_that_chart(repo: Path, warm: tuple[Path, Charts]) -> None:
    _edit_churn_csv(repo)
    announced: list[str] = []
    inspection = _inspect(repo)
    result = prepare_charts(
        inspection.repo.measures,
        inspection.analyses,
        ChartCache(repo / "cache"),
        workers=1,
        announce=lambda missing, cached: announced.append(
            chart_cache.progress_line(missing, cached)
        ),
    )
    assert announced == ["Rendering 1 chart (5 cached)"]
    assert (result.rendered, result.cached) == (1, 5)
    assert result.svgs[CHURN] != warm[1].svgs[CHURN]
    assert {k: v for k, v in result.svgs.items() if k != CHURN} == {
        k: v for k, v in warm[1].svgs.items() if k != CHURN
    }
    assert result.svgs == _prepare(inspection, None).svgs


@pytest.mark.slow
def test_a_site_setting_that_changes_the_analysis_redraws_every_chart(repo: Path) -> None:
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("rules: wheeler", "rules: pump"))
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert result.cached == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["__version__", "CACHE_FORMAT"])
def test_another_pumpsite_version_or_cache_format_redraws_every_chart(
    repo: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(chart_cache, name, "0.0.0-other" if name == "__version__" else 999)
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert result.cached == 0


def test_the_code_fingerprint_is_of_the_whole_package() -> None:
    assert Path(pumpsite.__file__).parent == chart_cache.PACKAGE
    assert code_fingerprint() == code_fingerprint(chart_cache.PACKAGE)


@pytest.mark.slow
def test_an_edit_to_any_module_of_any_subpackage_changes_the_code_fingerprint(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pumpsite"
    shutil.copytree(chart_cache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    modules = sorted(package.rglob("*.py"))
    assert {package / "render" / "chart", package / "build", package / "diff"} <= {
        m.parent for m in modules
    }
    before = code_fingerprint(package)
    for module in modules:
        source = module.read_bytes()
        module.write_bytes(source + b"\n# an edit\n")
        assert code_fingerprint(package) != before, module.relative_to(package)
        module.write_bytes(source)
    assert code_fingerprint(package) == before


def test_a_module_moved_to_another_subpackage_changes_the_code_fingerprint(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pumpsite"
    shutil.copytree(chart_cache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_fingerprint(package)
    (package / "render" / "chart" / "plan.py").rename(package / "render" / "plan.py")
    assert code_fingerprint(package) != before


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff\xfe binary \x89PNG")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _edit_svg(path: Path) -> None:
    entry = json.loads(path.read_text())
    entry["svgs"]["full"] = entry["svgs"]["full"].replace("<title", "<title>poison</title><title")
    path.write_text(json.dumps(entry))


def _edit_description(path: Path) -> None:
    entry = json.loads(path.read_text())
    entry["description"] = "Nothing to see here."
    path.write_text(json.dumps(entry))


def _other_measures_entry(path: Path) -> None:
    shutil.copyfile(path.with_name("new-customers.json"), path)


def _wrong_types(path: Path) -> None:
    path.write_text(json.dumps({"format": 1, "key": [], "svgs": "x", "checksum": None}))


def _a_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _garbage,
        _empty,
        _edit_svg,
        _edit_description,
        _other_measures_entry,
        _wrong_types,
        _a_folder,
    ],
)
def test_a_damaged_entry_is_ignored_and_its_chart_drawn_again(
    repo: Path, warm: tuple[Path, Charts], damage: Callable[[Path], None]
) -> None:
    damage(_entry(repo))
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert (result.rendered, result.cached) == (1, 5)
    assert result.svgs == warm[1].svgs
    assert "poison" not in result.svgs[CHURN][1]["full"]


def _forge(path: Path, inspection: Inspection, poison: str) -> None:
    """An entry for the churn chart as `inspection` has it, with a valid checksum, holding SVGs
    that are not the chart."""
    measure, analysis = inspection.repo.measures[CHURN], inspection.analyses[CHURN]
    key = chart_key(measure, analysis, code_fingerprint())
    description = read_measure(measure, analysis).summary
    ChartCache(path.parent).put(CHURN, key, (description, {"full": poison, "small": poison}))


@pytest.mark.slow
def test_a_stale_entry_from_other_inputs_is_ignored(repo: Path) -> None:
    before = _inspect(repo)
    _forge(_entry(repo), before, "<svg>stale</svg>")
    _edit_churn_csv(repo)
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert (result.rendered, result.cached) == (1, 5)
    assert "stale" not in result.svgs[CHURN][1]["full"]


def test_entries_are_written_whole_and_leftovers_pruned(repo: Path) -> None:
    (repo / "cache" / f"{CHURN}.json.4242.tmp").write_text('{"half')
    (repo / "cache" / "removed-measure.json").write_text("{}")
    _prepare(_inspect(repo), ChartCache(repo / "cache"))
    names = sorted(p.name for p in (repo / "cache").iterdir())
    assert names == sorted(f"{m}.json" for m in _inspect(repo).analyses)


@pytest.mark.slow
def test_an_unwritable_cache_only_makes_the_build_slower(repo: Path) -> None:
    shutil.rmtree(repo / "cache")
    (repo / "cache").write_text("a file where the cache folder should be")
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert result.rendered == len(result.svgs) > 0


@pytest.mark.slow
def test_charts_drawn_in_worker_processes_are_byte_identical(warm: tuple[Path, Charts]) -> None:
    inspection = _inspect(warm[0].parent)
    jobs = [
        Job(inspection.repo.measures[i], a, read_measure(inspection.repo.measures[i], a).summary)
        for i, a in sorted(inspection.analyses.items())
    ]
    parallel = chart_cache.render_in_processes(jobs, workers=2)
    assert parallel == [warm[1].svgs[job.measure.id][1] for job in jobs]


def test_rewriting_the_project_keeps_the_cache(tmp_path: Path) -> None:
    entry = tmp_path / CACHE_DIR / "m.json"
    entry.parent.mkdir(parents=True)
    entry.write_text("{}")
    engine.write_project(tmp_path, {"docs/a.md": "A", "docs/old.md": "old"})
    engine.write_project(tmp_path, {"docs/a.md": "A"})
    assert not (tmp_path / "docs" / "old.md").exists()
    assert entry.read_text() == "{}"


# --- through build and the command line -------------------------------------------------------


@pytest.mark.slow
def test_a_rebuild_after_editing_one_csv_draws_one_chart(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    cold = build(root, today=TODAY)
    assert (cold.charts_rendered, cold.charts_cached) == (6, 0)
    laps = {"load", "check", "analyse", "charts", "pages", "write", "engine", "swap"}
    assert set(cold.timings) == laps
    assert (root / engine.PROJECT_DIR / CACHE_DIR / f"{CHURN}.json").is_file()
    _edit_churn_csv(root)
    steps: list[str] = []
    warm = build(root, today=TODAY, progress=steps.append)
    assert (warm.charts_rendered, warm.charts_cached) == (1, 5)
    assert "Rendering 1 chart (5 cached)" in steps
    uncached = build(root, today=TODAY, site_dir=tmp_path / "uncached", cache=False)
    assert uncached.charts_rendered == 6
    for measure in warm.inspection.repo.measures:
        page = f"measures/{measure}.html"
        assert (root / "site" / page).read_bytes() == (tmp_path / "uncached" / page).read_bytes()
    assert "3.95" in (root / "site" / "measures" / f"{CHURN}.html").read_text()


@pytest.mark.slow
def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    cache_root = root / engine.PROJECT_DIR / CACHE_DIR
    forged = '<svg xmlns="http://www.w3.org/2000/svg"><title>forged</title></svg>'
    _forge(cache_root / f"{CHURN}.json", _inspect(root), forged)

    result = CliRunner().invoke(cli, ["build", "--no-cache", "--as-of", str(TODAY), str(root)])
    assert result.exit_code == 0, result.output
    assert "6 charts drawn, 0 from the cache" in result.output
    assert "forged" not in (root / "site" / "measures" / f"{CHURN}.html").read_text()
    assert [p.name for p in cache_root.iterdir()] == [f"{CHURN}.json"]

    # With the cache, an entry this computer signed for these inputs, shaped as a chart, is used.
    result = CliRunner().invoke(cli, ["build", "--as-of", str(TODAY), str(root)])
    assert result.exit_code == 0, result.output
    assert "5 charts drawn, 1 from the cache" in result.output
    assert "forged" in (root / "site" / "measures" / f"{CHURN}.html").read_text()


@pytest.mark.slow
def test_a_build_with_every_chart_cached_does_not_import_matplotlib(tmp_path: Path) -> None:
    """matplotlib takes about a second to import: only a build that draws pays for it."""
    root = copy_example(tmp_path / "repo")
    assert build(root, today=TODAY).charts_rendered == 6
    script = (
        "import sys\nfrom datetime import date\nfrom pathlib import Path\n"
        "from pumpsite.build.run import build\n"
        f"result = build(Path({str(root)!r}), today=date.fromisoformat({TODAY.isoformat()!r}))\n"
        "print(result.ok, result.charts_rendered, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["True", "0", "False"], done.stderr


# --- a cache from the repository ----------------------------------------------------------------


def _poisoned(path: Path, attacker_secret: bytes) -> None:
    """The entry with a script in its charts, and every integrity field recomputed as someone
    without this computer's key can: the plain checksum the cache once had, and a signature
    made with the attacker's own key."""
    entry = json.loads(path.read_text())
    script = "<script>alert('XSS-cache')</script>"
    entry["svgs"] = {
        size: svg.replace("<title", script + "<title", 1) for size, svg in entry["svgs"].items()
    }
    payload = json.dumps([entry["description"], entry["svgs"]], sort_keys=True, ensure_ascii=False)
    entry["checksum"] = hashlib.sha256(payload.encode()).hexdigest()
    signed = [entry["format"], entry["measure"], entry["key"], entry["description"], entry["svgs"]]
    text = json.dumps(signed, sort_keys=True, ensure_ascii=False).encode()
    entry["signature"] = hmac.new(attacker_secret, text, hashlib.sha256).hexdigest()
    path.write_text(json.dumps(entry, ensure_ascii=False))


@pytest.mark.slow
@pytest.mark.usefixtures("isolated_git")
def test_a_cache_entry_committed_to_the_repository_is_not_trusted_on_a_fresh_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request commits `.pumpsite/cache/…` with `git add -f`: the reviewer's or CI's
    build of a fresh clone must draw the chart, not take the committed one."""
    attacker = make_repo(tmp_path / "attacker", {})
    shutil.copytree(BASE, attacker, dirs_exist_ok=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attackers-cache"))
    assert build(attacker, today=TODAY).charts_rendered == 1
    entry = attacker / engine.PROJECT_DIR / CACHE_DIR / "m.json"
    _poisoned(entry, attacker_secret=b"k" * 32)
    git(attacker, "init", "-q")
    git(attacker, "add", "-A")
    git(attacker, "add", "-f", str(entry.relative_to(attacker)))
    git(attacker, "commit", "-q", "-m", "Faster builds")
    git(tmp_path, "clone", "-q", "--bare", str(attacker), "shared.git")
    git(tmp_path, "clone", "-q", "shared.git", "reviewer")
    reviewer = tmp_path / "reviewer"
    assert (reviewer / entry.relative_to(attacker)).is_file(), "the clone has the entry"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "reviewers-cache"))
    result = build(reviewer, today=TODAY)
    assert result.ok and result.site_dir is not None
    assert (result.charts_rendered, result.charts_cached) == (1, 0)
    text = "".join(page.read_text() for page in result.site_dir.rglob("*.html"))
    assert "XSS-cache" not in text
    assert browse(result.site_dir) == []


@pytest.mark.slow
def test_svg_from_the_cache_must_be_shaped_as_a_chart(
    repo: Path, warm: tuple[Path, Charts]
) -> None:
    """Even an entry this computer signed is not trusted to be safe."""
    poison = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    _forge(_entry(repo), _inspect(repo), poison)
    result = _prepare(_inspect(repo), ChartCache(repo / "cache"))
    assert (result.rendered, result.cached) == (1, 5)
    assert result.svgs == warm[1].svgs


@pytest.mark.parametrize(
    "svg",
    [
        "<script>alert(1)</script>",
        '<use href="javascript:alert(1)"/>',
        '<g onmouseover="alert(1)"></g>',
        "</svg><img src=x onerror=alert(1)><svg>",
        '<path style="fill: url(https://tracker.example/pixel)"/>',
        '<path style="fill: u&#114;l(https://tracker.example/pixel)"/>',
        "<foreignObject><div>x</div></foreignObject>",
    ],
)
def test_what_no_chart_holds(svg: str) -> None:
    assert not chart_cache.chart_shaped(f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>')


def test_every_chart_pumpsite_draws_is_shaped_as_a_chart(warm: tuple[Path, Charts]) -> None:
    """Else the cache would miss for ever: a new element or attribute in chart_svg belongs in
    chart_shaped too."""
    for _, svgs in warm[1].svgs.values():
        assert all(chart_cache.chart_shaped(svg) for svg in svgs.values())


@pytest.mark.slow
def test_with_no_place_for_the_key_the_cache_is_neither_read_nor_written(
    repo: Path, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    cache = ChartCache(repo / "cache", secret_folder=not_a_folder / "sub")
    before = {p.name: p.read_bytes() for p in (repo / "cache").iterdir()}
    result = _prepare(_inspect(repo), cache)
    assert result.cached == 0
    assert {p.name: p.read_bytes() for p in (repo / "cache").iterdir()} == before


def test_the_key_is_kept_outside_the_repository_and_private(tmp_path: Path) -> None:
    first = chart_cache.cache_secret(tmp_path / "cache")
    assert first is not None and chart_cache.cache_secret(tmp_path / "cache") == first
    key_file = tmp_path / "cache" / chart_cache.SECRET_FILE
    assert key_file.stat().st_mode & 0o077 == 0


# --- only the sizes pages name -------------------------------------------------------------------


def test_the_sizes_a_page_names_are_found_by_their_markers() -> None:
    pages = [
        f"# A\n{ChartRef('a', 'full')}\n{ChartRef('a', 'spark')}\n{ChartRef('b-2', 'small')}",
        f"{ChartRef('b-2', 'full')} {RESULTS_MAP} {ChartRef('assurance-pass', 'icon')}",
        "<!--pumpsite-chart:full-->, <!--pumpsite-chart:small-c",
    ]
    assert measure_charts_named(pages) == {"a": {"full"}, "b-2": {"small", "full"}}


@pytest.mark.slow
def test_a_measure_is_drawn_at_the_sizes_wanted_and_its_entry_serves_no_other(
    repo: Path, warm: tuple[Path, Charts]
) -> None:
    inspection = _inspect(repo)
    shutil.rmtree(repo / "cache")
    cache = ChartCache(repo / "cache")
    others = {i: {"full", "small"} for i in inspection.analyses if i != CHURN}
    wanted: dict[str, set[ChartSize]] = {CHURN: {"full"}, **others}

    def prepare() -> Charts:
        measures, analyses = inspection.repo.measures, inspection.analyses
        return prepare_charts(measures, analyses, cache, wanted=wanted, workers=1)

    first = prepare()
    assert set(first.svgs[CHURN][1]) == {"full"}
    assert first.svgs[CHURN][1]["full"] == warm[1].svgs[CHURN][1]["full"]
    assert set(json.loads(_entry(repo).read_text())["svgs"]) == {"full"}
    wanted[CHURN] = {"full", "small"}  # the measure's small chart is now on a page
    second = prepare()
    assert (second.rendered, second.svgs[CHURN]) == (1, warm[1].svgs[CHURN])
    wanted[CHURN] = {"small"}
    third = prepare()
    assert (third.rendered, third.svgs[CHURN][1]) == (0, {"small": warm[1].svgs[CHURN][1]["small"]})
    del wanted[CHURN]
    assert CHURN not in prepare().svgs
    assert not _entry(repo).exists()


@pytest.mark.slow
def test_a_build_draws_the_charts_its_pages_name_and_no_other(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    assert build(root, today=TODAY).ok
    project = root / engine.PROJECT_DIR
    named = measure_charts_named(p.read_text() for p in (project / "docs").rglob("*.md"))
    drawn = {
        entry.stem: set(json.loads(entry.read_text())["svgs"])
        for entry in (project / CACHE_DIR).glob("*.json")
    }
    assert drawn == named
    themed = {p.stem for p in (project / "overrides" / engine.CHART_FOLDER).glob("*.html")}
    assert {f"{size}-{m}" for m, sizes in drawn.items() for size in sizes} <= themed

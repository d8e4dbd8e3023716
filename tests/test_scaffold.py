"""`pumpsite init` and `pumpsite new`: starter files that pass `pumpsite check`, a new repository
that builds at once, workflows GitHub accepts, and refusals that never overwrite a file."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pumpsite import cli as cli_module
from pumpsite.build.run import build
from pumpsite.checks.inspection import inspect
from pumpsite.cli import cli
from pumpsite.install_spec import running_spec
from pumpsite.load.repo import load_repo
from pumpsite.scaffold import TEMPLATES, init_repo, new_measure, yaml_scalar
from tests.example_site import ROOT, TODAY, copy_example, tree_snapshot
from tests.git_helpers import commit_all, git, isolated_git

__all__ = ["isolated_git"]

EXPECTED_FILES = {
    ".github/workflows/publish.yml",
    ".github/workflows/pull-data.yml",
    ".github/workflows/pull-request.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "data/on-time-delivery.csv",
    "glossary.yml",
    "measures/on-time-delivery.md",
    "measures/orders-arrive-on-time.md",
    "mkdocs.yml",
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "acme-measures"
    init_repo(root, TODAY)
    return root


def codes(root: Path) -> list[str]:
    return [p.code for p in inspect(root, today=TODAY).problems]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


# --- init -------------------------------------------------------------------------------------


def test_init_writes_a_repository_that_checks_clean(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "acme-measures"))
    assert code == 0, err
    root = tmp_path / "acme-measures"
    assert set(tree_snapshot(root)) == EXPECTED_FILES
    assert codes(root) == []
    assert "created mkdocs.yml" in err and "pumpsite build" in err
    settings = yaml.safe_load((root / "mkdocs.yml").read_text())
    assert settings["site_name"] == "Acme measures"


@pytest.mark.slow
def test_the_new_repository_builds_at_once_and_git_ignores_the_output(
    fresh: Path, isolated_git: None
) -> None:
    git(fresh, "init", "-q")
    result = build(fresh, today=TODAY, strict=True)
    assert result.ok, (result.failure, result.problems, result.engine_warnings)
    assert (fresh / "site" / "index.html").is_file() and (fresh / ".pumpsite").is_dir()
    page = (fresh / "site" / "measures" / "on-time-delivery.html").read_text()
    assert "On-time delivery" in page and 'class="pumpsite-chart pumpsite-chart-full"' in page
    untracked = git(fresh, "status", "--porcelain", "--untracked-files=all")
    assert "site/" not in untracked and ".pumpsite" not in untracked
    assert "measures/on-time-delivery.md" in untracked


@pytest.mark.parametrize(
    "ignore",
    [(TEMPLATES / "repo" / "dot-gitignore").read_text(), (ROOT / ".gitignore").read_text()],
    ids=["scaffolded", "this-repository"],
)
def test_pumpsites_output_is_ignored_even_as_links(
    ignore: str, tmp_path: Path, isolated_git: None
) -> None:
    """`/.pumpsite/` matched folders only, so `git add` committed a link named .pumpsite."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".gitignore").write_text(ignore)
    (root / "measures").mkdir()
    (root / "measures" / "g.md").write_text("# A goal\n")
    (root / ".pumpsite").symlink_to(".")
    (root / "site").symlink_to(tmp_path)
    for leftover in ("site.old", "site.new-123"):  # a killed build's, until the next build
        (root / leftover).mkdir()
        (root / leftover / "index.html").write_text("<h1>A site</h1>")
    git(root, "add", "-A")
    assert git(root, "ls-files").splitlines() == [".gitignore", "measures/g.md"]


def test_the_sample_data_ends_last_month_and_starts_the_role(fresh: Path) -> None:
    repo, _ = load_repo(fresh)
    measure = repo.measures["on-time-delivery"]
    assert measure.series is not None
    periods = [str(o.period) for o in measure.series.observations]
    assert periods[-1] == "2026-10" and len(periods) == 24
    assert str(measure.meta.roles[0].start) == "2024-Q4"


def test_init_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    (root / "src").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Mine\n")
    before = tree_snapshot(root)
    code, _, err = run("init", str(root))
    assert code == 1
    assert "is not empty (it has mkdocs.yml, src/)" in err
    assert tree_snapshot(root) == before


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = run("init", str(target))
    assert code in (1, 2) and "file" in err.lower()
    assert target.read_text() == "x"


def test_init_fills_an_empty_git_repository_and_keeps_its_readme(
    tmp_path: Path, isolated_git: None
) -> None:
    root = tmp_path / "measures-repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("# Ours\n")
    (root / "LICENSE").write_text("MIT\n")
    written = init_repo(root, TODAY, site_name="Acme: measures")
    assert written.kept == ["README.md"]
    assert (root / "README.md").read_text() == "# Ours\n"
    assert yaml.safe_load((root / "mkdocs.yml").read_text())["site_name"] == "Acme: measures"
    assert codes(root) == []


# --- the workflow templates -------------------------------------------------------------------


@pytest.mark.slow
def test_workflows_are_valid_github_workflows(fresh: Path) -> None:
    workflows = sorted((fresh / ".github" / "workflows").glob("*.yml"))
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(w) for w in workflows],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pull_request_workflow_checks_builds_and_comments(fresh: Path) -> None:
    text = (fresh / ".github/workflows/pull-request.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["check"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert "pumpsite check --format github" in commands
    assert "pumpsite build --strict" in commands
    diff = next(s for s in steps if s.get("run", "").startswith("pumpsite diff"))
    assert diff["run"].startswith('pumpsite diff "origin/$BASE"')
    assert diff["env"]["BASE"] == "${{ github.base_ref }}"
    comment = next(s for s in steps if "sticky-pull-request-comment" in s.get("uses", ""))
    assert comment["with"]["path"] == "pumpsite-diff.md"
    assert f"run: pip install {shlex.quote(running_spec().spec)}\n" in text  # see test_workflows
    checkout = steps[0]
    assert checkout["with"]["fetch-depth"] == 0
    assert checkout["with"]["persist-credentials"] is False  # no token in .git/config


def test_publish_workflow_publishes_from_main(fresh: Path) -> None:
    workflow = yaml.safe_load((fresh / ".github/workflows/publish.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key 'on' as True
    assert workflow["permissions"]["contents"] == "write"
    runs = " ".join(step.get("run", "") for step in workflow["jobs"]["publish"]["steps"])
    assert "pumpsite publish" in runs and "git config user.email" in runs


def test_pull_data_workflow_pulls_on_a_schedule_into_a_pull_request(fresh: Path) -> None:
    workflow = yaml.safe_load((fresh / ".github/workflows/pull-data.yml").read_text())
    assert workflow[True]["schedule"] == [{"cron": "17 6 * * 1"}]
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = workflow["jobs"]["pull"]["steps"]
    assert steps[0]["with"] == {"fetch-depth": 0, "persist-credentials": False}
    pull = next(s for s in steps if s.get("id") == "pull")
    assert "pumpsite pull" in pull["run"] and pull["continue-on-error"] is True
    describe = next(s for s in steps if "pumpsite diff HEAD" in s.get("run", ""))
    assert "> pumpsite-pull-request.md" in describe["run"]
    request = next(s for s in steps if "create-pull-request" in s.get("uses", ""))
    assert request["with"]["body-path"] == "pumpsite-pull-request.md"
    assert request["with"]["add-paths"] == "data/"
    assert steps[-1]["if"] == "${{ steps.pull.outcome == 'failure' }}"
    # No expression is pasted into a script: inputs reach scripts through the environment.
    assert all("${{" not in step.get("run", "") for step in steps)


@pytest.mark.slow
def test_pre_commit_hook_runs_pumpsite_check(
    fresh: Path, tmp_path: Path, isolated_git: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-cache"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    git(fresh, "init", "-q")
    commit_all(fresh)

    def pre_commit() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
        return subprocess.run(command, cwd=fresh, capture_output=True, text=True)

    clean = pre_commit()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "pumpsite check" in clean.stdout and "Passed" in clean.stdout
    measure = fresh / "measures" / "on-time-delivery.md"
    measure.write_text(measure.read_text().replace("better: up", "better: higher"))
    git(fresh, "add", "-A")
    broken = pre_commit()
    assert broken.returncode == 1
    assert "measures/on-time-delivery.md:8: error:" in broken.stdout


def test_every_template_is_in_the_wheel() -> None:
    settings = (ROOT / "pyproject.toml").read_text()
    patterns = yaml.safe_load(
        settings.split("[tool.setuptools.package-data]")[1].split("]")[0].split("=", 1)[1] + "]"
    )
    package = ROOT / "pumpsite"
    packaged = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    templates = {p for p in Path(str(TEMPLATES)).rglob("*") if p.is_file()}
    assert templates and templates <= packaged


# --- new --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_new_measure_goes_beside_its_goal_and_checks_clean_once_it_has_data(
    tmp_path: Path,
) -> None:
    root = copy_example(tmp_path / "repo")
    code, _, err = run(
        "new", "measure", "renewal-rate", str(root), "--goal", "customers-stay-with-us",
        "--title", "Renewal rate", "--unit", "%", "--owner", "Tom Baker", "--better", "up",
    )  # fmt: skip
    assert code == 0, err
    path = root / "measures" / "customers" / "renewal-rate.md"
    assert path.is_file() and "created measures/customers/renewal-rate.md" in err
    assert (root / "data" / "renewal-rate.csv").read_text() == "period,value\n"
    assert codes(root) == ["PS310"]  # no data yet
    rows = "".join(f"2026-{m:02d},{80 + m % 3}\n" for m in range(1, 11))
    (root / "data" / "renewal-rate.csv").write_text("period,value\n" + rows)
    assert codes(root) == []
    measure = load_repo(root)[0].measures["renewal-rate"]
    assert (measure.meta.title, measure.meta.unit, measure.meta.owner) == (
        "Renewal rate",
        "%",
        "Tom Baker",
    )
    assert measure.meta.roles[0].role == "sustain" and str(measure.meta.roles[0].start) == "2026-Q4"


def test_new_goal_with_a_parent_checks_clean_but_for_having_no_measures(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    code, _, err = run(
        "new", "goal", "invoices-are-right", str(root), "--parent", "customers-delighted",
        "--title", "Invoices are right: first time",
    )  # fmt: skip
    assert code == 0, err
    assert codes(root) == ["PS204"]  # a goal without measures
    goal = load_repo(root)[0].goals["invoices-are-right"]
    assert goal.path == "measures/customers/invoices-are-right.md"
    assert goal.meta.title == "Invoices are right: first time"
    assert goal.meta.parent == "customers-delighted"


def test_new_measure_uses_the_only_goal(fresh: Path) -> None:
    code, _, err = run("new", "measure", "late-orders", str(fresh), "--better", "down")
    assert code == 0, err
    measure = load_repo(fresh)[0].measures["late-orders"]
    assert measure.meta.goal == "orders-arrive-on-time" and measure.meta.better == "down"
    assert measure.meta.title == "Late orders"


def test_new_measure_without_better_writes_a_guess_that_check_asks_to_confirm(
    fresh: Path,
) -> None:
    code, _, err = run("new", "measure", "late-orders", str(fresh))  # not on a terminal
    assert code == 0, err
    assert err.endswith(
        "Which direction is good was not said: better: up? is a guess; confirm it "
        "(pumpsite check warns until then).\n"
    )
    path = fresh / "measures" / "late-orders.md"
    assert "\nbetter: up?  # a guess: which direction is good, up, down or neutral? " in (
        path.read_text()
    )
    guess = [p for p in inspect(fresh, today=TODAY).problems if p.code == "PS122"]
    assert [str(p) for p in guess] == [
        "measures/late-orders.md:9: warning: 'better: up?' is a guess to confirm: which "
        "direction is good for this measure? A wrong one inverts every colour. Write better: up, "
        "better: down or better: neutral; until then it reads as up. [PS122]"
    ]
    path.write_text(path.read_text().replace("better: up?", "better: down"))
    assert "PS122" not in codes(fresh)


def test_new_measure_asks_which_direction_is_good_on_a_terminal(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "_on_a_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["new", "measure", "late-orders", str(fresh)], input="down\n")
    assert result.exit_code == 0, result.output
    assert "Which direction is good for this measure (up, down, neutral): " in result.stderr
    assert load_repo(fresh)[0].measures["late-orders"].meta.better == "down"


def test_starter_notes_are_empty_and_their_guidance_is_yaml_comments(fresh: Path) -> None:
    """The safe renderer shows HTML comments as text: the starters have none."""
    for template in Path(str(TEMPLATES)).rglob("*"):
        assert not template.is_file() or "<!--" not in template.read_text(), template
    run("new", "goal", "orders-are-right", str(fresh))
    run("new", "measure", "wrong-orders", str(fresh), "--goal", "orders-are-right")
    repo = load_repo(fresh)[0]
    assert repo.goals["orders-are-right"].body.strip() == ""
    assert repo.measures["wrong-orders"].body.strip() == ""


def test_new_measure_needs_a_goal_when_there_are_several(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    code, _, err = run("new", "measure", "renewal-rate", str(root))
    assert code == 1
    assert "name it with --goal" in err and "customers-stay-with-us" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "goal", "Bad Id"], "Invalid id 'Bad Id'"),
        (["new", "goal", "Bad Id"], "Try 'bad-id'"),
        (["new", "goal", "on-time-delivery"], "is taken by measures/on-time-delivery.md"),
        (["new", "measure", "ON-TIME-DELIVERY"], "is taken by measures/on-time-delivery.md"),
        (["new", "measure", "Index"], "The id 'Index' is reserved"),
        (["new", "goal", "README"], "The id 'README' is reserved"),
        (["new", "measure", "x", "--goal", "orders-arrive-on-tim"], "Did you mean"),
        (["new", "measure", "x", "--goal", "on-time-delivery"], "is a measure, not a goal"),
        (["new", "goal", "x", "--parent", "nowhere"], "Create it first with pumpsite new goal"),
    ],
)
def test_new_refuses_with_a_clear_message(fresh: Path, args: list[str], message: str) -> None:
    before = tree_snapshot(fresh)
    code, _, err = run(*args[:3], str(fresh), *args[3:])
    assert code == 1
    assert message in err, err
    assert tree_snapshot(fresh) == before


def test_new_outside_a_measures_repository(tmp_path: Path) -> None:
    code, _, err = run("new", "goal", "x", str(tmp_path))
    assert code == 1 and "has no measures/ folder" in err and "pumpsite init" in err


def test_new_measure_keeps_existing_data(fresh: Path) -> None:
    (fresh / "data" / "returns.csv").write_text("period,value\n2026-09,4\n")
    written = new_measure(fresh, "returns", today=TODAY)
    assert written.kept == ["data/returns.csv"]
    assert (fresh / "data" / "returns.csv").read_text() == "period,value\n2026-09,4\n"


@pytest.mark.slow
@given(st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=40))
def test_yaml_scalar_reads_back_as_the_same_text(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_scalar(text)}") == {"key": text}


@pytest.mark.slow
def test_setting_repo_url_links_each_page_to_its_source_file(fresh: Path) -> None:
    settings = fresh / "mkdocs.yml"
    settings.write_text(
        settings.read_text().replace(
            "# repo_url: https://github.com/OWNER/REPOSITORY",
            "repo_url: https://github.com/acme/measures",
        )
    )
    assert build(fresh, today=TODAY).ok
    page = (fresh / "site" / "measures" / "on-time-delivery.html").read_text()
    source = "https://github.com/acme/measures/edit/main/measures/on-time-delivery.md"
    button = re.search(r'<a href="([^"]*)"[^>]*rel="edit"', page)
    assert button is not None and button.group(1) == source


def test_new_action_checks_clean_and_is_planned_from_today(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    code, _, err = run(
        "new", "action", "faster-replies", str(root), "--measure", "response-time-days",
        "--owner", "Maria Lopez",
    )  # fmt: skip
    assert code == 0, err
    assert codes(root) == []
    action = load_repo(root)[0].actions["faster-replies"]
    assert action.path == "measures/actions/faster-replies.md"
    assert action.meta.goal == "clients-answered-quickly"
    assert [(s.status, s.date) for s in action.meta.status] == [("planned", TODAY)]
    assert action.body.strip() == ""  # the guidance is in YAML comments, never in the notes


def test_new_action_names_an_existing_measure(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    code, _, err = run("new", "action", "a", str(root), "--measure", "customer-chrun")
    assert code == 1
    assert "There is no measure 'customer-chrun' (named by --measure). Did you mean " in err

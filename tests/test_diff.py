"""`pumpsite diff`: real git repositories with real commits, through click's runner, and the
comparison and the report on their own."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pumpsite import cli as cli_module
from pumpsite.checks.inspection import Inspection, inspect
from pumpsite.cli import cli
from pumpsite.diff import Change, Diff, compare, render_markdown
from pumpsite.diff.compare import find_renames
from pumpsite.diff.report import MARKER, NO_NEWS, WORD_JOINER
from pumpsite.gitstate import Revision
from pumpsite.problems import Problem
from tests.example_site import TODAY, copy_example, tree_snapshot
from tests.git_helpers import commit_all, git, isolated_git

__all__ = ["isolated_git"]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch, isolated_git: None) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example repository, committed on `main`."""
    root = copy_example(tmp_path / "measures-repo")
    git(root, "init", "-q")
    commit_all(root, "The example measures")
    return root


def diff(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["diff", *args])
    assert "Traceback" not in result.output
    return result


def news(root: Path, head: str = ".") -> str:
    """The Markdown comment of `pumpsite diff main HEAD ROOT`."""
    result = diff("main", head, str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(MARKER + "\n")
    return result.stdout


def measure_file(root: Path, measure_id: str) -> Path:
    return next((root / "measures").rglob(f"{measure_id}.md"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append_rows(root: Path, measure_id: str, *rows: str) -> None:
    with (root / "data" / f"{measure_id}.csv").open("a", encoding="utf-8") as csv:
        csv.writelines(f"{row}\n" for row in rows)


def drop_last_rows(root: Path, measure_id: str, count: int) -> None:
    path = root / "data" / f"{measure_id}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-count]), encoding="utf-8")


def section(markdown: str, title: str) -> str:
    """The lines under the `#### title` heading, up to the next blank line."""
    start = markdown.index(f"#### {title}")
    end = markdown.find("\n\n", start)
    return markdown[start : end if end >= 0 else None].rstrip("\n")


# --- the command on real commits --------------------------------------------------------------


def test_nothing_changed_is_no_news(repo: Path) -> None:
    text = news(repo)
    assert NO_NEWS in text
    assert "`main` (" in text and "the working tree" in text and "2026-11-23" in text
    assert "####" not in text


def test_a_role_change_is_told_with_its_quarter(repo: Path) -> None:
    edit(
        measure_file(repo, "customer-satisfaction"),
        "No target, no improvement project.\n",
        "No target, no improvement project.\n"
        "  - {from: 2027-Q1, role: improve, target: 96, deadline: 2027-06-30, owner: Aisha Khan}\n",
    )
    edit(
        measure_file(repo, "downtime-percent"),
        "  - from: 2026-Q4\n    role: sustain",
        "  - from: 2027-Q1\n    role: sustain",
    )
    text = news(repo)
    satisfaction = section(text, "Customer satisfaction")
    assert "From 2027-Q1: **KPI → key result**; target 96; deadline 2027-06-30" in satisfaction
    downtime = section(text, "Downtime per week")
    assert "From 2026-Q4: **KPI → key result**" in downtime  # the key result now lasts a quarter
    assert "2027-Q1" not in downtime  # from 2027-Q1 both sides say KPI: no news there
    assert "2 role changes" in text.split("\n**In short:** ")[1].split("\n")[0]


def test_a_moved_target_and_what_it_does_to_assurance(repo: Path) -> None:
    edit(measure_file(repo, "customer-complaints"), "target: 10\n", "target: 15\n")
    edit(measure_file(repo, "customer-complaints"), "deadline: 2026-12-31", "deadline: 2027-03-31")
    text = section(news(repo), "Customer complaints per month")
    assert "From 2026-Q1: target 10 → 15; deadline 2026-12-31 → 2027-03-31" in text
    # 10 was below the new phase's lower limit (12.2); 15 sits between the limits.
    assert "Target 15: **hit or miss** (was not met unless the process changes)" in text


def test_assurance_cannot_be_judged_when_the_latest_value_leaves_the_limits(repo: Path) -> None:
    append_rows(repo, "customer-complaints", "2026-11,25,")  # above the new phase's 17.5
    text = section(news(repo), "Customer complaints per month")
    assert (
        "- Target 10: **can't be judged until a new phase: the latest values are signals** "
        "(was not met unless the process changes)\n" in text + "\n"
    )
    assert "consistently" not in text


def test_new_data_with_a_signal_between_two_commits(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "november")
    append_rows(repo, "customer-satisfaction", "2026-11,89.0")
    append_rows(repo, "customer-churn", "2026-11,4.9")
    commit_all(repo, "November data")
    text = news(repo, "november")
    assert "→ `november` (" in text
    satisfaction = section(text, "Customer satisfaction")
    # One event: the jump into the low value is part of it, not a second signal.
    assert "- **New signal** at 2026-11: Point beyond the limits (concern)\n" in satisfaction + "\n"
    assert "Data: 1 new value (2026-11)" in satisfaction
    # Churn's long run goes on with November: not news, so churn has no section of its own.
    assert "#### Monthly customer churn" not in text
    assert "**New data, nothing else to tell:** Monthly customer churn (2026-11)." in text


def test_a_phase_clears_signals_and_moves_the_limits(repo: Path) -> None:
    churn = measure_file(repo, "customer-churn")
    edit(
        churn,
        "events:\n",
        "limits:\n  phases:\n    - {from: 2026-02, reason: Price rise}\nevents:\n",
    )
    text = section(news(repo), "Monthly customer churn")
    assert (
        "- **Cleared signals** at 2026-10: Point beyond the limits (concern); "
        "Run of 9 on one side (concern); 3 of 4 beyond the halfway line (concern)\n" in text
    )
    assert "New phase from 2026-02: “Price rise”" in text
    assert "(were 3.147 to 4.771, central line 3.958)" in text


def test_a_renamed_measure_is_one_rename(repo: Path) -> None:
    git(repo, "mv", "measures/customers/response-time-days.md", "measures/customers/reply-time.md")
    git(repo, "mv", "data/response-time-days.csv", "data/reply-time.csv")
    text = news(repo)
    assert section(text, "Average response time to clients · `reply-time`").endswith(
        "- Renamed from `response-time-days`"
    )
    assert "**In short:** 1 measure renamed." in text
    assert "New measure" not in text and "Removed" not in text


def test_a_renamed_goal_does_not_edit_its_measures(repo: Path) -> None:
    old = repo / "measures/customers/customers-stay-with-us.md"
    git(repo, "mv", str(old), str(old.with_name("customers-stay.md")))
    edit(
        measure_file(repo, "customer-churn"), "goal: customers-stay-with-us", "goal: customers-stay"
    )
    edit(
        measure_file(repo, "no-customer-complaints"),
        "parent: customers-stay-with-us",
        "parent: customers-stay",
    )
    text = news(repo)
    assert (
        "- **Customers stay with us** (`customers-stay`): renamed from `customers-stay-with-us`"
        in text
    )
    assert text.count("####") == 1  # only the Goals heading: churn just follows the rename


def test_definition_fields_edited(repo: Path) -> None:
    new_customers = measure_file(repo, "new-customers")
    edit(new_customers, "unit: customers", "unit: accounts")
    edit(new_customers, "first paid invoice is dated", "first invoice is paid")
    edit(new_customers, "better: up", "better: neutral")
    text = section(news(repo), "New customers per month")
    assert "Edited: unit “customers” → “accounts”; better “up” → “neutral”; formula" in text
    assert "Target 60" not in text  # no direction is better: no assurance to tell


def test_stale_data(repo: Path) -> None:
    drop_last_rows(repo, "downtime-percent", 3)
    text = section(news(repo), "Downtime per week")
    assert "**Stale data**: latest value 2026-W44 (was 2026-W47), expected 2026-W47" in text
    assert "Data: 3 removed values (2026-W45, 2026-W46, 2026-W47)" in text


@pytest.mark.slow
def test_both_sides_are_read_at_one_report_date(repo: Path) -> None:
    # At 2027-03-01 every measure is months behind on both sides: that is not news.
    result = diff("main", ".", str(repo), "--as-of", "2027-03-01")
    assert result.exit_code == 0
    assert NO_NEWS in result.stdout and "2027-03-01" in result.stdout
    # The report date written in HEAD's mkdocs.yml applies to the base too.
    edit(repo / "mkdocs.yml", "as_of: 2026-11-23", "as_of: 2027-03-01")
    text = news(repo)
    assert "**Site settings:** report date 2026-11-23 → 2027-03-01." in text
    assert "Stale" not in text


def test_errors_in_head_come_first(repo: Path) -> None:
    edit(measure_file(repo, "customer-churn"), "better: down", "better: lower")
    edit(measure_file(repo, "new-customers"), "frequency: monthly", "frequency: mnthly")
    text = news(repo)
    assert text.index("**This version has 2 errors.**") < text.index("**In short:**")
    assert "> - `measures/customers/customer-churn.md:" in text and "[PS107]" in text
    assert "- Left out: its file has errors now" in section(text, "Monthly customer churn")
    assert "Removed" not in text
    assert "**In short:** 2 measures left out (errors)." in text


def test_a_file_fixed_since_the_base_is_readable_again(repo: Path) -> None:
    churn = measure_file(repo, "customer-churn")
    edit(churn, "better: down", "better: lower")
    commit_all(repo, "A broken measure")
    edit(churn, "better: lower", "better: down")
    text = news(repo)
    assert "- Readable again: its file had errors at the base" in section(
        text, "Monthly customer churn"
    )
    assert "New measure" not in text and "This version has" not in text


@pytest.mark.slow
def test_json_format(repo: Path) -> None:
    edit(measure_file(repo, "customer-complaints"), "target: 10\n", "target: 15\n")
    result = diff("main", ".", str(repo), "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["base"]["ref"] == "main" and len(document["base"]["commit"]) == 40
    assert document["head"] is None and document["report_date"] == "2026-11-23"
    target = next(c for c in document["changes"] if c["kind"] == "target")
    assert target == {
        "subject": "measure",
        "id": "customer-complaints",
        "title": "Customer complaints per month",
        "kind": "target",
        "key": "target",
        "label": "target",
        "at": "2026-Q1",
        "before": 10.0,
        "after": 15.0,
    }


@pytest.mark.slow
def test_two_revisions_leave_the_working_tree_alone(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "edits")
    edit(measure_file(repo, "customer-complaints"), "target: 10\n", "target: 12\n")
    commit_all(repo, "Target 12")
    git(repo, "switch", "-q", "main")
    append_rows(repo, "customer-churn", "2026-11,9.9")  # uncommitted, and not part of the diff
    before, status = tree_snapshot(repo), git(repo, "status", "--porcelain")
    text = news(repo, "edits")
    assert "target 10 → 12" in text and "churn" not in text
    assert tree_snapshot(repo) == before and git(repo, "status", "--porcelain") == status
    assert git(repo, "branch", "--show-current") == "main"


def test_a_measures_folder_inside_a_bigger_repository(tmp_path: Path) -> None:
    top = tmp_path / "company"
    root = copy_example(top / "performance")
    (top / "README.md").write_text("Other things\n")
    git(top, "init", "-q")
    commit_all(top, "Everything")
    drop_last_rows(root, "customer-churn", 1)
    text = news(root)
    assert "Data: 1 removed value (2026-10)" in section(text, "Monthly customer churn")


def test_git_trouble_is_a_clear_message_and_exit_2(repo: Path, tmp_path: Path) -> None:
    unknown = diff("no-such-branch", ".", str(repo))
    assert unknown.exit_code == 2
    assert "Unknown git revision 'no-such-branch'" in unknown.stderr
    bad_head = diff("main", "HEAD~5", str(repo))
    assert bad_head.exit_code == 2 and "'HEAD~5'" in bad_head.stderr
    plain = copy_example(tmp_path / "not-git")
    outside = diff("main", ".", str(plain))
    assert outside.exit_code == 2
    assert "is not inside a git repository" in outside.stderr
    folder_as_head = diff("main", str(plain))
    assert folder_as_head.exit_code == 2
    assert f"write: pumpsite diff BASE . {plain}" in folder_as_head.stderr


def test_a_folder_missing_at_the_base_revision(tmp_path: Path) -> None:
    top = tmp_path / "company"
    (top / "docs").mkdir(parents=True)
    (top / "docs" / "x.txt").write_text("x\n")
    git(top, "init", "-q")
    commit_all(top, "Before the measures")
    root = copy_example(top / "performance")
    result = diff("main", ".", str(root))
    assert result.exit_code == 2
    assert "The folder performance does not exist at 'main'" in result.stderr


def november_review(root: Path) -> None:
    """The pull request shown in the README."""
    for measure_id, row in (
        ("customer-satisfaction", "2026-11,89.0"),
        ("customer-churn", "2026-11,4.9"),
        ("new-customers", "2026-11,58,"),
        ("customer-complaints", "2026-11,12,"),
    ):
        append_rows(root, measure_id, row)
    complaints = measure_file(root, "customer-complaints")
    edit(complaints, "target: 10\n", "target: 15\n")
    edit(complaints, "deadline: 2026-12-31", "deadline: 2027-03-31")
    edit(
        measure_file(root, "customer-satisfaction"),
        "No target, no improvement project.\n",
        "No target, no improvement project.\n"
        "  - {from: 2027-Q1, role: improve, target: 95, deadline: 2027-06-30, owner: Aisha Khan}\n",
    )
    old = measure_file(root, "response-time-days")
    old.rename(old.with_name("first-reply-days.md"))
    (root / "data/response-time-days.csv").rename(root / "data/first-reply-days.csv")
    edit(
        measure_file(root, "first-reply-days"), "October 2025, Freshdesk", "October 2025; Freshdesk"
    )


def test_the_readme_example_is_what_the_command_prints(repo: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shown = re.search(
        r"```console\n\$ pumpsite diff main\n```\n.*?```markdown\n(.*?)```", readme, re.S
    )
    assert shown, "the README shows `pumpsite diff main` and its output"
    november_review(repo)
    printed = news(repo)
    assert re.sub(r"\([0-9a-f]{7}\)", "(…)", printed) == re.sub(r"\([0-9a-f]{7}\)", "(…)", shown[1])


# --- the comparison on its own ------------------------------------------------------------------

BASE = Revision("main", "0123456789abcdef0123456789abcdef01234567")


@pytest.fixture(scope="module")
def example_inspection(tmp_path_factory: pytest.TempPathFactory) -> Inspection:
    return inspect(copy_example(tmp_path_factory.mktemp("base")), today=TODAY)


def inspect_edited(tmp_path: Path, change: str, *edits: tuple[str, str, str]) -> Inspection:
    root = copy_example(tmp_path / change)
    for measure_id, old, new in edits:
        edit(measure_file(root, measure_id), old, new)
    return inspect(root, today=TODAY)


def test_identical_states_have_no_changes(example_inspection: Inspection, tmp_path: Path) -> None:
    assert compare(example_inspection, inspect_edited(tmp_path, "same")) == []


def test_a_target_difference_is_told_once(example_inspection: Inspection, tmp_path: Path) -> None:
    # A later role repeats the new target: the change shows at 2026-Q4 only.
    head = inspect_edited(
        tmp_path,
        "target",
        ("customer-churn", "target: 2.5\n", "target: 2\n"),
        (
            "customer-churn",
            "events:\n",
            "  - {from: 2027-Q2, role: improve, target: 2, deadline: 2027-03-31}\nevents:\n",
        ),
    )
    edit_yaml = [c for c in compare(example_inspection, head) if c.kind == "target"]
    assert [(c.at, c.before, c.after) for c in edit_yaml] == [("2026-Q4", 2.5, 2.0)]


def test_changes_are_in_head_order_and_typed(
    example_inspection: Inspection, tmp_path: Path
) -> None:
    head = inspect_edited(tmp_path, "unit", ("customer-churn", 'unit: "%"', "unit: percent"))
    assert compare(example_inspection, head) == [
        Change("measure", "customer-churn", "Monthly customer churn", "field", "unit", "unit",
               before="%", after="percent"),
    ]  # fmt: skip


def test_a_corrected_baseline_value_moves_the_limits(
    example_inspection: Inspection, tmp_path: Path
) -> None:
    root = copy_example(tmp_path / "corrected")
    edit(root / "data/customer-churn.csv", "2024-03,4.15", "2024-03,3.95")
    changes = compare(example_inspection, inspect(root, today=TODAY))
    assert [(c.kind, c.key, c.at, c.after) for c in changes if c.kind == "data"] == [
        ("data", "corrected", "2024-03", 1)
    ]
    moved = next(c for c in changes if c.kind == "limits_moved")
    assert moved.before == "3.147 to 4.771, central line 3.958"
    # 0.2 less in one of 20 baseline points: the centre drops by 0.01, and the two moving
    # ranges around March shrink, so the limits close in.
    assert moved.after == "3.192 to 4.705, central line 3.949"


def test_a_broken_file_is_not_taken_for_a_rename(
    example_inspection: Inspection, tmp_path: Path
) -> None:
    root = copy_example(tmp_path / "broken")
    churn = measure_file(root, "customer-churn")
    shutil.copy(churn, churn.with_name("churn-copy.md"))
    shutil.copy(root / "data/customer-churn.csv", root / "data/churn-copy.csv")
    edit(churn, "better: down", "better: lower")
    changes = compare(example_inspection, inspect(root, today=TODAY))
    kinds = {(c.id, c.kind) for c in changes if c.kind in ("renamed", "added", "unreadable")}
    assert kinds == {("churn-copy", "added"), ("customer-churn", "unreadable")}


def test_limits_settings(example_inspection: Inspection, tmp_path: Path) -> None:
    downtime = "downtime-percent"
    head = inspect_edited(
        tmp_path,
        "limits",
        (downtime, "limits:\n  exclude:", "limits:\n  baseline: 12\n  rules: pump\n  exclude:"),
        (downtime, "    - period: 2024-W38\n", "    - period: 2024-W39\n"),
        (downtime, "The most problematic modules", "The slowest modules"),
    )
    diff = Diff(BASE, None, TODAY, compare(example_inspection, head))
    text = section(render_markdown(diff), "Downtime per week")
    for line in (
        "- Baseline: first 20 points → first 12 points",
        "- Signal rules: site-wide → pump",
        "- Phase from 2026-W24: reason edited",
        "- 2024-W38 back in the limits",
        "- 2024-W39 left out of the limits: “Power failure at the hosting provider (11.5 hours",
    ):
        assert f"\n{line}" in text


def test_find_renames_needs_an_unambiguous_match() -> None:
    # Two old items share the title "A": that fingerprint proves nothing.
    old = {"a1": {("title", "a")}, "a2": {("title", "a")}, "b": {("title", "b"), ("data", 1)}}
    new = {"a3": {("title", "a")}, "b2": {("title", "x"), ("data", 1)}}
    assert find_renames(old, new) == {"b": "b2"}
    # The pair sharing more fingerprints wins over a weaker one.
    old = {"x": {("title", "t"), ("body", "b")}, "y": {("meta", "m")}}
    new = {"z": {("title", "t"), ("body", "b"), ("meta", "m")}}
    assert find_renames(old, new) == {"x": "z"}


# --- the report on its own ----------------------------------------------------------------------


def test_report_lists_a_few_errors_and_counts_the_rest() -> None:
    errors = [Problem(f"measures/m{i}.md", i + 1, "PS101", f"Problem {i}") for i in range(5)]
    text = render_markdown(Diff(BASE, None, TODAY, [], errors))
    assert text.startswith(MARKER)
    assert "**This version has 5 errors.**" in text
    assert "> - `measures/m2.md:3`: Problem 2 [PS101]" in text
    assert "m3.md" not in text and "> - and 2 more" in text
    assert text.rstrip().endswith(NO_NEWS)


def test_report_keeps_user_text_on_one_line_and_free_of_html() -> None:
    change = Change("measure", "m", "A <b>bold</b>\nmeasure", "field", "unit", "unit", "", "a", "b")
    text = render_markdown(Diff(BASE, None, TODAY, [change]))
    assert "#### A \\<b\\>bold\\</b\\> measure · `m`" in text


# Text a pull request can put in a comment GitHub posts: links, a tracking image, raw HTML,
# pings and references, emphasis, code, a table row, math and character references.
HOSTILE_GFM = (
    "Hi @octocat and @acme/owners, see #123, GH-7 and acme/repo#9: [prize](https://evil.example) "
    "![pixel](https://tracker.example/p.png) <img src=https://tracker.example/q.png> "
    "<https://evil.example/a> https://evil.example/b www.evil.example me@evil.example "
    "*bold* _em_ ~~gone~~ `code` | a | b | $x^2$ &lt;b&gt; \\*not\\* {{ x }}"
)


def _rendered_by_github(markdown_text: str) -> tuple[str, str]:
    """The comment as GitHub's own Markdown library renders it (raw HTML allowed, as comments
    allow some), and its text as a reader sees it."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    page = cmarkgfm.github_flavored_markdown_to_html(
        markdown_text, options=Options.CMARK_OPT_UNSAFE
    )
    return page, html_module.unescape(re.sub(r"<[^>]+>", "", page))


def test_user_text_in_the_comment_shows_as_it_is_and_pings_nobody() -> None:
    changes = [
        Change("measure", "m", HOSTILE_GFM, "field", "unit", "unit", "", HOSTILE_GFM[:30], "x"),
        Change("measure", "m`x`](y)", HOSTILE_GFM, "renamed", "id", "id", "", "o`ld`", "m"),
        Change("goal", "g", HOSTILE_GFM, "field", "parent", "parent", "", "a``b", None),
    ]
    errors = [Problem("measures/`x`<b>.md", 3, "PS100", HOSTILE_GFM + ".")]
    page, seen = _rendered_by_github(render_markdown(Diff(BASE, None, TODAY, changes, errors)))
    tags = re.findall(r"<(?!/?(?:p|h3|h4|strong|code|ul|li|blockquote)>)[^>]*>", page)
    assert tags == [MARKER], "no link, image or HTML but the marker"
    assert HOSTILE_GFM in seen.replace(WORD_JOINER, ""), "the reader sees the text as written"
    pings = re.findall(r"(?<![\w\u2060])@\w|#\d|GH-\d|https?://|www\.|\w@\w", seen)
    assert pings == [], "no mention, reference or link GitHub would make from the text"
    for code in ("``m`x`](y)``", "`` o`ld` ``", "```a``b```", "``measures/`x`<b>.md:3``"):
        assert code in render_markdown(Diff(BASE, None, TODAY, changes, errors)), code


def test_long_text_edits_are_named_not_quoted() -> None:
    long_text = "word " * 20
    change = Change("measure", "m", "M", "field", "definition.scope", "scope", "", "x", long_text)
    text = render_markdown(Diff(BASE, None, TODAY, [change]))
    assert "- Edited: scope\n" in text + "\n"
    assert "word" not in text


def test_the_cli_help_names_the_arguments() -> None:
    result = CliRunner().invoke(cli, ["diff", "--help"])
    assert result.exit_code == 0
    assert "BASE [HEAD] [PATH]" in result.output and "--as-of" in result.output


def test_git_is_needed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))  # no git on this PATH
    assert shutil.which("git") is None
    result = diff("main", ".", str(repo))
    assert result.exit_code == 2 and "git is not installed" in result.stderr


# --- improvement actions --------------------------------------------------------------------------

PROGRAMME = "measures/actions/customer-success-programme.md"


def test_an_action_added_started_and_followed_by_a_signal(repo: Path) -> None:
    text = (repo / PROGRAMME).read_text(encoding="utf-8")
    (repo / PROGRAMME).unlink()
    commit_all(repo, "Without the programme")
    (repo / PROGRAMME).write_text(text, encoding="utf-8")
    markdown = news(repo)
    assert section(markdown, "Actions") == (
        "#### Actions\n"
        "- **Customer success programme** (`customer-success-programme`): new; started on "
        "2026-03-02; on Customer complaints per month: a signal down (run of 8 on one side) "
        "began in 2026-03, in the month the action started."
    )
    assert "1 action added, 1 action started, 1 signal following an action" in markdown


def test_an_action_finished_or_dropped(repo: Path) -> None:
    upgrade = repo / "measures/actions/module-upgrade.md"
    done = "  - status: done\n    date: 2026-06-12\n"
    edit(upgrade, done, "")
    commit_all(repo, "The upgrade not finished yet")
    edit(upgrade, "    date: 2026-06-08\n", "    date: 2026-06-08\n" + done)
    running = "  - status: running\n    date: 2026-03-02\n"
    edit(repo / PROGRAMME, running, running + "  - status: dropped\n    date: 2026-11-02\n")
    markdown = news(repo)
    assert section(markdown, "Actions") == (
        "#### Actions\n"
        "- **Customer success programme** (`customer-success-programme`): dropped on "
        "2026-11-02\n"
        "- **Upgrade the most problematic modules** (`module-upgrade`): finished on 2026-06-12"
    )
    assert "1 action finished, 1 action dropped" in markdown

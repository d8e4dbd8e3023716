"""The `pumpsite` command line: a thin shell that parses options, calls the library, reports.

Exit codes: 0 clean, 1 problems found (or build failed), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, get_args

import click

from pumpsite import __version__
from pumpsite.errors import PumpsiteError
from pumpsite.numbers import counted
from pumpsite.periods import FREQUENCIES, Frequency
from pumpsite.problems import Problem, printable
from pumpsite.vocabulary import MIN_LIMIT_POINTS, Better, Profile

if TYPE_CHECKING:
    from pumpsite.build.run import BuildResult
    from pumpsite.scaffold import Written
    from pumpsite.serve.run import Outcome

FORMATS = ("text", "github", "json")


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-30.", param, ctx)


def _today() -> date:
    return date.today()


def _on_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"{click.style('error', fg='red', bold=True)}: {message}", err=True)
    sys.exit(code)


class _Commands(click.Group):
    """The commands, with the one place a library error becomes a message and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PumpsiteError as error:
            _fail(error.message, error.exit_code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pumpsite")
def cli() -> None:
    """Measures-as-code for the PuMP method: check measures, analyse XmR charts, build and publish
    the site."""


# --- check -------------------------------------------------------------------------------------


def _escape(text: str, *, property_value: bool = False) -> str:
    """GitHub workflow-command escaping; property values also escape ':' and ','."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def format_problem(problem: Problem, fmt: str) -> str:
    """One line: `path:line: error: message [CODE]`, or a GitHub workflow command. Control
    characters from file names and values are escaped, so nothing can forge a second line."""
    if fmt == "github":
        kind = "error" if problem.is_error else "warning"
        where = f"file={_escape(printable(problem.path) or '.', property_value=True)}"
        if problem.line:
            where += f",line={problem.line}"
        return f"::{kind} {where},title={problem.code}::{_escape(printable(problem.message))}"
    text = str(problem)
    color = "red" if problem.is_error else "yellow"
    word = problem.severity.value
    return text.replace(f": {word}: ", f": {click.style(word, fg=color, bold=True)}: ", 1)


def problems_as_json(problems: Sequence[Problem]) -> str:
    rows = [
        {
            "path": p.path,
            "line": p.line,
            "code": p.code,
            "severity": p.severity.value,
            "message": p.message,
        }
        for p in problems
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def summary_line(errors: int, warnings: int, goals: int, measures: int, actions: int = 0) -> str:
    scope = f"{counted(goals, 'goal')}, {counted(measures, 'measure')}"
    scope += f", {counted(actions, 'action')}" if actions else ""
    if not errors and not warnings:
        return f"No problems ({scope})."
    parts = [counted(errors, "error")] if errors else []
    parts += [counted(warnings, "warning")] if warnings else []
    return f"{' and '.join(parts)} ({scope})."


def waiting_line(files: int) -> str:
    return (
        f"More checks wait on fixes: {counted(files, 'goal or measure file')} could not be read "
        "in full, so the checks of their limits, exclusions, roles, stale data and the measures "
        "they name left them out (the goals they name were checked). Run pumpsite check again "
        "after fixing the errors above."
    )


def report_problems(problems: Sequence[Problem], fmt: str) -> None:
    if fmt == "json":
        click.echo(problems_as_json(problems))
        return
    for problem in problems:
        click.echo(format_problem(problem, fmt))


@cli.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, github for pull-request annotations, json for tools.",
)
@click.option(
    "--as-of", type=DateType(), help="Report date (default: extra.pumpsite.as_of or today)."
)
def check(path: Path, strict: bool, fmt: str, as_of: date | None) -> None:
    """Check the measures repository at PATH and report every problem at once."""
    from pumpsite.checks.inspection import inspect

    result = inspect(path, today=_today(), as_of=as_of)
    report_problems(result.problems, fmt)
    counts = (len(result.errors), len(result.warnings))
    repo = result.repo
    click.echo(
        summary_line(*counts, len(repo.goals), len(repo.measures), len(repo.actions)), err=True
    )
    if result.errors and result.waiting:
        click.echo(waiting_line(result.waiting), err=True)
    if result.errors or (strict and result.warnings):
        sys.exit(1)


def _progress(step: str) -> None:
    click.echo(click.style(f"▸ {step}…", dim=True), err=True)


def report_build(result: BuildResult) -> None:
    report_problems(result.problems, "text")
    _report_engine_warnings(result.engine_warnings)


def _report_engine_warnings(warnings: Sequence[str]) -> None:
    """The engine's warnings quote the pages, which quote the user's files: escaped too."""
    word = click.style("warning", fg="yellow", bold=True)
    for warning in warnings:
        click.echo(f"mkdocs: {word}: {printable(warning)}")


# --- pull --------------------------------------------------------------------------------------


@cli.command()
@click.argument("ids", nargs=-1, metavar="[IDS]...")
@click.option(
    "--path",
    "root",
    default=".",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The measures repository.",
)
@click.option(
    "--as-of",
    type=DateType(),
    help="Report date: its period, still in progress, is left out (default: extra.pumpsite.as_of "
    "or today).",
)
def pull(ids: tuple[str, ...], root: Path, as_of: date | None) -> None:
    """Run the sources of the measures IDS (default: every measure with a source) and write their
    data CSVs. Only pull runs sources; build, check, serve and diff read the CSVs."""
    from pumpsite.pull.report import measure_lines, summary_line
    from pumpsite.pull.run import UnknownMeasures
    from pumpsite.pull.run import pull as pull_sources

    try:
        result = pull_sources(root, today=_today(), as_of=as_of, ids=ids)
    except UnknownMeasures as error:
        raise click.UsageError(f"Nothing to pull: {error}.") from None
    for pulled in result.pulled:
        for line in measure_lines(pulled, result.report_date.isoformat()):
            click.echo(printable(line))
    report_problems(result.problems, "text")
    click.echo(summary_line(result), err=True)
    if result.errors:
        sys.exit(1)


# --- build -------------------------------------------------------------------------------------


@cli.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: PATH/site). A link named here is followed; an "
    "existing folder is replaced only if pumpsite built it.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (ours and the engine's) as errors.")
@click.option(
    "--as-of", type=DateType(), help="Report date (default: extra.pumpsite.as_of or today)."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Draw every chart afresh; neither read nor write the cache in .pumpsite/cache/.",
)
def build(
    path: Path, site_dir: Path | None, strict: bool, as_of: date | None, no_cache: bool
) -> None:
    """Check the repository at PATH and build its site (an MkDocs Material site) into site/."""
    import time

    from pumpsite.build.run import build as build_site

    started = time.monotonic()
    result = build_site(
        path,
        today=_today(),
        site_dir=site_dir,
        as_of=as_of,
        strict=strict,
        progress=_progress,
        cache=not no_cache,
    )
    report_build(result)
    if not result.ok:
        click.echo(f"Build stopped: {result.failure}. The previous site is unchanged.", err=True)
        sys.exit(1)
    repo = result.inspection.repo
    seconds = time.monotonic() - started
    drawn = result.charts_rendered
    click.echo(
        f"Built the site for {result.inspection.report_date} ({counted(len(repo.goals), 'goal')}, "
        f"{counted(len(repo.measures), 'measure')}) into {result.site_dir} in {seconds:.1f} s "
        f"({counted(drawn, 'chart')} drawn, {result.charts_cached} from the cache).",
        err=True,
    )


# --- init and new ------------------------------------------------------------------------------


def _report_written(written: Written, what: str) -> None:
    for rel in sorted(written.created):
        click.echo(f"  created {rel}", err=True)
    for rel in sorted(written.kept):
        click.echo(f"  kept    {rel} (it already existed)", err=True)
    click.echo(f"{what}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The site's name (default: from the folder's name).")
@click.option(
    "--pumpsite-spec",
    metavar="SPEC",
    help="What the workflows pip install, e.g. 'pumpsite==0.2.0' or "
    "'pumpsite @ git+https://…@COMMIT' (default: the pumpsite running now).",
)
def init(directory: Path, name: str | None, pumpsite_spec: str | None) -> None:
    """Create a new measures repository in DIRECTORY (new or empty), ready to build.

    It holds a sample goal and measure with data, mkdocs.yml, glossary.yml, a README, a
    .gitignore, a pre-commit hook running pumpsite check, and GitHub Actions workflows that check
    pull requests and publish the site from main.
    """
    from pumpsite.install_spec import InstallSpec, running_spec
    from pumpsite.scaffold import init_repo

    if pumpsite_spec is not None and (not pumpsite_spec.strip() or not pumpsite_spec.isprintable()):
        _fail(f"--pumpsite-spec {pumpsite_spec!r}: expected one line that pip can install.", 2)
    spec = (
        InstallSpec(pumpsite_spec, "--pumpsite-spec names it.") if pumpsite_spec else running_spec()
    )
    written = init_repo(directory, _today(), name, spec.spec)
    _report_written(
        written,
        f"The workflows install {spec.spec}: {spec.why}\n"
        f"Created a measures repository in {directory}. Next:\n"
        f"  cd {directory}\n"
        "  pumpsite serve --open     # preview the site, reloading as you save\n"
        "  pumpsite build            # or build it into site/ and open site/index.html\n"
        "  pumpsite new goal ID      # your own goals and measures; delete the samples\n"
        "  git init -b main && git add . && git commit -m 'Our measures'   # if not a git repo yet",
    )


@cli.group()
def new() -> None:
    """Write a starter goal, measure or action file (never overwrites a file)."""


@new.command("goal")
@click.argument("goal_id", metavar="ID")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", help="The result, worded as if already happening (default: from ID).")
@click.option("--parent", help="The id of the goal this one contributes to.")
@click.option("--owner", help="Who is accountable for the result.")
def new_goal(
    goal_id: str, path: Path, title: str | None, parent: str | None, owner: str | None
) -> None:
    """Write measures/ID.md, a starter goal, in the repository at PATH."""
    from pumpsite.scaffold import new_goal as write_goal

    written = write_goal(path, goal_id, title=title, parent=parent, owner=owner)
    _report_written(
        written,
        f"Word the title as a result, then add its measures: pumpsite new measure ID --goal "
        f"{goal_id}",
    )


@new.command("action")
@click.argument("action_id", metavar="ID")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--measure", "measures", multiple=True, required=True, help="A measure it aims to move."
)
@click.option("--goal", help="The goal it serves (default: the first measure's goal).")
@click.option("--title", help="What is done (default: from ID).")
@click.option("--owner", help="Who leads the action.")
def new_action(
    action_id: str,
    path: Path,
    measures: tuple[str, ...],
    goal: str | None,
    title: str | None,
    owner: str | None,
) -> None:
    """Write measures/actions/ID.md, a starter improvement action, at PATH."""
    from pumpsite.scaffold import new_action as write_action

    written = write_action(
        path,
        action_id,
        today=_today(),
        measures=list(measures),
        goal=goal,
        title=title,
        owner=owner,
    )
    _report_written(
        written, "Write its root causes and dates; set its status to running when it starts."
    )


@new.command("measure")
@click.argument("measure_id", metavar="ID")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--goal", help="The id of the goal it is evidence of (default: the only goal).")
@click.option("--title", help="The measure's name (default: from ID).")
@click.option("--owner", help="Who owns the measure.")
@click.option("--unit", default="", help="The unit of a value, like % or days.")
@click.option(
    "--frequency",
    type=click.Choice(FREQUENCIES),
    default="monthly",
    show_default=True,
    help="How often a value is taken.",
)
@click.option(
    "--better",
    type=click.Choice(get_args(Better)),
    help="Which direction is good (asked on a terminal; otherwise written as up?, to confirm).",
)
def new_measure(
    measure_id: str,
    path: Path,
    goal: str | None,
    title: str | None,
    owner: str | None,
    unit: str,
    frequency: Frequency,
    better: str | None,
) -> None:
    """Write measures/ID.md, a starter measure, and data/ID.csv (its header) at PATH."""
    from pumpsite.scaffold import new_measure as write_measure

    if better is None and _on_a_terminal():
        better = click.prompt(
            "Which direction is good for this measure",
            type=click.Choice(get_args(Better)),
            err=True,
        )

    written = write_measure(
        path,
        measure_id,
        today=_today(),
        goal=goal,
        title=title,
        owner=owner,
        unit=unit,
        frequency=frequency,
        better=better,
    )
    guess = (
        ""
        if better
        else "\nWhich direction is good was not said: better: up? is a guess; confirm it "
        "(pumpsite check warns until then)."
    )
    _report_written(
        written,
        "Fill in the definition, add a row per period to the CSV, then run pumpsite check." + guess,
    )


# --- publish -----------------------------------------------------------------------------------


@cli.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--remote", default="origin", show_default=True, help="The git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch of the site.")
@click.option(
    "--prefix", metavar="DIR", help="Publish into this folder (a preview), keep the rest."
)
@click.option("--remove", is_flag=True, help="Delete the --prefix folder instead of publishing.")
@click.option("--message", help="The commit message (default: says the source commit).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors, as build --strict does.")
@click.option(
    "--as-of", type=DateType(), help="Report date (default: extra.pumpsite.as_of or today)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Publish even to a branch that is not a site branch (replacing its content).",
)
def publish(
    path: Path,
    remote: str,
    branch: str,
    prefix: str | None,
    remove: bool,
    message: str | None,
    strict: bool,
    as_of: date | None,
    force: bool,
) -> None:
    """Build the site at PATH and push it to a branch (gh-pages), one commit per publish.

    The source branch, the index and the working tree are never touched. A normal publish
    replaces the branch's content but keeps the folders published with --prefix (previews).
    Only a site branch is replaced: not the branch checked out here, nor the remote's default
    branch, nor a branch with other history, unless --force is given.
    """
    from pumpsite.publish.run import publish_site, remove_prefix

    if remove and not prefix:
        raise click.UsageError("--remove deletes a preview folder: name it with --prefix DIR.")
    if remove:
        assert prefix is not None
        done = remove_prefix(
            path, prefix=prefix, remote=remote, branch=branch, message=message, force=force
        )
    else:
        done = publish_site(
            path,
            today=_today(),
            remote=remote,
            branch=branch,
            prefix=prefix,
            message=message,
            as_of=as_of,
            strict=strict,
            force=force,
            progress=_progress,
        )
    if done.build is not None:
        report_build(done.build)
        if not done.build.ok:
            _fail(f"Publish stopped: {done.build.failure}. Nothing was pushed.")
    for warning in done.warnings:
        click.echo(f"{click.style('warning', fg='yellow', bold=True)}: {warning}", err=True)
    where = f"{done.remote}/{done.branch}" + (f" under {prefix.strip('/')}/" if prefix else "")
    if done.commit is None:
        click.echo(f"The site on {where} is already up to date: nothing to publish.", err=True)
    elif remove:
        click.echo(f"Removed {done.files} files from {where} (commit {done.commit[:7]}).", err=True)
    else:
        click.echo(f"Published {done.files} files to {where} (commit {done.commit[:7]}).", err=True)


# --- schema ------------------------------------------------------------------------------------


@cli.command()
@click.argument("kind", required=False, type=click.Choice(["goal", "measure", "action"]))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write goal.schema.json, measure.schema.json and action.schema.json into this folder.",
)
def schema(kind: str | None, out: Path | None) -> None:
    """Print the JSON Schema of goal, measure or action frontmatter, or write them all with
    --out DIR.

    The schemas come from the same model `pumpsite check` validates with; they serve editors and
    other tools. `pumpsite check` stays the full check (cross-file references, data, lint).
    """
    from pumpsite.schema import schema_files

    files = schema_files()
    if out is None:
        if kind is None:
            raise click.UsageError("Name the schema to print (goal or measure), or use --out DIR.")
        click.echo(files[f"{kind}.schema.json"], nl=False)
        return
    names = [f"{kind}.schema.json"] if kind else sorted(files)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            (out / name).write_text(files[name], encoding="utf-8")
    except OSError as error:
        _fail(f"Cannot write the schema into {out}: {error.strerror or error}.")
    click.echo(f"Wrote {', '.join(str(out / name) for name in names)}.", err=True)


# --- serve -------------------------------------------------------------------------------------


class AddressType(click.ParamType):  # type: ignore[type-arg]
    name = "HOST:PORT"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, int]:
        from pumpsite.serve.run import parse_address

        if isinstance(value, tuple):
            return value
        try:
            return parse_address(str(value))
        except ValueError as error:
            self.fail(f"{error}.", param, ctx)


def _report_rebuild(outcome: Outcome) -> None:
    if outcome.changed:
        shown = ", ".join(outcome.changed[:5]) + (" …" if len(outcome.changed) > 5 else "")
        click.echo(click.style(f"Changed: {printable(shown)}", dim=True), err=True)
    report_problems(outcome.problems, "text")
    _report_engine_warnings(outcome.result.engine_warnings if outcome.result else [])
    if outcome.ok and outcome.changed:
        pages = outcome.pages_rendered
        only = "" if pages is None else f" ({counted(pages, 'page')} rendered)"
        click.echo(f"Rebuilt in {outcome.seconds:.1f} s{only}; open pages reload.", err=True)
    elif outcome.ok:
        click.echo(f"Built the site in {outcome.seconds:.1f} s.", err=True)
    else:
        click.echo(
            f"Not rebuilt: {outcome.failure}. The browser keeps the last good pages and shows "
            "these problems until they are fixed.",
            err=True,
        )


@cli.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--dev-addr",
    type=AddressType(),
    default="127.0.0.1:8000",
    show_default=True,
    help="Address to serve on; only this computer can connect unless you give another host.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the web browser.")
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes every 0.25 s instead of waiting for the system's notifications, "
    "which network drives, WSL's /mnt and Docker bind mounts do not send.",
)
@click.option(
    "--as-of", type=DateType(), help="Report date (default: extra.pumpsite.as_of or today)."
)
def serve(
    path: Path, dev_addr: tuple[str, int], open_browser: bool, poll: bool, as_of: date | None
) -> None:
    """Build the site at PATH, serve it, and rebuild and reload the browser on every save.

    A bad edit never stops the server: the browser keeps the last good pages, with the problems
    at the bottom of each, and fixing the files clears them by themselves.
    """
    from pumpsite.serve.run import DEFAULT_HOST
    from pumpsite.serve.run import serve as run_server

    host, port = dev_addr
    if host not in (DEFAULT_HOST, "localhost", "::1"):
        click.echo(
            f"Warning: serving on {host}, so other computers may be able to see the site.",
            err=True,
        )
    run_server(
        path,
        host=host,
        port=port,
        today=_today,
        as_of=as_of,
        open_browser=open_browser,
        poll=poll,
        say=lambda message: click.echo(message, err=True),
        on_build=_report_rebuild,
    )


# --- xmr ---------------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@click.option("--column", help="The value column (default: 'value' or the only numeric column).")
@click.option(
    "--baseline",
    type=click.IntRange(min=MIN_LIMIT_POINTS),
    default=20,
    show_default=True,
    help="Number of first points the limits are computed from.",
)
@click.option(
    "--rules",
    type=click.Choice(get_args(Profile)),
    default="wheeler",
    show_default=True,
    help="Signal rule profile.",
)
@click.option(
    "--run-length",
    type=click.IntRange(min=5, max=12),
    help="Points in a long run (default: 8 wheeler, 7 pump and nhs).",
)
@click.option("--median", is_flag=True, help="Use the median moving range (3.145 / 3.865).")
@click.option(
    "--better",
    type=click.Choice(get_args(Better)),
    default="neutral",
    show_default=True,
    help="Which direction is an improvement.",
)
@click.option(
    "--frequency",
    type=click.Choice(FREQUENCIES),
    help="The period of one value (default: the first period's, a date being daily).",
)
@click.option("--lower-bound", type=float, help="The lowest value possible (0 for a count).")
@click.option("--upper-bound", type=float, help="The highest value possible (100 for a share).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def xmr(
    file: Path,
    column: str | None,
    baseline: int,
    rules: str,
    run_length: int | None,
    median: bool,
    better: str,
    frequency: Frequency | None,
    lower_bound: float | None,
    upper_bound: float | None,
    as_json: bool,
) -> None:
    """Analyse one series: a CSV (period and value columns) or a number per line. FILE may be -.

    A CSV is read as the site reads a measure's data: its periods, their order and the gaps
    between them (a missing period breaks the moving ranges) follow the same rules."""
    from pumpsite.analysis import xmr_report
    from pumpsite.load.repo import read_series_bytes, read_series_file

    bounds = xmr_report.bounds(lower_bound, upper_bound)
    if isinstance(bounds, str):
        raise click.BadParameter(bounds, param_hint="'--lower-bound' / '--upper-bound'")
    source = "<stdin>" if str(file) == "-" else str(file)
    if str(file) == "-":
        stdin = sys.stdin.buffer.read()  # bytes: an encoding other than UTF-8 is a problem
        labels, values, problems = read_series_bytes(stdin, source, column, frequency)
    elif not file.is_file():
        raise click.UsageError(f"File '{file}' does not exist.")
    else:
        labels, values, problems = read_series_file(file, column, frequency)
    problems += xmr_report.outside(labels, values, bounds, source)
    if any(p.is_error for p in problems):
        report_problems(problems, "text")
        sys.exit(1)
    options = xmr_report.options(baseline, rules, run_length, median, better, bounds)
    analysis = xmr_report.analyse(values, options)
    if as_json:
        click.echo(xmr_report.as_json(labels, analysis))
    else:  # labels are the file's text: no control characters reach the terminal
        click.echo(xmr_report.as_table([printable(label) for label in labels], analysis))


# --- diff --------------------------------------------------------------------------------------


@cli.command()
@click.argument("base")
@click.argument("head", required=False)
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--as-of",
    type=DateType(),
    help="Report date of both sides (default: HEAD's extra.pumpsite.as_of, or today).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown for a pull-request comment, json for tools.",
)
def diff(base: str, head: str | None, path: Path, as_of: date | None, fmt: str) -> None:
    """The statistical news from BASE to HEAD: git revisions of the measures repository at PATH;
    HEAD omitted or '.' is the working tree. Prints a Markdown pull-request comment."""
    from pumpsite.diff import diff_revisions, render_json, render_markdown

    result = diff_revisions(path, base, head, today=_today(), as_of=as_of)
    click.echo(render_json(result) if fmt == "json" else render_markdown(result))


def main() -> None:
    cli(prog_name="pumpsite")

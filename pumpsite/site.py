"""The whole website as a value: Markdown pages, CSV copies and CSS, the nav and the glossary.

Pure: `render_site` takes the repository, its analyses and the report date and returns a `Site`;
the MkDocs adapter (`pumpsite._mkdocs`) writes it out. Charts and the results map are drawn by
injected callables, so this module only decides what goes on which page and in what words.

Pages are Jinja2 templates (`pumpsite/templates/`, overridable by file name from the repository's
`site_templates/`). Templates receive view-models computed here, so they stay simple. Autoescape
is off because the output is Markdown, not HTML; the `e`/`md_escape` filter escapes user text
for Markdown and must be used on every user-provided value (see `md_escape`).
"""

from __future__ import annotations

import csv
import html
import io
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import quote

import jinja2
import yaml

from pumpsite.analysis import MeasureAnalysis
from pumpsite.model import Goal, Measure, Problem, Repo
from pumpsite.numbers import data_decimals, display_decimals, fmt, fmt_plain
from pumpsite.periods import Period, quarter_of
from pumpsite.reading import (
    ASSURANCE_WORDS,
    changing,
    current_signals,
    describe_signal,
    latest_index,
    long_date,
    period_name,
    read_measure,
    rebase_sentence,
    signal_label,
    span_name,
    with_unit,
)
from pumpsite.schema import Role
from pumpsite.signals import Signal
from pumpsite.templating import environment, render_problem

ChartSize = Literal["full", "small"]
ChartRenderer = Callable[[Measure, MeasureAnalysis, str, ChartSize], str]
"""(measure, analysis, description, size "full" | "small") -> inline SVG with no blank lines."""
MapRenderer = Callable[
    [Mapping[str, Goal], Mapping[str, Measure], Callable[[str], str], AbstractSet[str]], str
]
"""(goals, measures, link(id) -> URL, focus goal ids) -> inline SVG of the results map."""

CSS_PATH = "assets/pumpsite.css"
ROLE_LABELS = {"improve": "Key result", "sustain": "KPI"}
EFFECT_LABELS = {"improvement": "Improvement", "concern": "Concern", "neutral": "Signal"}
RECENT_VALUES = 3
"""A KPI needs attention when a concern signal touches one of its latest this-many values."""


@dataclass(frozen=True, slots=True)
class Site:
    """The whole website as a value."""

    files: Mapping[str, str]  # docs-relative POSIX path -> text: Markdown pages, CSV copies, CSS
    nav: list[Any]  # MkDocs `nav` (list of {title: path} / {title: [...]}) for generated pages
    glossary: Mapping[str, str]  # term -> definition, for site-wide tooltips (abbr glossary)
    extra_css: tuple[str, ...]  # docs-relative CSS files to add


# --- escaping ------------------------------------------------------------------------------------

_MD_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    **{c: f"&#{ord(c)};" for c in "\\`*_{}[]#+|~^"},
}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_ENTITIES)) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_LIST = re.compile(r"^(\d+)([.)])(?=\s|$)|^-(?=\s|$)")


def md_escape(value: object) -> str:
    """User text as inert inline Markdown: one line, `&<>"` escaped for HTML and every character
    Markdown or its extensions give a meaning to (links, emphasis, code, attribute lists, tables,
    headings, lists) written as a character reference, so `[x](javascript:…)`, `<script>` or
    `{onclick=…}` show as the text they are. The reader sees the same characters."""
    text = " ".join(_CONTROL.sub("", str(value)).split())
    text = _MD_SPECIAL.sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _LEADING_LIST.sub(
        lambda m: f"{m.group(1)}&#{ord(m.group(2))};" if m.group(1) else "&#45;", text, count=1
    )


def html_text(value: object) -> str:
    """User text for places the theme prints as raw HTML: page titles and nav entries."""
    text = html.escape(" ".join(_CONTROL.sub("", str(value)).split()), quote=False)
    return text.replace('"', "&quot;")


# The Markdown body of a goal or measure file is the owner's own Markdown: it is rendered, but
# made inert first by a small sanitiser instead of a full HTML sanitiser (the engine renders it
# later, so there is no HTML to clean here). It (1) rewrites link and image destinations whose
# scheme is not http, https, mailto or tel (after decoding character references and dropping
# whitespace and control characters, so `java&#115;cript:` and `java\tscript:` are caught) to
# `#unsafe-link-removed`; (2) escapes every `<` that is not an http(s)/mailto autolink, so raw
# HTML (`<script>`, `<img onerror>`, `<div markdown>`) shows as text; (3) escapes the `{` of
# attribute lists that set attributes (`{onclick=…}`). The price: a literal `<` or `{…=…}`
# inside a code block shows as its escape. Headings are moved two levels down, below the
# page's own sections, so the page keeps a single title.

_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_DESTINATION = re.compile(
    r"(\]\(\s*|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|(?:[^\s()<>]|\([^\s()]*\))*)", re.MULTILINE
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"]*>", re.IGNORECASE)
_ATTR_LIST = re.compile(r"\{(?=[^}\n]*=)")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_ATX = re.compile(r"^(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")


def _unsafe(destination: str) -> bool:
    text = destination
    for _ in range(5):  # character references inside character references
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = re.sub(r"[\x00-\x20\\<>]", "", text).lower()
    match = _SCHEME.match(text)
    return match is not None and match.group(1) not in _SAFE_SCHEMES


def _safe_destinations(body: str) -> str:
    """Judge each destination on everything up to the first ')' with whitespace removed, since
    Markdown accepts a line break inside a destination and browsers drop it."""

    def fix(m: re.Match[str]) -> str:
        window = body[m.start(2) : m.start(2) + 200].split(")", 1)[0]
        return m.group(1) + ("#unsafe-link-removed" if _unsafe(window) else m.group(2))

    return _DESTINATION.sub(fix, body)


def _escape_tags(text: str) -> str:
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group())
        return f"\x00{len(kept) - 1}\x00"

    text = _AUTOLINK.sub(keep, text.replace("\x00", ""))
    text = text.replace("<", "&lt;")
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _outside_fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is outside fenced code (``` or ~~~)."""
    outside, fence = [], ""
    for line in lines:
        marker = _FENCE.match(line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            outside.append(False)
            fence = "" if fence else marker.group(1)[:3]
        else:
            outside.append(not fence)
    return outside


def _atx_headings(lines: list[str], outside: list[bool]) -> tuple[list[str], list[bool]]:
    """Setext headings (a line of text underlined with === or ---) as # headings."""
    out: list[str] = []
    kept: list[bool] = []
    for line, ok in zip(lines, outside, strict=True):
        underline = _SETEXT.match(line)
        if ok and underline and out and kept[-1] and out[-1].strip() and not _ATX.match(out[-1]):
            level = "#" if underline.group(1).startswith("=") else "##"
            out[-1] = f"{level} {out[-1].strip()}"
            continue
        out.append(line)
        kept.append(ok)
    return out, kept


def _demote_headings(body: str, top: int = 3) -> str:
    """Move the owner's headings down so the highest becomes level `top`: below the page's own
    sections, and never a second page title."""
    lines = body.split("\n")
    lines, outside = _atx_headings(lines, _outside_fences(lines))
    levels = [
        len(m.group(1))
        for line, ok in zip(lines, outside, strict=True)
        if ok and (m := _ATX.match(line))
    ]
    shift = max(0, top - min(levels, default=top))
    return "\n".join(
        _ATX.sub(lambda m: "#" * min(len(m.group(1)) + shift, 6), line) if ok else line
        for line, ok in zip(lines, outside, strict=True)
    )


def sanitise_markdown(body: str) -> str:
    """The owner's Markdown, rendered but inert (see the comment above)."""
    text = _safe_destinations(body)
    text = _escape_tags(text)
    text = _ATTR_LIST.sub("&#123;", text)
    return _demote_headings(text).strip()


# --- paths and links -----------------------------------------------------------------------------


def measure_page(measure_id: str) -> str:
    return f"measures/{measure_id}.md"


def goal_page(goal_id: str) -> str:
    """goals/<id>.md; a goal called 'index' does not replace the results map."""
    return f"goals/{goal_id}.md" if goal_id != "index" else "goals/index-goal.md"


def data_file(measure_id: str) -> str:
    return f"data/{measure_id}.csv"


def relative_link(from_page: str, to_path: str) -> str:
    """A relative link from one docs file to another, as MkDocs validates it: 'measures/x.md'
    from the home page, '../measures/x.md' from a goal page."""
    path = posixpath.relpath(to_path, posixpath.dirname(from_page) or ".")
    return quote(path)


def page_url(page: str, directory_urls: bool) -> str:
    """The URL path MkDocs gives a page: 'goals/g/' (or 'goals/g.html'), '' for the home page."""
    if not directory_urls:
        return page[:-3] + ".html"
    stem = page[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


def url_link(from_page: str, to_page: str, directory_urls: bool) -> str:
    """A link between built pages, for raw HTML (which MkDocs does not rewrite)."""
    here, there = page_url(from_page, directory_urls), page_url(to_page, directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    path = posixpath.relpath(there or ".", base or ".")
    if there.endswith("/") or not there:
        path = "./" if path == "." else path + "/"
    return quote(path)


# --- view-models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignalView:
    rule: str
    label: str  # the rule's name, like "Run of 8 on one side"
    when: str  # "Nov 2026" or "Apr 2026 to Nov 2026"
    effect: str  # improvement | concern | neutral
    effect_label: str  # Improvement | Concern | Signal
    sentence: str  # plain words: "8 values in a row below the central line (21.4), …"
    new: bool  # includes the latest value


@dataclass(frozen=True, slots=True)
class TargetView:
    target: str  # "2.5%", or "" when the role sets none
    deadline: str  # "31 Mar 2027" or ""
    owner: str  # user text, or ""
    assurance: str  # in words
    achieved: bool
    achieved_text: str
    deadline_passed: bool


@dataclass(frozen=True, slots=True)
class Status:
    key: str  # predictable | attention | improved | signals | run_chart | no_data
    label: str


@dataclass(frozen=True, slots=True)
class MeasureView:
    """One measure as overview pages show it."""

    id: str
    title: str  # user text
    page: str  # docs path of its page
    role: str  # improve | sustain, in the report quarter
    role_label: str  # Key result | KPI
    goal_id: str
    goal_title: str  # user text
    goal_page: str | None  # None when the goal file is missing
    owner: str  # user text: the role's owner for a key result, else the measure's
    unit: str  # user text
    summary: str  # plain text
    has_data: bool
    status: Status
    signals: tuple[SignalView, ...]  # of the current phase
    new_signals: tuple[SignalView, ...]  # including the latest value
    target: TargetView | None
    rebase_hint: str
    chart: str  # small inline SVG, "" without data


@dataclass(frozen=True, slots=True)
class GoalView:
    id: str
    title: str  # user text
    page: str
    owner: str  # user text
    depth: int
    parent: GoalView | None
    children: tuple[GoalView, ...] = ()
    key_results: tuple[MeasureView, ...] = ()
    kpis: tuple[MeasureView, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """A table row of already formatted cells; `user` cells are raw user text to escape."""

    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhaseView:
    start: str
    end: str
    reason: str  # user text
    center: str
    limits: str
    url: str
    baseline: str
    trial: bool


@dataclass(frozen=True, slots=True)
class RoleView:
    start: str
    label: str
    target: str
    deadline: str
    owner: str  # user text
    note: str  # user text
    in_force: bool


@dataclass(frozen=True, slots=True)
class EventView:
    when: str
    kind: str
    text: str  # user text


@dataclass(frozen=True, slots=True)
class DataRow:
    period: str
    value: str
    mr: str
    signals: str
    note: str  # user text
    missing: bool


@dataclass(frozen=True, slots=True)
class MeasureDetail:
    """Everything the measure page shows beyond the overview."""

    view: MeasureView
    paragraphs: tuple[str, ...]  # plain text
    chart: str  # full inline SVG, "" without data
    all_signals: tuple[SignalView, ...]
    phases: tuple[PhaseView, ...]
    exclusions: tuple[EventView, ...]
    definition: tuple[tuple[str, str], ...]  # (label, user text)
    frequency: str
    better: str
    roles: tuple[RoleView, ...]
    events: tuple[EventView, ...]
    body: str  # sanitised Markdown
    data: tuple[DataRow, ...]
    csv: str  # docs path of the CSV copy, "" without data
    source: str  # the source file's repo path
    edit_url: str  # "" without edit_base


# --- building the view-models --------------------------------------------------------------------


def _signal_view(measure: Measure, analysis: MeasureAnalysis, signal: Signal) -> SignalView:
    periods = analysis.periods
    return SignalView(
        rule=signal.rule,
        label=signal_label(measure, analysis, signal),
        when=span_name(periods[signal.points[0]], periods[signal.points[-1]]),
        effect=signal.effect,
        effect_label=EFFECT_LABELS[signal.effect],
        sentence=describe_signal(measure, analysis, signal),
        new=latest_index(analysis.xmr) in signal.points,
    )


def _short_date(day: date) -> str:
    return period_name(Period("daily", day.toordinal()))


def _target_number(value: float, measure: Measure) -> str:
    return with_unit(fmt(value, data_decimals([value])), measure.meta.unit)


def _target_view(
    measure: Measure, analysis: MeasureAnalysis | None, role: Role, report_date: date
) -> TargetView:
    reading = analysis.target if analysis else None
    if role.target is None:
        assurance = "no target set"
    elif reading is None or reading.assurance is None:
        limits = analysis.xmr.current_phase.limits if analysis else None
        assurance = (
            "can't be judged yet: no limits"
            if limits is None
            else "can't be judged: no better direction"
        )
    else:
        assurance = ASSURANCE_WORDS[reading.assurance]
        if analysis and changing(analysis.xmr):
            assurance += "; the latest values are a signal, so judge again after a new phase"
    achieved = bool(reading and reading.achieved)
    return TargetView(
        target=_target_number(role.target, measure) if role.target is not None else "",
        deadline=_short_date(role.deadline) if role.deadline else "",
        owner=role.owner or measure.meta.owner or "",
        assurance=assurance,
        achieved=achieved,
        achieved_text=(
            "yes: the central line has reached the target after a sustained shift"
            if achieved
            else "not yet: only a sustained shift of the central line counts, not single values"
        ),
        deadline_passed=bool(role.deadline and role.deadline < report_date and not achieved),
    )


def _status(role: str, analysis: MeasureAnalysis | None) -> Status:
    """Where a measure stands, in words: predictable, or which kind of signal is recent."""
    if analysis is None:
        return Status("no_data", "No data yet")
    xmr = analysis.xmr
    if xmr.current_phase.limits is None:
        return Status("run_chart", "Run chart: too few values for limits")
    signals = current_signals(xmr)
    if not signals:
        return Status("predictable", "Predictable")
    latest = latest_index(xmr) or 0
    recent = [s for s in signals if s.points[-1] > latest - RECENT_VALUES]
    if any(s.effect == "concern" for s in recent):
        return Status("attention", "Needs attention")
    if any(s.effect == "improvement" for s in recent):
        if role == "improve":
            hint = ": consider a new phase" if xmr.rebase_hint is not None else ""
            return Status("improved", f"Improving{hint}")
        if xmr.rebase_hint is not None:
            return Status("improved", "Improved: consider a new phase")
        return Status("improved", "Better than usual: find out why")
    return Status("signals", "Signals")


def _measure_view(
    measure: Measure,
    analysis: MeasureAnalysis | None,
    goals: Mapping[str, Goal],
    report_date: date,
    chart: ChartRenderer,
) -> MeasureView:
    role = measure.role_at(report_date)
    kind = measure.role_kind_at(report_date)
    goal = goals.get(measure.meta.goal)
    summary = read_measure(measure, analysis).summary if analysis else "No data yet."
    signals = (
        tuple(_signal_view(measure, analysis, s) for s in current_signals(analysis.xmr))
        if analysis and analysis.xmr.current_phase.limits
        else ()
    )
    target = (
        _target_view(measure, analysis, role, report_date) if role and kind == "improve" else None
    )
    return MeasureView(
        id=measure.id,
        title=measure.title,
        page=measure_page(measure.id),
        role=kind,
        role_label=ROLE_LABELS[kind],
        goal_id=measure.meta.goal,
        goal_title=goal.title if goal else measure.meta.goal,
        goal_page=goal_page(goal.id) if goal else None,
        owner=(target.owner if target else "") or measure.meta.owner or "",
        unit=measure.meta.unit,
        summary=summary,
        has_data=analysis is not None,
        status=_status(kind, analysis),
        signals=signals,
        new_signals=tuple(s for s in signals if s.new),
        target=target,
        rebase_hint=rebase_sentence(analysis) if analysis else "",
        chart=_one_block(chart(measure, analysis, summary, "small")) if analysis else "",
    )


def _one_block(svg: str) -> str:
    """Inline SVG as one raw-HTML block: no blank lines, no XML prolog."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", "", svg)
    return "\n".join(line for line in svg.strip().split("\n") if line.strip())


def _phase_views(measure: Measure, analysis: MeasureAnalysis) -> tuple[PhaseView, ...]:
    xmr, periods = analysis.xmr, analysis.periods
    decimals = display_decimals(xmr.values)
    unit = measure.meta.unit
    views = []
    for phase in xmr.phases:
        limits = phase.limits
        baseline = phase.baseline
        views.append(
            PhaseView(
                start=period_name(periods[phase.start]),
                end=period_name(periods[phase.end - 1]),
                reason=phase.reason or "first phase",
                center=with_unit(fmt(limits.center, decimals), unit) if limits else "",
                limits=(
                    f"{fmt(limits.lnpl, decimals)} to {with_unit(fmt(limits.unpl, decimals), unit)}"
                    if limits
                    else "none yet (run chart)"
                ),
                url=fmt(limits.url, decimals) if limits else "",
                baseline=(
                    f"{len(baseline)} values, "
                    f"{span_name(periods[baseline[0]], periods[baseline[-1]])}"
                    if baseline
                    else "no values"
                ),
                trial=bool(limits and limits.trial),
            )
        )
    return tuple(views)


def _role_views(measure: Measure, report_date: date) -> tuple[RoleView, ...]:
    in_force = measure.role_at(report_date)
    roles = sorted(measure.meta.roles, key=lambda r: r.start)
    return tuple(
        RoleView(
            start=str(role.start),
            label=ROLE_LABELS[role.role],
            target=_target_number(role.target, measure) if role.target is not None else "",
            deadline=_short_date(role.deadline) if role.deadline else "",
            owner=role.owner or "",
            note=role.note or "",
            in_force=role == in_force,
        )
        for role in roles
    )


def _data_rows(measure: Measure, analysis: MeasureAnalysis) -> tuple[DataRow, ...]:
    xmr = analysis.xmr
    notes = {o.period: o.note for o in measure.series.observations} if measure.series else {}
    excluded = {e.period: e.reason for e in measure.meta.limits.exclude}
    value_decimals = data_decimals(xmr.values)
    range_decimals = display_decimals(xmr.values)
    profile, length = xmr.options.profile, xmr.options.run_length
    rows = []
    for i, period in enumerate(analysis.periods):
        value, spread = xmr.values[i], xmr.moving_ranges[i]
        note = notes.get(period, "")
        if period in excluded:
            note = f"{note} (excluded from the limits: {excluded[period]})".strip()
        from pumpsite.signals import rule_label

        rows.append(
            DataRow(
                period=period_name(period),
                value="missing" if value is None else fmt(value, value_decimals),
                mr="" if spread is None else fmt(spread, range_decimals),
                signals=", ".join(rule_label(profile, r, length) for r in xmr.rules_at(i)),
                note=note,
                missing=value is None,
            )
        )
    return tuple(rows)


def _definition(measure: Measure, goal_title: str) -> tuple[tuple[str, str], ...]:
    d = measure.meta.definition
    rows = (
        ("Description", d.description),
        ("Formula", d.formula),
        ("Data source", d.data_source),
        ("Scope", d.scope),
        ("Data custodian", d.custodian),
        ("Unit", measure.meta.unit),
        ("Owner", measure.meta.owner),
    )
    return tuple((label, text) for label, text in rows if text)


_BETTER = {
    "up": "higher is better",
    "down": "lower is better",
    "neutral": "neither direction is better",
}


def measure_csv(measure: Measure, report_date: date) -> str:
    """The measure's data up to the report date as `period,value,note`. A note that a
    spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "value", "note"])
    observations = [
        o
        for o in (measure.series.observations if measure.series else ())
        if o.period.start <= report_date
    ]
    decimals = data_decimals(o.value for o in observations)
    for o in observations:
        note = "'" + o.note if o.note[:1] in ("=", "+", "-", "@", "\t", "\r") else o.note
        writer.writerow([o.period.label, fmt_plain(o.value, decimals), note])
    return out.getvalue()


def _detail(
    measure: Measure,
    analysis: MeasureAnalysis | None,
    view: MeasureView,
    report_date: date,
    chart: ChartRenderer,
    edit_base: str | None,
) -> MeasureDetail:
    reading = read_measure(measure, analysis) if analysis else None
    all_signals = (
        tuple(_signal_view(measure, analysis, s) for s in analysis.xmr.signals) if analysis else ()
    )
    exclusions = tuple(
        EventView(str(e.period), "excluded", e.reason)
        for e in sorted(measure.meta.limits.exclude, key=lambda e: e.period)
    )
    events = tuple(
        EventView(period_name(e.date), e.kind, e.text)
        for e in sorted(measure.meta.events, key=lambda e: (e.date, e.kind, e.text))
    )
    return MeasureDetail(
        view=view,
        paragraphs=reading.paragraphs if reading else ("No data yet.",),
        chart=_one_block(chart(measure, analysis, view.summary, "full")) if analysis else "",
        all_signals=all_signals,
        phases=_phase_views(measure, analysis) if analysis else (),
        exclusions=exclusions,
        definition=_definition(measure, view.goal_title),
        frequency=measure.meta.frequency,
        better=_BETTER[measure.meta.better],
        roles=_role_views(measure, report_date),
        events=events,
        body=sanitise_markdown(measure.body),
        data=_data_rows(measure, analysis) if analysis else (),
        csv=data_file(measure.id) if measure.series else "",
        source=measure.path,
        edit_url=f"{edit_base}{quote(measure.path)}" if edit_base else "",
    )


# --- goals ---------------------------------------------------------------------------------------


def _title_key(item: Goal | Measure) -> tuple[str, str]:
    return (item.title.casefold(), item.id)


def goal_tree(goals: Mapping[str, Goal]) -> list[tuple[Goal, int]]:
    """Goals depth first, each with its depth; roots and siblings sorted by title. A goal whose
    parent is missing is a root; a parent cycle is cut where it closes."""
    children: dict[str | None, list[Goal]] = {}
    for goal in goals.values():
        parent = goal.meta.parent if goal.meta.parent in goals else None
        children.setdefault(parent, []).append(goal)
    ordered: list[tuple[Goal, int]] = []
    seen: set[str] = set()

    def visit(goal: Goal, depth: int) -> None:
        if goal.id in seen:
            return
        seen.add(goal.id)
        ordered.append((goal, depth))
        for child in sorted(children.get(goal.id, []), key=_title_key):
            visit(child, depth + 1)

    for root in sorted(children.get(None, []), key=_title_key):
        visit(root, 0)
    for goal in sorted(goals.values(), key=_title_key):  # goals caught in a cycle
        visit(goal, 0)
    return ordered


def descendants(goals: Mapping[str, Goal], goal_id: str) -> list[str]:
    """The ids of a goal's sub-goals, all levels, in tree order."""
    found: list[str] = []
    frontier = [goal_id]
    while frontier:
        current = frontier.pop(0)
        kids = sorted(
            (g for g in goals.values() if g.meta.parent == current and g.id not in found),
            key=_title_key,
        )
        kids = [g for g in kids if g.id != goal_id]
        found += [g.id for g in kids]
        frontier += [g.id for g in kids]
    return found


# --- the model of the whole site -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    goal: GoalView  # a top-level goal (page "" for measures whose goal file is missing)
    key_results: tuple[MeasureView, ...]  # of the goal and its sub-goals, by title
    kpis: tuple[MeasureView, ...]  # of the goal and its sub-goals, by title


@dataclass(slots=True)
class SiteModel:
    report_date: date
    quarter: str
    measures: dict[str, MeasureView] = field(default_factory=dict)  # sorted by title
    goals: dict[str, GoalView] = field(default_factory=dict)  # in tree order

    def by_goal(self, goal_id: str, role: str) -> tuple[MeasureView, ...]:
        return tuple(m for m in self.measures.values() if m.goal_id == goal_id and m.role == role)


def _goal_views(
    goals: Mapping[str, Goal], measures: Mapping[str, MeasureView]
) -> dict[str, GoalView]:
    views: dict[str, GoalView] = {}
    for goal, depth in goal_tree(goals):
        parent_id = goal.meta.parent
        views[goal.id] = GoalView(
            id=goal.id,
            title=goal.title,
            page=goal_page(goal.id),
            owner=goal.meta.owner or "",
            depth=depth,
            parent=views.get(parent_id) if parent_id else None,
            key_results=tuple(
                m for m in measures.values() if m.goal_id == goal.id and m.role == "improve"
            ),
            kpis=tuple(
                m for m in measures.values() if m.goal_id == goal.id and m.role == "sustain"
            ),
        )
    children: dict[str, list[GoalView]] = {}
    for view in views.values():
        if view.parent is not None:
            children.setdefault(view.parent.id, []).append(view)
    return {gid: _with_children(view, children) for gid, view in views.items()}


def _with_children(view: GoalView, children: Mapping[str, list[GoalView]]) -> GoalView:
    return GoalView(
        id=view.id,
        title=view.title,
        page=view.page,
        owner=view.owner,
        depth=view.depth,
        parent=view.parent,
        children=tuple(children.get(view.id, [])),
        key_results=view.key_results,
        kpis=view.kpis,
    )


def build_model(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    report_date: date,
    chart: ChartRenderer,
) -> SiteModel:
    model = SiteModel(report_date, str(quarter_of(report_date)))
    for measure in sorted(repo.measures.values(), key=_title_key):
        model.measures[measure.id] = _measure_view(
            measure, analyses.get(measure.id), repo.goals, report_date, chart
        )
    model.goals = _goal_views(repo.goals, model.measures)
    return model


def _review_heads(model: SiteModel) -> list[tuple[GoalView, bool]]:
    """The goals the review is organised by, each with whether it takes in its sub-goals: the
    top-level goals; under a single top-level goal (a mission), its sub-goals instead."""
    roots = [g for g in model.goals.values() if g.depth == 0]
    if len(roots) == 1 and roots[0].children:
        return [(roots[0], False), *((child, True) for child in roots[0].children)]
    return [(root, True) for root in roots]


def review_groups(model: SiteModel, goals: Mapping[str, Goal]) -> list[ReviewGroup]:
    """Both roles in one field of view: for each top-level goal, the key results and the KPIs of
    the goal and all its sub-goals. Groups with key results come first; measures whose goal
    file is missing come last."""
    groups = []
    for head, deep in _review_heads(model):
        ids = [head.id, *(descendants(goals, head.id) if deep else ())]
        members = [m for m in model.measures.values() if m.goal_id in ids]
        groups.append(_review_group(head, members))
    orphans = [m for m in model.measures.values() if m.goal_page is None]
    if orphans:
        missing = GoalView("", "Measures whose goal file is missing", "", "", 0, None)
        groups.append(_review_group(missing, orphans))
    groups = [g for g in groups if g.key_results or g.kpis]
    return sorted(groups, key=lambda g: not g.key_results)  # stable: tree order otherwise


def _review_group(head: GoalView, members: Sequence[MeasureView]) -> ReviewGroup:
    return ReviewGroup(
        goal=head,
        key_results=tuple(m for m in members if m.role == "improve"),
        kpis=tuple(m for m in members if m.role == "sustain"),
    )


# --- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    title: str
    source: str | None  # the repo file the page comes from, for its edit link
    context: Mapping[str, Any]


def _environment(templates: Mapping[str, str]) -> jinja2.Environment:
    return environment(templates, {"e": md_escape, "escape": md_escape, "md_escape": md_escape})


class TemplateFailure(Exception):
    """A user template failed while rendering a page; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _source(env: jinja2.Environment, name: str) -> str:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def frontmatter(title: str, edit_url: str | None) -> str:
    meta: dict[str, str] = {"title": html_text(title)}
    if edit_url:
        meta["edit_url"] = edit_url
    return (
        "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"
    )


def _tidy(markdown: str) -> str:
    """At most one blank line in a row, and one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"


def _render(env: jinja2.Environment, page: Page, edit_base: str | None) -> str:
    def link(target: str) -> str:
        return relative_link(page.path, target)

    try:
        template = env.get_template(page.template)
        body = template.render(**page.context, link=link, page_path=page.path)
    except jinja2.TemplateError as error:
        problem = render_problem(error, page.path)
        if problem is None:
            raise
        raise TemplateFailure(problem) from error
    edit_url = f"{edit_base}{quote(page.source)}" if edit_base and page.source else None
    return frontmatter(page.title, edit_url) + _tidy(body)


def _pages(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    model: SiteModel,
    chart: ChartRenderer,
    results_map: MapRenderer,
    edit_base: str | None,
) -> Iterator[Page]:
    measures = list(model.measures.values())
    key_results = [m for m in measures if m.role == "improve"]
    kpis = [m for m in measures if m.role == "sustain"]
    attention = [m for m in kpis if m.status.key == "attention"]
    common = {"report_date": long_date(model.report_date), "quarter": model.quarter}
    focus_goals = [g for g in model.goals.values() if g.key_results]
    changed = sorted(
        (m for m in measures if m.new_signals),
        key=lambda m: (_effect_rank(m.new_signals), m.title.casefold(), m.id),
    )
    yield Page(
        "index.md",
        "index.md",
        "Home",
        None,
        {
            **common,
            "key_results": key_results,
            "focus_goals": focus_goals,
            "changed": changed,
            "attention": attention,
            "kpis": kpis,
            "orphans": [m for m in key_results if m.goal_page is None],
        },
    )
    yield Page(
        "strategic.md",
        "strategic.md",
        "Strategic",
        None,
        {
            **common,
            "goals": focus_goals,
            "orphans": [m for m in key_results if m.goal_page is None],
        },
    )
    groups = [
        (g, tuple(m for m in g.kpis if m.status.key != "attention")) for g in model.goals.values()
    ]
    yield Page(
        "operational.md",
        "operational.md",
        "Operational",
        None,
        {
            **common,
            "attention": attention,
            "groups": [(g, ms) for g, ms in groups if ms],
            "orphans": [m for m in kpis if m.goal_page is None and m.status.key != "attention"],
        },
    )
    yield Page(
        "review.md",
        "review.md",
        "Review",
        None,
        {
            **common,
            "groups": review_groups(model, repo.goals),
        },
    )
    directory_urls = repo.site_config.get("use_directory_urls", True) is not False

    def map_link(item_id: str) -> str:
        if item_id in repo.goals:
            return url_link("goals/index.md", goal_page(item_id), directory_urls)
        if item_id in repo.measures:
            return url_link("goals/index.md", measure_page(item_id), directory_urls)
        return "#"

    focus_ids = frozenset(g.id for g in focus_goals)
    svg = _one_block(results_map(repo.goals, repo.measures, map_link, focus_ids))
    yield Page(
        "goals/index.md",
        "goals.md",
        "Results map",
        None,
        {
            **common,
            "results_map": svg,
            "goals": list(model.goals.values()),
        },
    )
    for goal_view in model.goals.values():
        goal = repo.goals[goal_view.id]
        yield Page(
            goal_view.page,
            "goal.md",
            goal.title,
            goal.path,
            {
                **common,
                "goal": goal_view,
                "body": sanitise_markdown(goal.body),
            },
        )
    for view in measures:
        measure = repo.measures[view.id]
        detail = _detail(measure, analyses.get(view.id), view, model.report_date, chart, edit_base)
        yield Page(
            view.page,
            "measure.md",
            measure.title,
            measure.path,
            {
                **common,
                "m": view,
                "d": detail,
            },
        )
    terms = sorted(_glossary(repo.glossary).items(), key=lambda t: (t[0].casefold(), t[0]))
    yield Page("glossary.md", "glossary.md", "Glossary", None, {**common, "terms": terms})


def _effect_rank(signals: Sequence[SignalView]) -> int:
    effects = {s.effect for s in signals}
    return 0 if "concern" in effects else 1 if "improvement" in effects else 2


def _glossary(glossary: Mapping[str, str]) -> dict[str, str]:
    """Terms with text, trimmed; blank ones would match everywhere or nowhere."""
    cleaned = {" ".join(t.split()): " ".join(d.split()) for t, d in glossary.items()}
    return {t: d for t, d in sorted(cleaned.items()) if t and d}


def tooltips(glossary: Mapping[str, str]) -> dict[str, str]:
    """The glossary for tooltips: tooltips match case-sensitively and whole words only, so a
    term also gets its capitalised form (at the start of a sentence, in badges) and an
    acronym its plural (KPIs)."""
    terms = _glossary(glossary)
    extra: dict[str, str] = {}
    for term, meaning in terms.items():
        if term[0].islower():
            extra[term[0].upper() + term[1:]] = meaning
        if term.isupper() and term.isalpha():
            extra[term + "s"] = meaning
    return dict(sorted({**extra, **terms}.items()))


def _nav(model: SiteModel) -> list[Any]:
    goals = sorted(model.goals.values(), key=lambda g: (g.title.casefold(), g.id))
    return [
        {"Home": "index.md"},
        {"Strategic": "strategic.md"},
        {"Operational": "operational.md"},
        {"Review": "review.md"},
        {"Goals": ["goals/index.md", *({html_text(g.title): g.page} for g in goals)]},
        {"Glossary": "glossary.md"},
    ]


def render_site(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    report_date: date,
    *,
    chart: ChartRenderer,
    results_map: MapRenderer,
    templates: Mapping[str, str] = {},
    edit_base: str | None = None,
) -> Site:
    """The whole site for `report_date`: every page, the CSV copies, the CSS, nav and glossary.
    Raises TemplateFailure when a user template fails."""
    env = _environment(templates)
    model = build_model(repo, analyses, report_date, chart)
    files: dict[str, str] = {}
    for page in _pages(repo, analyses, model, chart, results_map, edit_base):
        files[page.path] = _render(env, page, edit_base)
    for measure in sorted(repo.measures.values(), key=lambda m: m.id):
        if measure.series is not None:
            files[data_file(measure.id)] = measure_csv(measure, report_date)
    files[CSS_PATH] = _source(env, "pumpsite.css")  # plain CSS, not a template
    return Site(
        files=dict(sorted(files.items())),
        nav=_nav(model),
        glossary=tooltips(repo.glossary),
        extra_css=(CSS_PATH,),
    )

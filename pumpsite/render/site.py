"""The whole website as a value: Markdown pages, CSV copies and CSS, the charts, the nav and the
glossary.

Pure: `render_site` takes the repository, its analyses, the report date and the charts, and
returns a `Site`; the engine adapter (`pumpsite.build.engine`) writes it out. Pages name their
charts by reference (`pumpsite.render.chart_ref`) and the site holds the charts once; the adapter
decides how they reach the reader. The results map is drawn by an injected callable, so this
module only decides what goes on which page and in what words.

Pages are Jinja2 templates (`pumpsite/templates/`, overridable by file name from the
repository's `site_templates/`). Templates receive view-models (`views.py`, `site_model.py`), so
they stay simple. Autoescape is off because the output is Markdown, not HTML; the `e` filter
(`safe_markdown.md_escape`) escapes user text and must be used on every user-provided value.
A repository's own templates come in pull requests: its pages render in a worker process with
bounded time and memory (`pumpsite.template_worker`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast
from urllib.parse import quote

import jinja2
import yaml

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import long_date
from pumpsite.model import Goal, Measure, Repo
from pumpsite.problems import PAGE_TOO_LARGE, Problem
from pumpsite.render.action_views import action_detail
from pumpsite.render.chart_ref import RESULTS_MAP, ChartRef
from pumpsite.render.icons import LEGEND
from pumpsite.render.paths import (
    data_file,
    directory_urls,
    goal_page,
    measure_page,
    relative_link,
    url_link,
)
from pumpsite.render.safe_markdown import html_text, md_escape, notes_html
from pumpsite.render.site_model import SiteModel, build_model, review_groups
from pumpsite.render.summary import summary_charts
from pumpsite.render.template_worker import Limits, Started, run_bounded, seconds_for
from pumpsite.render.templating import (
    OverLimit,
    Sandbox,
    TemplateFailure,
    environment,
    render_problem,
    user_templates,
)
from pumpsite.render.views import GoalView, MeasureView, SignalView, measure_csv, measure_detail

MapRenderer = Callable[
    [Mapping[str, Goal], Mapping[str, Measure], Callable[[str], str], AbstractSet[str]], str
]
"""(goals, measures, link(id) -> URL, focus goal ids) -> inline SVG of the results map."""

CSS_PATH = "assets/pumpsite.css"


@dataclass(frozen=True, slots=True)
class Site:
    """The whole website as a value."""

    files: Mapping[str, str]  # docs-relative POSIX path -> text: Markdown pages, CSV copies, CSS
    nav: list[Any]  # MkDocs `nav` (list of {title: path} / {title: [...]}) for generated pages
    glossary: Mapping[str, str]  # term -> definition, for tooltips (pumpsite.render.tooltips)
    extra_css: tuple[str, ...]  # docs-relative CSS files to add
    charts: Mapping[ChartRef, str] = field(default_factory=dict)  # inline SVG with no blank
    # lines, of each chart the pages name by a marker (see pumpsite.render.chart_ref)


# --- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    title: str
    source: str | None  # the repo file the page comes from, for its edit link
    context: Mapping[str, Any]


def _environment(templates: Mapping[str, str]) -> Sandbox:
    return environment(templates, {"e": md_escape, "escape": md_escape, "md_escape": md_escape})


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


def _joined(chunks: Iterator[str], limit: int | None) -> str:
    """The page's text; one that grows past `limit` characters is stopped by an exception
    thrown into the template where it is, so the problem names that line."""
    if limit is None:  # pumpsite's own templates
        return "".join(chunks)
    parts, size = [], 0
    for chunk in chunks:
        try:
            size += len(chunk)
            if limit is not None and size > limit:
                message = f"The template made a page of more than {limit:,} characters."
                raise OverLimit(PAGE_TOO_LARGE, message)
            parts.append(chunk)
        except OverLimit as error:  # this one, or the worker's timer firing here
            cast(Generator[str, None, None], chunks).throw(error)
    return "".join(parts)


def _render(env: Sandbox, page: Page, job: Rendering) -> str:
    def link(target: str) -> str:
        return relative_link(page.path, target)

    try:
        template = env.get_template(page.template)
        chunks = template.generate(**page.context, link=link, page_path=page.path)
        body = _joined(chunks, job.page_characters)
    except Exception as error:  # anything a user template raises is a problem; others re-raise
        own = [page.template] if page.template in job.templates else []
        problem = render_problem(error, page.path, own + [n for n in env.used if n not in own])
        if problem is None:
            raise
        raise TemplateFailure(problem) from error
    edit_url = f"{job.edit_base}{quote(page.source)}" if job.edit_base and page.source else None
    return frontmatter(page.title, edit_url) + _tidy(body)


@dataclass(frozen=True, slots=True)
class Rendering:
    """The pages to render and how: what a worker process receives."""

    templates: Mapping[str, str]
    pages: Sequence[Page]
    edit_base: str | None
    page_characters: int | None  # None: no limit (pumpsite's own templates)


def render_pages(job: Rendering, started: Started = lambda template: None) -> dict[str, str]:
    """Each page's Markdown by path. Raises TemplateFailure when a user template fails."""
    env = _environment(job.templates)
    files = {}
    for page in job.pages:
        started(page.template)
        files[page.path] = _render(env, page, job)
    return files


def _render_all(
    pages: Sequence[Page], templates: Mapping[str, str], edit_base: str | None, limits: Limits
) -> dict[str, str]:
    """Pumpsite's own templates render here; a repository's own ones in a bounded worker."""
    own = user_templates(templates)
    if not own:
        return render_pages(Rendering(templates, pages, edit_base, None))
    job = Rendering(templates, pages, edit_base, limits.page_characters)
    return run_bounded(render_pages, job, limits, set(own))


def _pages(
    repo: Repo, analyses: Mapping[str, MeasureAnalysis], model: SiteModel, edit_base: str | None
) -> Iterator[Page]:
    """Every page of the site, in the order they render."""
    common = {"report_date": long_date(model.report_date), "quarter": model.quarter}
    yield _home_page(model, common)
    yield _strategic_page(model, common)
    yield _operational_page(model, common)
    yield _review_page(repo, model, common)
    yield _results_map_page(model, common)
    yield from _goal_pages(repo, model, common)
    yield from _measure_pages(repo, analyses, model, common, edit_base)
    yield from _action_pages(repo, model, common)
    yield _glossary_page(repo, common)


def _by_role(model: SiteModel, role: str) -> list[MeasureView]:
    return [m for m in model.measures.values() if m.role == role]


def _needs_attention(kpis: Sequence[MeasureView]) -> list[MeasureView]:
    return [m for m in kpis if m.status.key == "attention"]


def _focus_goals(model: SiteModel) -> list[GoalView]:
    """The goals with key results in the report quarter, in tree order."""
    return [g for g in model.goals.values() if g.key_results]


def _home_page(model: SiteModel, common: Mapping[str, str]) -> Page:
    measures = list(model.measures.values())
    key_results, kpis = _by_role(model, "improve"), _by_role(model, "sustain")
    changed = sorted(
        (m for m in measures if m.new_signals),
        key=lambda m: (_effect_rank(m.new_signals), m.title.casefold(), m.id),
    )
    context = {
        **common,
        "legend": LEGEND,
        "summary": [*key_results, *kpis],
        "key_results": key_results,
        "focus_goals": _focus_goals(model),
        "changed": changed,
        "attention": _needs_attention(kpis),
        "kpis": kpis,
        "orphans": [m for m in key_results if m.goal_page is None],
        "stale": [m for m in measures if m.stale],
    }
    return Page("index.md", "index.md", "Home", None, context)


def _strategic_page(model: SiteModel, common: Mapping[str, str]) -> Page:
    orphans = [m for m in _by_role(model, "improve") if m.goal_page is None]
    goals = _focus_goals(model)
    summary = [m for g in goals for m in g.key_results] + orphans
    context = {**common, "goals": goals, "orphans": orphans, "legend": LEGEND, "summary": summary}
    return Page("strategic.md", "strategic.md", "Strategic", None, context)


def _operational_page(model: SiteModel, common: Mapping[str, str]) -> Page:
    """The KPIs that need attention first, then the others by goal."""
    kpis = _by_role(model, "sustain")
    usual = [m for m in kpis if m.status.key != "attention"]
    groups = [
        (g, tuple(m for m in g.kpis if m.status.key != "attention")) for g in model.goals.values()
    ]
    attention = _needs_attention(kpis)
    context = {
        **common,
        "legend": LEGEND,
        "summary": [*attention, *(m for m in kpis if m.status.key != "attention")],
        "attention": attention,
        "groups": [(g, ms) for g, ms in groups if ms],
        "orphans": [m for m in usual if m.goal_page is None],
    }
    return Page("operational.md", "operational.md", "Operational", None, context)


def _review_page(repo: Repo, model: SiteModel, common: Mapping[str, str]) -> Page:
    groups = review_groups(model, repo.goals)
    summary = [m for g in groups for m in (*g.key_results, *g.kpis)]
    context = {**common, "groups": groups, "legend": LEGEND, "summary": summary}
    return Page("review.md", "review.md", "Review", None, context)


def _results_map_page(model: SiteModel, common: Mapping[str, str]) -> Page:
    context = {**common, "results_map": RESULTS_MAP, "goals": list(model.goals.values())}
    return Page("goals/index.md", "goals.md", "Results map", None, context)


def _goal_pages(repo: Repo, model: SiteModel, common: Mapping[str, str]) -> Iterator[Page]:
    for view in model.goals.values():
        goal = repo.goals[view.id]
        context = {**common, "goal": view, "body": notes_html(goal.body, tooltips(repo.glossary))}
        yield Page(view.page, "goal.md", goal.title, goal.path, context)


def _measure_pages(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    model: SiteModel,
    common: Mapping[str, str],
    edit_base: str | None,
) -> Iterator[Page]:
    glossary = tooltips(repo.glossary)
    for view in model.measures.values():
        measure = repo.measures[view.id]
        detail = measure_detail(
            measure, analyses.get(view.id), view, model.report_date, edit_base, glossary
        )
        context = {**common, "m": view, "d": detail}
        yield Page(view.page, "measure.md", measure.title, measure.path, context)


def _action_pages(repo: Repo, model: SiteModel, common: Mapping[str, str]) -> Iterator[Page]:
    glossary = tooltips(repo.glossary)
    for action in sorted(repo.actions.values(), key=lambda a: (a.meta.start, a.id)):
        detail = action_detail(
            action, repo.goals, repo.measures, repo.settings, model.report_date, glossary
        )
        context = {**common, "a": detail}
        yield Page(detail.line.page, "action.md", action.title, action.path, context)


def _glossary_page(repo: Repo, common: Mapping[str, str]) -> Page:
    terms = sorted(_glossary(repo.glossary).items(), key=lambda t: (t[0].casefold(), t[0]))
    return Page("glossary.md", "glossary.md", "Glossary", None, {**common, "terms": terms})


def _results_map(repo: Repo, model: SiteModel, draw: MapRenderer) -> str:
    """The results map, each box linking to its goal's or measure's page; the goals with key
    results are in focus."""
    folders = directory_urls(repo.site_config)

    def link(item_id: str) -> str:
        if item_id in repo.goals:
            return url_link("goals/index.md", goal_page(item_id), folders)
        if item_id in repo.measures:
            return url_link("goals/index.md", measure_page(item_id), folders)
        return "#"

    focus = frozenset(g.id for g in _focus_goals(model))
    return _one_block(draw(repo.goals, repo.measures, link, focus))


def _one_block(svg: str) -> str:
    """Inline SVG as one raw-HTML block: no blank lines, no XML prolog."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", "", svg)
    return "\n".join(line for line in svg.strip().split("\n") if line.strip())


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


NAV_GOALS = 30
"""Beyond this many goals the nav lists only the top-level ones: the nav is on every page, so
with hundreds of goals it would outweigh the page (sub-goals are linked from their parent's page
and the results map)."""


def _nav(model: SiteModel) -> list[Any]:
    """The sections, and the goals in the results map's order (a goal, then its sub-goals)."""
    goals = list(model.goals.values())
    if len(goals) > NAV_GOALS:
        goals = [g for g in goals if g.parent is None]
    return [
        {"Home": "index.md"},
        {"Strategic": "strategic.md"},
        {"Operational": "operational.md"},
        {"Review": "review.md"},
        {"Goals": ["goals/index.md", *({html_text(g.title): g.page} for g in goals)]},
        {"Glossary": "glossary.md"},
    ]


def trial_problems(
    repo: Repo, analyses: Mapping[str, MeasureAnalysis], report_date: date
) -> list[Problem]:
    """What rendering every page with the repository's own templates finds, charts left out,
    within the same limits as a build: `pumpsite check` runs the templates of a pull request
    before anything is built. [] for a repository without templates of its own."""
    if not user_templates(repo.templates):
        return []
    try:
        render_site(
            repo,
            analyses,
            report_date,
            charts={},
            results_map=lambda *_: "<svg></svg>",
            templates=repo.templates,
        )
    except TemplateFailure as failure:
        return [failure.problem]
    return []


def _data_files(repo: Repo, report_date: date) -> dict[str, str]:
    """The CSV copy of each measure's data up to the report date."""
    return {
        data_file(measure.id): measure_csv(measure, report_date)
        for measure in sorted(repo.measures.values(), key=lambda m: m.id)
        if measure.series is not None
    }


def render_site(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    report_date: date,
    *,
    charts: Mapping[ChartRef, str],
    results_map: MapRenderer,
    templates: Mapping[str, str] = {},
    edit_base: str | None = None,
    limits: Limits | None = None,
) -> Site:
    """The whole site for `report_date`: every page, the CSV copies, the CSS, the charts (each
    measure's, by reference, as given in `charts`, and the results map), nav and glossary.
    Raises TemplateFailure when a user template fails or passes one of `limits` (by default
    the time in `template_seconds` of the site settings)."""
    env = _environment(templates)
    model = build_model(repo, analyses, report_date)
    pages = list(_pages(repo, analyses, model, edit_base))
    limits = limits or Limits(seconds_for(len(pages), repo.settings.template_seconds))
    files = _render_all(pages, templates, edit_base, limits) | _data_files(repo, report_date)
    files[CSS_PATH] = _source(env, "pumpsite.css")  # plain CSS, not a template
    return Site(
        files=dict(sorted(files.items())),
        nav=_nav(model),
        glossary=tooltips(repo.glossary),
        extra_css=(CSS_PATH,),
        charts={
            **charts,
            RESULTS_MAP: _results_map(repo, model, results_map),
            **summary_charts(
                repo.measures, analyses, {k: m.row for k, m in model.measures.items()}
            ),
        },
    )

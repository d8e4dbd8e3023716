"""The whole website as a value: Markdown pages, CSV copies and CSS, the nav and the glossary.

Pure: `render_site` takes the repository, its analyses and the report date and returns a `Site`;
the MkDocs adapter (`pumpsite._mkdocs`) writes it out. Charts and the results map are drawn by
injected callables, so this module only decides what goes on which page and in what words.

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
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from urllib.parse import quote

import jinja2
import yaml

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import long_date
from pumpsite.model import Goal, Measure, Problem, Repo
from pumpsite.render.paths import data_file, goal_page, measure_page, relative_link, url_link
from pumpsite.render.safe_markdown import html_text, md_escape, notes_html
from pumpsite.render.site_model import SiteModel, build_model, review_groups
from pumpsite.render.template_worker import Limits, Started, run_bounded, seconds_for
from pumpsite.render.templating import (
    PAGE_TOO_LARGE,
    OverLimit,
    Sandbox,
    TemplateFailure,
    environment,
    render_problem,
    user_templates,
)
from pumpsite.render.views import ChartRenderer, SignalView, measure_csv, measure_detail, one_block

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
    glossary = tooltips(repo.glossary)
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
            "stale": [m for m in measures if m.stale],
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
    svg = one_block(results_map(repo.goals, repo.measures, map_link, focus_ids))
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
                "body": notes_html(goal.body, glossary),
            },
        )
    for view in measures:
        measure = repo.measures[view.id]
        detail = measure_detail(
            measure, analyses.get(view.id), view, model.report_date, chart, edit_base, glossary
        )
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


NAV_GOALS = 30
"""Beyond this many goals the nav lists only the top-level ones: the nav is on every page, so
with hundreds of goals it would outweigh the page (sub-goals are linked from their parent's page
and the results map)."""


def _nav(model: SiteModel) -> list[Any]:
    goals = sorted(model.goals.values(), key=lambda g: (g.title.casefold(), g.id))
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
    empty = "<svg></svg>"
    try:
        render_site(
            repo,
            analyses,
            report_date,
            chart=lambda *_: empty,
            results_map=lambda *_: empty,
            templates=repo.templates,
        )
    except TemplateFailure as failure:
        return [failure.problem]
    return []


def render_site(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    report_date: date,
    *,
    chart: ChartRenderer,
    results_map: MapRenderer,
    templates: Mapping[str, str] = {},
    edit_base: str | None = None,
    limits: Limits | None = None,
) -> Site:
    """The whole site for `report_date`: every page, the CSV copies, the CSS, nav and glossary.
    Raises TemplateFailure when a user template fails or passes one of `limits` (by default
    the time in `template_seconds` of the site settings)."""
    env = _environment(templates)
    model = build_model(repo, analyses, report_date, chart)
    pages = list(_pages(repo, analyses, model, chart, results_map, edit_base))
    limits = limits or Limits(seconds_for(len(pages), repo.settings.template_seconds))
    files = _render_all(pages, templates, edit_base, limits)
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

"""The site as a value: pages, links, nav, roles, escaping, overrides, goldens.

Charts and the results map are fakes here (their own tests cover them); pages name charts by
marker, and the goldens hold them put in place as the engine adapter does for a theme other than
Material. Golden files of the small fixture repository live in tests/golden/site/; refresh them with
`PUMPSITE_UPDATE_GOLDEN=1 pytest tests/render/test_site.py -k golden` (never written under CI).
"""

from __future__ import annotations

import html.parser
import posixpath
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from pumpsite.actions import with_action_events
from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.build import engine
from pumpsite.build.engine import charts_inline
from pumpsite.checks.inspection import analyse_repo
from pumpsite.load.glossary import BUILTIN_GLOSSARY
from pumpsite.model import Goal, Measure, Observation, Repo, Series
from pumpsite.periods import Frequency, parse_period
from pumpsite.render.chart_ref import RESULTS_MAP, ChartRef
from pumpsite.render.paths import page_url, relative_link, url_link
from pumpsite.render.safe_markdown import NOTES_EXTENSIONS, md_escape, notes_html
from pumpsite.render.site import NAV_GOALS, Site, render_site
from pumpsite.schema import GoalMeta, MeasureMeta, SiteSettings
from tests import golden_files
from tests.factories import action
from tests.golden_files import assert_golden

GOLDEN = golden_files.GOLDEN / "site"
REPORT = date(2026, 11, 23)
EDIT = "https://github.com/acme/measures/edit/main/"
BASE = [18.0, 22.0] * 10  # central line 20, limits 9.36 .. 30.64
HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[x](javascript:alert(1))",
    "{: onclick=alert(1)}",
    "| * _ ` # \\",
)
SCRIPT = HOSTILE[0]
IMG = HOSTILE[1]
LINK = HOSTILE[2]


# --- fixtures ----------------------------------------------------------------------------------


def goal(id: str, title: str, body: str = "", **meta: Any) -> Goal:
    meta = {"kind": "goal", "title": title, **meta}
    return Goal(id, f"measures/{id}.md", GoalMeta.model_validate(meta), body)


def measure(
    id: str,
    values: list[float | None],
    *,
    start: str = "2024-01",
    frequency: Frequency = "monthly",
    body: str = "",
    notes: Mapping[int, str] | None = None,
    **meta: Any,
) -> Measure:
    data = {"title": id.title(), "frequency": frequency, "better": "down", **meta}
    parsed = MeasureMeta.model_validate(data, context={"frequency": frequency})
    first = parse_period(start, frequency)
    assert first is not None
    notes = notes or {}
    observations = tuple(
        Observation(first + i, v, notes.get(i, ""), i + 2) for i, v in enumerate(values)
    )
    series = Series(f"data/{id}.csv", "value", observations)
    return Measure(id, f"measures/{id}.md", parsed, body, f"data/{id}.csv", series)


def small_repo() -> Repo:
    """Customers (retention, growth) and systems; churn changed role in 2026-Q4."""
    goals = [
        goal(
            "customers", "Customers choose us again", "Our **mission** for customers.", owner="Ana"
        ),
        goal("retention", "Customers stay with us", parent="customers", owner="Dana"),
        goal("growth", "New customers join us", parent="customers"),
        goal("systems", "Systems run without downtime", owner="Priya"),
    ]
    measures = [
        measure(
            "churn",
            [*BASE, 18.0, 22.0, *[23.0] * 8],
            title="Monthly churn",
            goal="retention",
            unit="%",
            owner="Tom",
            roles=[
                {"from": "2024-Q1", "role": "sustain", "note": "Steady"},
                {
                    "from": "2026-Q4",
                    "role": "improve",
                    "target": 8,
                    "deadline": "2027-03-31",
                    "owner": "Aisha",
                    "note": "Churn crept up",
                },
            ],
            definition={"description": "Share of customers who left", "custodian": "BI team"},
            events=[{"date": "2026-03", "text": "Price rise", "kind": "note"}],
            body="## Why it matters\n\nEach point is a dozen customers.\n",
        ),
        measure(
            "complaints",
            [*BASE, *BASE[:14], 40.0],
            title="Complaints",
            goal="retention",
            unit="complaints",
            notes={34: "Courier strike"},
        ),
        measure(
            "satisfaction",
            [*BASE, *BASE[:15]],
            title="Satisfaction",
            goal="customers",
            better="up",
            unit="%",
        ),
        measure(
            "new-customers",
            [*[40.0, 50.0] * 12, 48.0, 52.0, 49.0, 51.0, 50.0, 60.0, 62.0, 61.0, 63.0, 64.0],
            title="New customers",
            goal="growth",
            better="up",
            unit="customers",
            roles=[{"from": "2026-Q3", "role": "improve", "target": 65, "deadline": "2026-09-30"}],
            limits={"phases": [{"from": "2026-06", "reason": "Referral programme"}]},
        ),
        measure(
            "downtime",
            [*BASE[:10], None, *BASE[11:], *[17.0] * 8],
            start="2025-W01",
            frequency="weekly",
            title="Downtime",
            goal="systems",
            unit="%",
        ),
    ]
    actions = [
        action(
            "referral-programme",
            ["new-customers"],
            start="2026-06-01",
            end="2026-09-30",
            goal="growth",
            title="Referral programme",
            owner="Sam",
            causes=["Happy customers had no easy way to recommend us"],
            status=[("planned", "2026-05-04"), ("running", "2026-06-01"), ("done", "2026-09-30")],
        ),
        action(
            "win-back-calls",
            [{"measure": "churn", "direction": "down"}],
            start="2026-12-01",
            goal="retention",
            title="Win-back calls",
            owner="Aisha",
            status=[("planned", "2026-11-02")],
        ),
    ]
    repo = Repo(
        root=Path("."),
        goals={g.id: g for g in goals},
        measures={m.id: m for m in measures},
        glossary={"KPI": "A measure to keep healthy", "key result": "A measure to change"},
        settings=SiteSettings(),
        site_config={},
        actions={a.id: a for a in actions},
    )
    return with_action_events(repo)  # as `inspect` hands the repository on


class FakeMap:
    """A results map that records what it was asked for."""

    def __init__(self) -> None:
        self.links: dict[str, str] = {}
        self.focus: AbstractSet[str] = frozenset()

    def __call__(
        self,
        goals: Mapping[str, Goal],
        measures: Mapping[str, Measure],
        link: Callable[[str], str],
        focus: AbstractSet[str],
    ) -> str:
        self.links = {item: link(item) for item in sorted([*goals, *measures])}
        self.focus = focus
        return '<svg class="pumpsite-results-map"/>'


def fake_charts(analyses: Mapping[str, MeasureAnalysis]) -> dict[ChartRef, str]:
    return {
        ChartRef(measure_id, size): f'<svg class="fake {size}"/>'
        for measure_id in analyses
        for size in ("full", "small")
    }


def render(
    repo: Repo,
    on: date = REPORT,
    *,
    results_map: FakeMap | None = None,
    templates: Mapping[str, str] | None = None,
    edit_base: str | None = EDIT,
) -> Site:
    analyses = analyse_repo(repo, on)
    return render_site(
        repo,
        analyses,
        on,
        charts=fake_charts(analyses),
        results_map=results_map or FakeMap(),
        templates=templates or {},
        edit_base=edit_base,
    )


@pytest.fixture(scope="module")
def site() -> Site:
    return render(small_repo())


def section(text: str, heading: str) -> str:
    """The Markdown under a heading, up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    rest = text[start + len(heading) :]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def frontmatter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(meta, dict)
    return meta


# --- pages and nav ------------------------------------------------------------------------------


def test_every_page_exists(site: Site) -> None:
    repo = small_repo()
    expected = {
        "index.md",
        "strategic.md",
        "operational.md",
        "review.md",
        "glossary.md",
        "goals/index.md",
        "assets/pumpsite.css",
        *(f"goals/{g}.md" for g in repo.goals),
        *(f"measures/{m}.md" for m in repo.measures),
        *(f"data/{m}.csv" for m in repo.measures),
        *(f"actions/{a}.md" for a in repo.actions),
    }
    assert set(site.files) == expected
    assert site.extra_css == ("assets/pumpsite.css",)


def test_every_page_has_one_title_and_a_yaml_title(site: Site) -> None:
    for path, text in site.files.items():
        if path.endswith(".md"):
            assert frontmatter(text)["title"], path
            assert len(re.findall(r"^# ", text, re.MULTILINE)) == 1, path


def _nav_paths(items: Any) -> list[str]:
    if isinstance(items, str):
        return [items]
    if isinstance(items, list):
        return [p for item in items for p in _nav_paths(item)]
    if isinstance(items, dict):
        return [p for value in items.values() for p in _nav_paths(value)]
    return []


def test_nav_is_small_and_lists_no_measure(site: Site) -> None:
    titles = [next(iter(entry)) for entry in site.nav]
    assert titles == ["Home", "Strategic", "Operational", "Review", "Goals", "Glossary"]
    paths = _nav_paths(site.nav)
    assert not [p for p in paths if p.startswith(("measures/", "actions/"))]
    assert set(paths) <= set(site.files)
    goals = site.nav[4]["Goals"]
    assert goals[0] == "goals/index.md"
    assert [next(iter(g)) for g in goals[1:]] == [
        "Customers choose us again",
        "Customers stay with us",
        "New customers join us",
        "Systems run without downtime",
    ]


def test_with_many_goals_the_nav_lists_only_the_top_level_ones() -> None:
    tops = [goal(f"top-{i}", f"Result {i:02d} happens") for i in range(3)]
    subs = [goal(f"sub-{i}", f"Part {i} happens", parent=f"top-{i % 3}") for i in range(NAV_GOALS)]
    many = replace(small_repo(), goals={g.id: g for g in [*tops, *subs]}, measures={})
    nav = render(many).nav[4]["Goals"]
    assert [next(iter(g)) for g in nav[1:]] == [g.title for g in tops]


def test_the_nav_lists_the_goals_as_the_results_map_does_not_by_the_alphabet() -> None:
    goals = [goal("z", "Zeal"), goal("a", "Ample", parent="z"), goal("m", "Merit")]
    tree = replace(small_repo(), goals={g.id: g for g in goals}, measures={})
    nav = render(tree).nav[4]["Goals"]
    assert [next(iter(g)) for g in nav[1:]] == ["Merit", "Zeal", "Ample"]


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_points_at_a_generated_file(site: Site) -> None:
    checked = 0
    for path, text in site.files.items():
        if not path.endswith(".md"):
            continue
        for target in _LINK.findall(text):
            if target.startswith(("https://", "http://", "#")):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            assert resolved in site.files, f"{path} links to missing {target}"
            checked += 1
    assert checked > 50


def test_links_are_relative_to_the_page() -> None:
    assert relative_link("strategic.md", "measures/churn.md") == "measures/churn.md"
    assert relative_link("goals/retention.md", "measures/churn.md") == "../measures/churn.md"
    assert relative_link("goals/index.md", "goals/retention.md") == "retention.md"
    assert relative_link("index.md", "measures/a b.md") == "measures/a%20b.md"


def test_built_urls_for_raw_html_links() -> None:
    assert page_url("goals/index.md", True) == "goals/"
    assert page_url("goals/g.md", True) == "goals/g/"
    assert page_url("index.md", True) == ""
    assert page_url("goals/g.md", False) == "goals/g.html"
    assert url_link("goals/index.md", "goals/g.md", True) == "g/"
    assert url_link("goals/index.md", "measures/m.md", True) == "../measures/m/"
    assert url_link("goals/index.md", "index.md", True) == "../"
    assert url_link("goals/index.md", "goals/g.md", False) == "g.html"
    assert url_link("goals/index.md", "measures/m.md", False) == "../measures/m.html"


def test_results_map_gets_built_urls_and_the_goals_in_focus() -> None:
    fake = FakeMap()
    site = render(small_repo(), results_map=fake)
    assert fake.links["retention"] == "retention.html"
    assert fake.links["churn"] == "../measures/churn.html"
    assert fake.focus == {"retention", "growth"}
    assert str(RESULTS_MAP) in site.files["goals/index.md"]
    assert '<svg class="pumpsite-results-map"/>' in charts_inline(site)["goals/index.md"]


def test_results_map_links_follow_use_directory_urls() -> None:
    fake = FakeMap()
    render(replace(small_repo(), site_config={"use_directory_urls": True}), results_map=fake)
    assert fake.links["retention"] == "retention/"


# --- home, strategic, operational, review -------------------------------------------------------


def test_home_gives_the_report_date_focus_changes_and_attention(site: Site) -> None:
    home = site.files["index.md"]
    assert "Report for 23 November 2026 · 2026-Q4" in home
    focus = section(home, "## Focus this quarter")
    assert "2 key results in 2026-Q4, under 2 goals." in focus
    assert (
        "[Customers stay with us](goals/retention.md): [Monthly churn](measures/churn.md)" in focus
    )
    changed = section(home, "## What changed")
    assert "[Complaints](measures/complaints.md)" in changed
    assert "Point beyond the limits, Nov 2026" in changed
    assert "[Satisfaction]" not in changed
    attention = section(home, "## Business as usual that needs attention")
    assert "[Complaints](measures/complaints.md)" in attention
    assert "[Downtime]" not in attention  # its signal is an improvement
    for page in ("strategic.md", "operational.md", "review.md", "goals/index.md", "glossary.md"):
        assert f"]({page})" in home
    assert "traffic" not in home.lower()


def test_strategic_shows_each_key_result_with_target_assurance_and_chart(site: Site) -> None:
    page = charts_inline(site)["strategic.md"]
    churn = section(page, "### [Monthly churn](measures/churn.md)")
    assert '<svg class="fake small"/>' in churn
    assert "- **Target:** 8% by 31 Mar 2027 · owner Aisha" in churn
    assert "can't be judged until a new phase: the latest values are signals" in churn
    assert "- **Achieved:** not yet" in churn
    assert "Consider a new phase from" in churn
    new = section(page, "### [New customers](measures/new-customers.md)")
    assert "- **Deadline passed:**" in new
    assert "[Complaints]" not in page  # a KPI


def test_chart_blocks_are_raw_html_without_blank_lines(site: Site) -> None:
    for path, text in charts_inline(site).items():
        for block in re.findall(r'<div class="pumpsite-chart-wrap[^>]*>.*?</div>', text, re.S):
            assert "\n\n" not in block, path
            assert "data-search-exclude" in block and 'markdown="0"' in block


def test_a_kpi_with_a_concern_signal_comes_first_under_needs_attention(site: Site) -> None:
    page = site.files["operational.md"]
    attention = section(page, "## Needs attention")
    headings = re.findall(r"^### (.*)$", attention, re.MULTILINE)
    assert headings == ["[Complaints](measures/complaints.md)"]
    assert page.index("## Needs attention") < page.index("## By goal")
    by_goal = section(page, "## By goal")
    assert "[Complaints]" not in by_goal
    assert "Improved: consider a new phase" in by_goal  # downtime: a favourable long run
    assert "[Satisfaction](measures/satisfaction.md) |" in by_goal
    assert "[Monthly churn]" not in page  # a key result this quarter


def test_review_puts_key_results_beside_the_kpis_of_their_goal(site: Site) -> None:
    page = site.files["review.md"]
    customers = section(page, "## Customers choose us again")
    rows = [line for line in customers.splitlines() if line.startswith("| <span")]
    roles = [re.search(r"pumpsite-role--(\w+)", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert roles == ["improve", "improve", "sustain", "sustain"]
    assert "Key result</span> | [Monthly churn](measures/churn.md)" in rows[0]
    assert "KPI</span> | [Complaints](measures/complaints.md)" in customers
    assert "KPI</span> | [Satisfaction](measures/satisfaction.md)" in customers
    systems = section(page, "## Systems run without downtime")
    assert "Business as usual: no key results" in systems
    assert page.index("## Customers choose us again") < page.index("## Systems run")


# --- measure and goal pages ---------------------------------------------------------------------


def test_a_measure_that_changed_role_shows_both_roles_and_is_labelled_by_the_one_in_force(
    site: Site,
) -> None:
    page = site.files["measures/churn.md"]
    head = page.split("\n## ")[0]
    assert 'pumpsite-role--improve">Key result</span> in 2026-Q4' in head
    history = section(page, "## Role by quarter")
    assert "| 2024-Q1 | KPI |  |  |  | Steady |" in history
    assert (
        "| 2026-Q4 | **Key result** (in force) | 8% | 31 Mar 2027 | Aisha | Churn crept up |"
        in (history)
    )
    earlier = render(small_repo(), date(2026, 8, 15)).files["measures/churn.md"]
    assert 'pumpsite-role--sustain">KPI</span> in 2026-Q3' in earlier
    assert "| 2024-Q1 | **KPI** (in force) |" in earlier
    assert "## Target" not in earlier


def test_measure_page_sections(site: Site) -> None:
    page = site.files["measures/complaints.md"]
    assert '<div class="pumpsite-chart-wrap pumpsite-chart-wrap--full" data-search-exclude' in page
    assert "## Reading\n\nNot predictable: 1 signal since Jan 2024" in page
    assert (
        "Signal: 40 complaints in Nov 2026 is above the upper natural process limit of "
        "31 complaints (a concern)."
    ) in page
    signals = section(page, "## Signals")
    assert "| Point beyond the limits | Nov 2026 | <span" in signals
    assert 'pumpsite-signal--concern">Concern</span>' in signals
    phases = section(page, "## Phases and limits")
    assert "| Jan 2024 to Nov 2026 | 20 complaints | 9 to 31 complaints | 13 complaints |" in phases
    assert "Why each phase starts" not in phases  # a single phase needs no reason
    data = section(page, "## Definition")
    assert "| Better | lower is better |" in data
    assert '<details class="pumpsite-chart-data" id="complaints-full-data"' in page
    assert (
        '<tr class="pumpsite-chart-table__signal" tabindex="0"><th scope="row">Nov 2026</th>'
        "<td>40</td><td>18</td><td>20</td><td>9</td><td>31</td><td>Point beyond the limits: "
        "concern (diamond); Moving range above the upper range limit: no direction (diamond)"
        "</td><td>Courier strike</td></tr>"
    ) in page
    assert "[Download the data (CSV)](../data/complaints.csv)" in page
    assert f"[Edit the source file]({EDIT}measures/complaints.md)" in page


def test_missing_periods_show_as_missing(site: Site) -> None:
    page = site.files["measures/downtime.md"]
    assert '<th scope="row">week 11 of 2025</th><td>missing</td><td></td><td>' in page


def test_owner_notes_are_rendered_below_the_page_sections(site: Site) -> None:
    page = site.files["measures/churn.md"]
    notes = section(page, "## Notes")
    assert "<h3>Why it matters</h3>\n<p>Each point is a dozen customers.</p>" in notes


def test_goal_pages_show_parent_children_and_measures_by_role(site: Site) -> None:
    parent = site.files["goals/customers.md"]
    assert "Owner: Ana" in parent
    assert "- [Customers stay with us](retention.md)" in section(parent, "## Sub-goals")
    assert "<p>Our <strong>mission</strong> for customers.</p>" in parent
    retention = charts_inline(site)["goals/retention.md"]
    assert "Part of: [Customers choose us again](customers.md)" in retention
    krs = section(retention, "## Key results in 2026-Q4")
    assert "### [Monthly churn](../measures/churn.md)" in krs
    kpis = section(retention, "## KPIs in 2026-Q4")
    assert "### [Complaints](../measures/complaints.md)" in kpis
    assert '<svg class="fake small"/>' in kpis


def test_goals_index_nests_goals_by_parent(site: Site) -> None:
    page = site.files["goals/index.md"]
    assert "- [Customers choose us again](customers.md) · Ana · 1 KPI\n" in page
    assert "    - [Customers stay with us](retention.md) · Dana · 1 key result · 1 KPI\n" in page


def test_glossary_page_and_tooltips(site: Site) -> None:
    page = site.files["glossary.md"]
    assert page.index("| key result |") < page.index("| KPI |")
    assert site.glossary["KPI"] == "A measure to keep healthy"
    assert site.glossary["KPIs"] == "A measure to keep healthy"
    assert site.glossary["Key result"] == "A measure to change"


def test_csv_copy_is_rendered_from_the_series_up_to_the_report_date(site: Site) -> None:
    text = site.files["data/complaints.csv"]
    assert text.startswith("period,value,note\n2024-01,18,\n")
    assert text.endswith("2026-11,40,Courier strike\n")
    later = render(small_repo(), date(2026, 5, 1)).files["data/complaints.csv"]
    assert later.endswith("2026-05,18,\n")


# --- edit links, overrides, determinism ----------------------------------------------------------


def test_edit_url_points_at_the_source_file(site: Site) -> None:
    assert frontmatter(site.files["measures/churn.md"])["edit_url"] == EDIT + "measures/churn.md"
    assert (
        frontmatter(site.files["goals/retention.md"])["edit_url"] == EDIT + "measures/retention.md"
    )
    assert "edit_url" not in frontmatter(site.files["index.md"])
    plain = render(small_repo(), edit_base=None)
    assert "edit_url" not in frontmatter(plain.files["measures/churn.md"])
    assert "Source file: measures/churn.md" in plain.files["measures/churn.md"]


def test_a_site_template_replaces_a_page_by_file_name() -> None:
    custom = (
        "# Our review for {{ quarter }}\n\n"
        "{% for g in groups %}- {{ g.goal.title|e }}\n{% endfor %}"
    )
    site = render(small_repo(), templates={"review.md": custom})
    assert site.files["review.md"].endswith(
        "# Our review for 2026-Q4\n\n- Customers choose us again\n- Systems run without downtime\n"
    )
    assert frontmatter(site.files["review.md"])["title"] == "Review"
    assert "## Needs attention" in site.files["operational.md"]


def test_rendering_is_deterministic() -> None:
    repo = small_repo()
    shuffled = replace(
        repo,
        goals=dict(reversed(list(repo.goals.items()))),
        measures=dict(reversed(list(repo.measures.items()))),
        glossary=dict(reversed(list(repo.glossary.items()))),
    )
    first, second, third = render(repo), render(repo), render(shuffled)
    assert first == second
    assert first.files == third.files
    assert first.nav == third.nav
    assert list(first.glossary) == list(third.glossary)


def test_a_measure_without_data_and_a_missing_goal_still_renders() -> None:
    repo = small_repo()
    empty = replace(measure("empty", [], goal="g"), series=None)
    orphan = measure("orphan", BASE, goal="nowhere", title="Orphan")
    repo = replace(repo, measures={**repo.measures, "empty": empty, "orphan": orphan})
    site = render(repo)
    assert "No data yet." in site.files["measures/empty.md"]
    assert "data/empty.csv" not in site.files
    assert "nowhere (no goal file)" in site.files["measures/orphan.md"]
    assert "## Measures whose goal file is missing" in site.files["review.md"]


# --- escaping -----------------------------------------------------------------------------------

EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pumpsite.render.safe_html",  # as the generated project has it: the HTML is judged there
]
_BAD_TAGS = {"script", "img", "iframe", "object", "embed", "style", "form", "input"}


class _Unsafe(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BAD_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            alignment = name == "style" and re.fullmatch(r"text-align: ?\w+;?", value or "")
            if name.startswith("on") or (name == "style" and not alignment):
                self.found.append(f"{tag} {name}={value}")
            text = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in ("href", "src") and re.match(r"^(javascript|vbscript|data):", text):
                self.found.append(f"{tag} {name}={value}")


def unsafe_html(markdown_text: str) -> list[str]:
    body = markdown_text.split("---\n", 2)[-1]
    parser = _Unsafe()
    parser.feed(markdown.markdown(body, extensions=EXTENSIONS))
    return parser.found


def hostile_repo() -> Repo:
    text = " ".join(HOSTILE)
    body = (
        f"Plain *notes* and a [good link](https://example.org).\n\n{SCRIPT}\n\n{IMG}\n\n"
        f"{LINK} [y](java&#115;cript:alert(1)) [z](<java\tscript:x>)\n\n"
        'para\n{: onclick="alert(1)" }\n\n[r]: vbscript:alert(1)\n'
    )
    goals = [goal("g", text, body, owner=text)]
    measures = [
        measure(
            "m",
            [*BASE, 40.0],
            title=text,
            goal="g",
            owner=text,
            unit=IMG,
            notes={0: text, 20: '=HYPERLINK("http://evil")'},
            definition={k: text for k in ("description", "formula", "data_source", "scope")},
            roles=[
                {"from": "2024-Q1", "role": "improve", "target": 5, "owner": text, "note": text}
            ],
            limits={
                "phases": [{"from": "2025-05", "reason": text}],
                "exclude": [{"period": "2024-02", "reason": text}],
            },
            events=[{"date": "2024-03", "text": text, "kind": "incident"}],
            body=body,
        ),
        measure("k", BASE, title=text, goal="g", unit=LINK),
    ]
    return Repo(
        root=Path("."),
        goals={g.id: g for g in goals},
        measures={m.id: m for m in measures},
        glossary={**BUILTIN_GLOSSARY, text: text},
        settings=SiteSettings(),
        site_config={},
    )


def test_hostile_text_is_inert_everywhere() -> None:
    site = render(hostile_repo())
    for path, text in site.files.items():
        if not path.endswith(".md"):
            continue
        assert "<script" not in text, path
        assert "<img" not in text, path
        assert unsafe_html(text) == [], path
    for entry in _nav_titles(site.nav):
        assert "<" not in entry
    title = frontmatter(site.files["measures/m.md"])["title"]
    assert title.startswith("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img")


def _nav_titles(items: Any) -> list[str]:
    if isinstance(items, list):
        return [t for item in items for t in _nav_titles(item)]
    if isinstance(items, dict):
        return [*items, *(t for v in items.values() for t in _nav_titles(v))]
    return []


def test_hostile_text_reads_as_the_same_characters() -> None:
    out = markdown.markdown("Owner: " + md_escape(" ".join(HOSTILE)), extensions=EXTENSIONS)
    text = re.sub(r"<[^>]+>", "", out)
    import html as html_module

    assert html_module.unescape(text) == "Owner: " + " ".join(HOSTILE)


def test_csv_copy_defuses_spreadsheet_formulas() -> None:
    csv_text = render(hostile_repo()).files["data/m.csv"]
    assert "'=HYPERLINK" in csv_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a & b", "a &amp; b"),
        ("<b>", "&lt;b&gt;"),
        ("[x](y)", "&#91;x&#93;(y)"),
        ("*a* _b_ `c`", "&#42;a&#42; &#95;b&#95; &#96;c&#96;"),
        ("a | b", "a &#124; b"),
        ("{: .x}", "&#123;: .x&#125;"),
        ("line\nbreak\t tab", "line break tab"),
        ("1. not a list", "1&#46; not a list"),
        ("- not a list", "&#45; not a list"),
        ("-5% and 2.5%", "-5% and 2.5%"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("# not a heading", "&#35; not a heading"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def inner_notes(body: str) -> str:
    """The HTML inside the notes' block."""
    html_text = notes_html(body)
    head, tail = '<div class="pumpsite-notes" markdown="1">\n', "\n</div>"
    assert html_text.startswith(head) and html_text.endswith(tail), html_text
    return html_text[len(head) : -len(tail)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "[ok](https://example.org/a_(b))",
            '<p><a href="https://example.org/a_(b)">ok</a></p>',
        ),
        (
            "[rel](../x.md) [m](mailto:a@b.c)",
            '<p><a href="../x.md">rel</a> <a href="mailto:a@b.c">m</a></p>',
        ),
        ("<script>x</script>", "<p>&lt;script&gt;x&lt;/script&gt;</p>"),
        (
            "<https://example.org>",
            '<p><a href="https://example.org">https://example.org</a></p>',
        ),
        ("para\n{: .note}", '<p class="note">para</p>'),
        ("# Title\n\n## Sub", "<h3>Title</h3>\n<h4>Sub</h4>"),
        ("## Why\n\n### How", "<h3>Why</h3>\n<h4>How</h4>"),
        ("Title\n=====\n\ntext", "<h3>Title</h3>\n<p>text</p>"),
        (
            "```\n# comment\n```",
            '<div class="highlight"><pre><span></span><code># comment\n</code></pre></div>',
        ),
        # Shown as typed: a `<` in code and in prose.
        ("`x < 3`", "<p><code>x &lt; 3</code></p>"),
        ("1 < 2 and 3 > 2", "<p>1 &lt; 2 and 3 &gt; 2</p>"),
        (
            "```\nif a < b:\n```",
            '<div class="highlight"><pre><span></span><code>if a &lt; b:\n</code></pre></div>',
        ),
        ("[z](<java\tscript:x>)", "<p><a>z</a></p>"),
        # Raw HTML, blocks and inline, is text; links and attributes that run scripts are gone.
        ("A <script>alert(1)</script> note", "<p>A &lt;script&gt;alert(1)&lt;/script&gt; note</p>"),
        (
            "<div>\n<b>block</b>\n</div>",
            "<p>&lt;div&gt;\n&lt;b&gt;block&lt;/b&gt;\n&lt;/div&gt;</p>",
        ),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("<!--pumpsite-chart:../../x-->", "<p>&lt;!--pumpsite-chart:../../x--&gt;</p>"),
        ("[click](javascript:alert(1))", "<p><a>click</a></p>"),
        ("![pic](x.png){: onerror=alert(1) }", '<p><img alt="pic" src="x.png"></p>'),
        ("para\n{: onclick=alert(1) }", "<p>para</p>"),
    ],
)
def test_notes_html(body: str, expected: str) -> None:
    assert inner_notes(body) == expected


def test_notes_html_is_empty_for_a_blank_body() -> None:
    assert notes_html("") == notes_html(" \n\n ") == ""


def test_notes_use_extensions_every_generated_project_has() -> None:
    assert set(NOTES_EXTENSIONS) == set(engine.REQUIRED_EXTENSIONS) - {"md_in_html"}


def test_notes_carry_the_glossary_tooltips() -> None:
    html = notes_html("A KPI.", {"KPI": "Key indicator"})
    assert html.count('<abbr tabindex="0" title="Key indicator">') == 1


# --- golden files -------------------------------------------------------------------------------


def _golden_files() -> dict[str, str]:
    site = render(small_repo())
    files = {p: t for p, t in charts_inline(site).items() if p.endswith((".md", ".csv"))}
    files["nav.yml"] = yaml.safe_dump(site.nav, sort_keys=False, allow_unicode=True)
    return files


GOLDEN_FILES = sorted(_golden_files())


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_site(name: str) -> None:
    assert_golden(GOLDEN / name, _golden_files()[name])


def test_golden_site_has_no_stale_files() -> None:
    if not GOLDEN.exists():
        pytest.skip("no golden files yet")
    present = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    stale = sorted(set(present) - set(GOLDEN_FILES))
    assert not stale, f"golden files no longer generated: {stale}"


def test_a_site_template_places_a_chart_where_it_wants() -> None:
    own = (
        '{% import "_macros.md" as ui %}# {{ m.title|e }}\n\n{{ d.chart }}\n\n'
        'Small: {{ ui.chart(m.chart, "small") }}\n'
    )
    site = render(small_repo(), templates={"measure.md": own})
    page = site.files["measures/churn.md"]
    assert "\n\n<!--pumpsite-chart:full-churn-->\n\nSmall: " in page
    delivered = charts_inline(site)["measures/churn.md"]
    assert '# Monthly churn\n\n<svg class="fake full"/>\n\nSmall: ' in delivered
    assert '<svg class="fake small"/>\n</div>' in delivered


def test_the_site_stylesheet_closes_every_block() -> None:
    """A merge once left the screen rules of the summary tables inside `@media print`."""
    css = (Path(__file__).parents[2] / "pumpsite/render/templates/pumpsite.css").read_text()
    depth = 0
    for line in css.splitlines():
        depth += line.count("{") - line.count("}")
        assert depth >= 0, line
        if line.startswith("/*"):
            assert depth == 0, f"a top-level comment inside a block: {line}"
    assert depth == 0


def test_a_kpi_needing_attention_whose_cause_is_not_among_its_listed_signals_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A KPI's status reads every recent signal; its page lists only some. With no concern
    among those listed, the Needs attention entry names no cause (at 2,000 measures the page
    failed here: `last` of nothing)."""
    from pumpsite.render import site_model

    made = site_model.measure_view

    def without_signals(*args: Any, **kwargs: Any) -> Any:
        view = made(*args, **kwargs)
        return replace(view, signals=()) if view.status.key == "attention" else view

    monkeypatch.setattr(site_model, "measure_view", without_signals)
    attention = section(render(small_repo()).files["operational.md"], "## Needs attention")
    assert "[Complaints](measures/complaints.md)" in attention
    assert "The signal that put it here" not in attention

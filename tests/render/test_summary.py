"""Summary tables: sparklines drawn from the chart plan agree with the analysis, icons follow the
measure's state, and hostile text reaches neither as markup, whichever way charts reach a page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import markdown
import pytest

from pumpsite.analysis.reading import latest_index
from pumpsite.build.engine import charts_inline
from pumpsite.checks.inspection import analyse_repo
from pumpsite.render.chart.plan import EFFECT_COLOURS, PAGE_BACKGROUND, latest_values, plan_chart
from pumpsite.render.chart.spark import spark_lines, spark_svg
from pumpsite.render.chart_ref import ChartRef
from pumpsite.render.icons import ASSURANCE, LEGEND, VARIATION, icon_svg
from pumpsite.render.safe_html import clean
from pumpsite.render.site import Site
from tests.render.test_chart import STEADY, analyse, make_measure
from tests.render.test_site import (
    EXTENSIONS,
    HOSTILE,
    REPORT,
    hostile_repo,
    render,
    section,
    small_repo,
)


@pytest.fixture(scope="module")
def site() -> Site:
    return render(small_repo())


@pytest.mark.parametrize("measure_id", sorted(small_repo().measures))
def test_the_sparkline_draws_the_lines_of_the_analysis(measure_id: str) -> None:
    repo = small_repo()
    analysis = analyse_repo(repo, REPORT)[measure_id]
    lines = spark_lines(plan_chart(repo.measures[measure_id], analysis, "small"))
    window = latest_values(analysis, 100).xmr
    expected = [
        (p.start, p.end, p.limits.center, p.limits.lower_line, p.limits.upper_line)
        for p in window.phases
        if p.limits is not None
    ]
    assert [(v.start, v.end, v.center, v.lower, v.upper) for v in lines.levels] == expected
    current = analysis.xmr.current_phase.limits
    assert current is not None and lines.levels[-1].center == current.center
    assert lines.values == window.values
    assert lines.latest == latest_index(window)
    flagged = {i for s in window.signals if s.rule != "mr_beyond_url" for i in s.points}
    assert {i for i, _ in lines.signals} == flagged
    role = analysis.role
    if role is not None and role.target is not None:
        assert lines.targets[-1].center == role.target
    svg = spark_svg(plan_chart(repo.measures[measure_id], analysis, "small"), "x")
    assert svg.count("<line ") == 3 * len(lines.levels) + len(lines.targets)
    assert "\n" not in svg


def test_a_sparkline_concern_dot_is_open_and_an_improvement_dot_filled() -> None:
    measure = make_measure([*STEADY, 90, 63, 30])  # up, then down: better is up
    plan = plan_chart(measure, analyse(measure), "small")
    assert dict(spark_lines(plan).signals) == {20: "improvement", 22: "concern"}
    dots = [e for e in ET.fromstring(spark_svg(plan, "x")) if e.tag.endswith("circle")]
    improvement, concern, latest = dots
    assert improvement.get("fill") == EFFECT_COLOURS["improvement"]
    assert concern.get("style") == f"fill:{PAGE_BACKGROUND}"
    assert concern.get("stroke") == EFFECT_COLOURS["concern"]
    assert latest.get("fill") == "none", "the ring round the latest value"
    assert clean(spark_svg(plan, "x")).count(f"fill:{PAGE_BACKGROUND}") == 1


def test_the_variation_icon_reads_the_latest_value(site: Site) -> None:
    icons = _row_icons(site.files["index.md"])
    assert icons["Complaints"][0] == VARIATION["concern-high"].key  # 40, lower is better
    assert icons["Satisfaction"][0] == VARIATION["common"].key
    assert icons["Downtime"][0] == VARIATION["improvement-low"].key  # a run of 8 below
    assert icons["Monthly churn"][0] == VARIATION["concern-high"].key


def test_the_assurance_icon_reads_the_target_or_says_there_is_none(site: Site) -> None:
    icons = _row_icons(site.files["index.md"])
    assert icons["Satisfaction"][1] == ASSURANCE["none"].key  # a KPI
    assert icons["Monthly churn"][1] == ASSURANCE["unknown"].key  # unpredictable
    assert icons["New customers"][1] in {i.key for i in ASSURANCE.values()}


def _row_icons(page: str) -> dict[str, tuple[str, str]]:
    """Each summary row's measure name and its two icons' keys."""
    found = {}
    for name, icons in re.findall(r"^\| .*?\[([^\]]+)\]\(.*?\)(.*)$", page, re.MULTILINE):
        keys = re.findall(r"pumpsite-chart:icon-([a-z-]+)-->", icons)
        if len(keys) == 2:
            found[name] = (keys[0], keys[1])
    return found


@pytest.mark.parametrize("page", ["index.md", "strategic.md", "operational.md", "review.md"])
def test_the_pages_open_with_a_summary_table_and_a_legend(site: Site, page: str) -> None:
    text = site.files[page].replace("## Summary\n", "")
    assert text.index('<div class="pumpsite-summary"') < text.index("\n## ")
    legend = text.split('<div class="pumpsite-legend"')
    assert len(legend) == 2
    for icon in LEGEND:
        assert str(icon.ref) in legend[1]


def test_review_sets_key_results_beside_their_kpis_as_small_multiples(site: Site) -> None:
    group = section(site.files["review.md"], "## Customers choose us again")
    cards = re.findall(r'pumpsite-multiple pumpsite-multiple--(\w+)"', group)
    assert cards[0] == "improve" and "sustain" in cards
    assert group.count("pumpsite-chart:spark-") == len(cards)


def test_operational_charts_every_kpi_and_says_why_one_needs_attention(site: Site) -> None:
    page = site.files["operational.md"]
    for kpi in ("complaints", "satisfaction", "downtime"):
        assert f"pumpsite-chart:spark-{kpi}-->" in page
    attention = section(page, "## Needs attention")
    assert "**An improvement focus until it is stable again.** The signal that put it here:" in (
        attention
    )
    rows = section(page, "# Operational").split("## Needs attention")[0]
    assert rows.index("[Complaints]") < rows.index("[Downtime]")  # needs attention first


def _charts(site: Site, size: str) -> dict[ChartRef, str]:
    return {ref: svg for ref, svg in site.charts.items() if ref.size == size}


def test_hostile_titles_and_units_are_inert_in_sparklines_and_icons() -> None:
    site = render(hostile_repo())
    sparks = _charts(site, "spark")
    assert sparks
    for svg in [*sparks.values(), *_charts(site, "icon").values()]:
        assert "<script" not in svg and "<img" not in svg
        assert re.fullmatch(r'<svg [^<]*role="img" aria-label="[^"<>]*">(<[^<>]*>|[A-Z?–])*', svg)
    label = sparks[ChartRef("m", "spark")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img" in label
    assert HOSTILE[0] not in label


def test_the_page_sanitiser_keeps_sparklines_and_icons(site: Site) -> None:
    """For a theme other than Material the charts go through Markdown and nh3 with the page."""
    for svg in [*_charts(site, "spark").values(), *_charts(site, "icon").values()]:
        assert _elements(clean(svg)) == _elements(svg)
    page = charts_inline(site)["review.md"].split("---\n", 2)[-1]
    html = clean(markdown.markdown(page, extensions=EXTENSIONS))
    spark = _charts(site, "spark")[ChartRef("churn", "spark")]
    assert _elements(spark) == _elements(html[html.index(spark[:200]) :])[: len(_elements(spark))]
    assert html.count('class="pumpsite-icon"') >= 2 * len(small_repo().measures)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, *sorted(f"{k}={v}" for k, v in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.found.append(("text", data))


def _elements(html: str) -> list[tuple[str, ...]]:
    """The elements, attributes and text of `html`, however its empty elements are closed."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_icons_have_letters_or_shapes_and_text_alternatives() -> None:
    for icon in LEGEND:
        svg = icon_svg(icon)
        assert f'aria-label="{icon.label}"' in svg
        assert icon.letter or icon.key in {"variation-common", "assurance-none"}

"""The one module that hands the site to the engine (MkDocs 1.6 + Material 9).

`pumpsite build` writes a plain MkDocs project into `.pumpsite/` — `mkdocs.yml` and `docs/` —
and runs the engine on it. The project stands on its own: `mkdocs build -f .pumpsite/mkdocs.yml`
reproduces the site, and a successor engine (ProperDocs, Zensical) can be tried on the same
output. No MkDocs plugin or hook is involved, so correctness does not depend on one.

This module alone decides how the charts reach the reader. Pages name them by a marker
(`pumpsite.render.chart_ref`) and the site holds them. With Material and pumpsite's overrides the
charts do not go through Markdown: they are written as theme files, which the theme's content
partial includes in place of their markers. Markdown's raw-HTML parser and Material's search
indexer both tokenised every SVG in pure Python — a third of the engine's work — and neither has
anything to do with one (charts are kept out of search). A user's own `theme.custom_dir` takes
the place of pumpsite's overrides, so with one (or with a theme other than Material) the charts
are put in the Markdown instead. The built HTML is the same either way.

What the adapter does to the engine's internals for speed is in `pumpsite.build.engine_speed`.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pumpsite.build import engine_speed, outputs
from pumpsite.build.theme_fixes import MAIN_TEMPLATE, SEARCH_TEMPLATE
from pumpsite.errors import PumpsiteError
from pumpsite.model import Tagged
from pumpsite.render.chart_ref import ChartRef, with_charts
from pumpsite.render.paths import directory_urls
from pumpsite.render.site import Site

PROJECT_DIR = outputs.PROJECT_DIR
"""The generated MkDocs project, inside the measures repository (git-ignored)."""
KEPT = ("cache", outputs.PROJECT_MARKER)
"""pumpsite's build cache and the folder's marker, inside the project folder: not part of the
MkDocs project, and kept when the project is rewritten."""

REQUIRED_EXTENSIONS: tuple[str, ...] = (
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "pymdownx.details",
    "pymdownx.superfences",
)

CHART_FOLDER = "pumpsite-charts"
"""Theme files holding the charts, in the generated `overrides/` (`.html`, so MkDocs does not
also copy them into the site as static files)."""

# Material's partials/content.html (9.x) with `{{ page.content }}` replaced by the page content
# with each chart included in place of its marker. A marker naming no chart is dropped; text
# from the files reaches a page escaped, so only a template writes one.
CONTENT_TEMPLATE = (
    "{#- pumpsite: Material's content partial; charts are put back after Markdown and search. -#}\n"
    '{% include "partials/tags.html" %}\n'
    '{% include "partials/actions.html" %}\n'
    '{% if "\\u003ch1" not in page.content %}\n'
    "  <h1>{{ page.title | d(config.site_name, true)}}</h1>\n"
    "{% endif %}\n"
    '{% set pieces = page.content.split("<!--pumpsite-chart:") %}{{ pieces[0] }}'
    '{% for piece in pieces[1:] %}{% set name, end, rest = piece.partition("-->") %}'
    '{% if end %}{% include "pumpsite-charts/" ~ name ~ ".html" ignore missing %}{{ rest }}'
    "{% else %}<!--pumpsite-chart:{{ piece }}{% endif %}{% endfor %}\n"
    '{% include "partials/source-file.html" %}\n'
    '{% include "partials/feedback.html" %}\n'
    '{% include "partials/comments.html" %}\n'
)


# Material shows the edit button from `page.edit_url`, which MkDocs derives from the page's path
# in docs/ — a generated file. Pages carry the source file's URL in their meta instead.
ACTIONS_TEMPLATE = """\
{#- pumpsite: edit links point at the measure or goal file, not at the generated page. -#}
{% set edit_url = page.meta.edit_url if page.meta and page.meta.edit_url else page.edit_url %}
{% if edit_url and "content.action.edit" in features %}
  <a href="{{ edit_url }}" title="{{ lang.t('action.edit') }}"
     class="md-content__button md-icon" rel="edit">
    {% set icon = config.theme.icon.edit or "material/file-edit-outline" %}
    {% include ".icons/" ~ icon ~ ".svg" %}
  </a>
{% endif %}
"""


NO_REQUESTS = """\
No request leaves the site by default, so it reads offline and from `file://`: the theme's
font is the system's (`theme.font: false` unless the user names fonts) and pages are files
(`use_directory_urls: false` unless the user sets it: a link to `measures/x.html` opens the
page from a folder, where `measures/x/` opens a directory listing). Material's offline plugin is
not added: it loads its search shim from unpkg.com. Search works wherever the site is served.
"""

NOT_FOUND_TEMPLATE = """\
{#- pumpsite: without site_url the 404 page cannot know where the site starts (it is served at
    any address), so it stands alone: no theme assets, no links. -#}
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found · {{ config.site_name | e }}</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
@media (prefers-color-scheme:dark){body{background:#1e2129;color:#e2e4e9}}</style>
</head><body>
<main><h1>Page not found</h1>
<p>There is no page at this address in {{ config.site_name | e }}.
Use your browser's Back button to return to the page you came from.</p></main>
</body></html>
"""
"""The 404 page when `site_url` is not set. MkDocs gives the 404 page root-absolute links
(`/assets/…`) then, which break on a project site (`owner.github.io/repo/`)."""


class EngineError(PumpsiteError):
    """The engine failed to build the site; the message says why."""


# --- configuration (pure) ------------------------------------------------------------------------


def _extension_name(entry: object) -> str:
    if isinstance(entry, Mapping):
        return str(next(iter(entry), ""))
    return str(entry)


TOOLTIPS = "pumpsite.render.tooltips"
SAFE_HTML = "pumpsite.render.safe_html"
_REPLACED = frozenset({"abbr", "markdown.extensions.abbr", TOOLTIPS, SAFE_HTML})


def merge_extensions(user: object, glossary: Mapping[str, str]) -> list[Any]:
    """The user's Markdown extensions, plus the ones generated pages need. pumpsite's tooltips
    carry the glossary in place of `abbr` (whose `*[term]:` lines a page could use); its
    safe_html judges every page's HTML, last (see `pumpsite.render.tooltips` and
    `pumpsite.render.safe_html`)."""
    entries = list(user) if isinstance(user, list) else []
    entries = [e for e in entries if _extension_name(e).partition(":")[0] not in _REPLACED]
    names = [_extension_name(e) for e in entries]
    entries += [name for name in REQUIRED_EXTENSIONS if name not in names]
    return [*entries, {TOOLTIPS: {"glossary": dict(sorted(glossary.items()))}}, SAFE_HTML]


def _theme(user: object, has_overrides: bool) -> dict[str, Any]:
    theme: dict[str, Any] = {"name": user} if isinstance(user, str) else dict(user or {})  # type: ignore[call-overload]
    theme.setdefault("name", "material")
    theme.setdefault("font", False)  # no Google Fonts unless the user names them: see NO_REQUESTS
    if theme.get("custom_dir"):
        theme["custom_dir"] = f"../{theme['custom_dir']}"
    elif has_overrides:
        theme["custom_dir"] = "overrides"
    return theme


def engine_config(
    user: Mapping[str, Any], site: Site, *, default_name: str, url_folder: str | None = None
) -> dict[str, Any]:
    """The generated project's mkdocs.yml: the user's settings, with pumpsite's pages added.
    `url_folder` is where under `site_url` the site will live (a preview published into a
    folder), so that its sitemap and canonical links point at itself."""
    config = dict(user)
    config.setdefault("site_name", default_name)
    config.setdefault("use_directory_urls", directory_urls(user))
    site_url = config.get("site_url")
    if url_folder and isinstance(site_url, str) and site_url.strip():
        config["site_url"] = f"{site_url.strip().rstrip('/')}/{url_folder.strip('/')}/"
    user_nav = config.pop("nav", None)
    config["nav"] = [*site.nav, *(user_nav if isinstance(user_nav, list) else [])]
    config["docs_dir"] = "docs"
    config["site_dir"] = "../site"
    config["edit_uri"] = ""  # edit links come from each page's meta (see ACTIONS_TEMPLATE)
    config["theme"] = _theme(config.get("theme"), has_overrides=True)
    config["markdown_extensions"] = merge_extensions(
        config.get("markdown_extensions"), site.glossary
    )
    user_css = config.get("extra_css")
    config["extra_css"] = [*(user_css if isinstance(user_css, list) else []), *site.extra_css]
    for key in ("hooks", "watch"):
        if isinstance(config.get(key), list):
            config[key] = [f"../{path}" for path in config[key]]
    return config


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, Mapping):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, "" if data.value is None else str(data.value))


_Dumper.add_representer(Tagged, _represent_tagged)


def config_yaml(config: Mapping[str, Any]) -> str:
    header = "# Generated by pumpsite from ../mkdocs.yml — do not edit; edit the source instead.\n"
    return header + yaml.dump(dict(config), Dumper=_Dumper, sort_keys=False, allow_unicode=True)


# --- the project on disk -------------------------------------------------------------------------


def _write_if_changed(path: str, content: str | bytes, exists: bool) -> bool:
    """Write `path` (through a temporary file, then a rename) unless it holds `content`. Nothing
    is written through a link: the temporary file is never one, and a rename replaces a link."""
    data = content.encode() if isinstance(content, str) else content
    if exists:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return False
    tmp = path + ".tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        with os.fdopen(os.open(tmp, flags, 0o644), "wb") as handle:
            handle.write(data)
    except OSError as error:  # a full disk: say which file, as os.open would
        raise OSError(error.errno, error.strerror, path) from None
    os.replace(tmp, path)
    return True


def _has_site_url(config: Mapping[str, Any]) -> bool:
    site_url = config.get("site_url")
    return isinstance(site_url, str) and bool(site_url.strip())


def _charts_after_markdown(theme: Mapping[str, Any]) -> bool:
    """Whether the theme is Material with pumpsite's overrides, whose content partial puts the
    charts in place after Markdown."""
    return theme.get("custom_dir") == "overrides" and theme.get("name") == "material"


def charts_apart(config: Mapping[str, Any]) -> bool:
    """Whether the pages of a project with this configuration (`engine_config`) are written
    without their charts, which go in files of their own (`chart_files`): then the pages can be
    written before the charts are drawn."""
    return _charts_after_markdown(config["theme"])


_Text = TypeVar("_Text")


class _ChartFiles(Mapping[str, str]):
    """Each chart as a theme file, made as it is read: a site's charts are held once, not
    twice (at 2,000 measures, a hundred megabytes)."""

    def __init__(self, charts: Mapping[ChartRef, str]) -> None:
        self._charts = {f"overrides/{CHART_FOLDER}/{ref.name}.html": ref for ref in charts}
        self._svgs = charts

    def __getitem__(self, path: str) -> str:
        return self._svgs[self._charts[path]].replace("{", "&#123;")

    def __iter__(self) -> Iterator[str]:
        return iter(self._charts)

    def __len__(self) -> int:
        return len(self._charts)


class _Joined(Mapping[str, _Text]):
    """Mappings one after another (their keys apart), read through rather than copied."""

    def __init__(self, *parts: Mapping[str, _Text]) -> None:
        self._parts: tuple[Mapping[str, _Text], ...] = parts

    def __getitem__(self, path: str) -> _Text:
        for part in self._parts:
            if path in part:
                return part[path]
        raise KeyError(path)

    def __iter__(self) -> Iterator[str]:
        return (path for part in self._parts for path in part)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)


def chart_files(charts: Mapping[ChartRef, str]) -> Mapping[str, str]:
    """Each chart as the theme file the content partial includes, made as it is read."""
    return _ChartFiles(charts)


def chart_theme_files(charts: Mapping[ChartRef, str]) -> Mapping[str, str]:
    """The content partial, and each chart as a theme file it includes. A chart file is a
    template to Jinja: every `{` is written as a character reference, so no text in a chart can
    be Jinja syntax."""
    partial = {"overrides/partials/content.html": CONTENT_TEMPLATE}
    return _Joined(partial, _ChartFiles(charts))


def charts_inline(site: Site) -> dict[str, str]:
    """The site's files, each page with its charts in place of their markers."""
    by_name = {ref.name: svg for ref, svg in site.charts.items()}
    return {
        path: with_charts(text, by_name) if path.endswith(".md") else text
        for path, text in site.files.items()
    }


def project_files(site: Site, config: Mapping[str, Any]) -> Mapping[str, str | bytes]:
    """Every file of the generated project, relative to its folder; chart files are made as
    they are read."""
    files: dict[str, str | bytes] = {"mkdocs.yml": config_yaml(config)}
    theme = config["theme"]
    if theme.get("custom_dir") == "overrides":
        files["overrides/partials/actions.html"] = ACTIONS_TEMPLATE
        files["overrides/partials/search.html"] = SEARCH_TEMPLATE
        files["overrides/main.html"] = MAIN_TEMPLATE
        if not _has_site_url(config):
            files["overrides/404.html"] = NOT_FOUND_TEMPLATE
    pages: Mapping[str, str] = site.files
    charts: Mapping[str, str] = {}
    if _charts_after_markdown(theme):
        charts = chart_theme_files(site.charts)
    else:
        pages = charts_inline(site)
    docs = {f"docs/{path}": text for path, text in pages.items()}
    return _Joined[str | bytes](files, charts, docs)


def _listing(project: Path) -> dict[str, bool]:
    """Every path in the project (but what is KEPT), and whether it is a folder. Raises OSError
    at a symbolic link: pumpsite never writes through one (`outputs.project_problems` reports
    them before a build starts)."""
    found: dict[str, bool] = {}
    for rel, entry in outputs.tree(project, skip=KEPT):
        if entry.is_symlink():
            raise OSError(errno.ELOOP, "a symbolic link in pumpsite's project folder", entry.path)
        found[rel] = entry.is_dir(follow_symlinks=False)
    return found


class ProjectWriter:
    """Writes the project in parts (the pages before the charts are drawn, so that they need
    not be held meanwhile), touching only files whose content changed (so a watching server
    does not loop); `finish` removes the files no part wrote (the cache folder is left alone).
    Raises OSError when the folder holds a symbolic link."""

    def __init__(self, project: Path) -> None:
        project.mkdir(exist_ok=True)
        self._project = project
        self._base = f"{project}{os.sep}"
        self._existing = _listing(project)
        self._folders: set[str] = set()
        self._paths: set[str] = set()
        self.written = 0

    def write(self, files: Iterable[tuple[str, str | bytes]]) -> None:
        for path, content in files:
            self._make_folders(path)
            exists = path in self._existing
            self.written += _write_if_changed(self._base + path, content, exists=exists)
            self._paths.add(path)

    def _make_folders(self, path: str) -> None:
        new = []
        folder = path.rpartition("/")[0]
        while folder and folder not in self._folders:
            new.append(folder)
            folder = folder.rpartition("/")[0]
        for folder in reversed(new):
            if folder not in self._existing:
                (self._project / folder).mkdir(exist_ok=True)
            self._folders.add(folder)

    def finish(self) -> int:
        """Remove what no part wrote; the number of files written."""
        stale = self._existing.keys() - self._paths - self._folders
        for rel in sorted(stale, reverse=True):  # a folder's files before the folder
            if self._existing[rel]:
                (self._project / rel).rmdir()
            else:  # a killed build's temporary file may have been written and renamed meanwhile
                (self._project / rel).unlink(missing_ok=True)
        return self.written


def write_project(project: Path, files: Mapping[str, str | bytes]) -> int:
    """Write the project in one part (see ProjectWriter). Returns the number of files written."""
    writer = ProjectWriter(project)
    writer.write(files.items())
    return writer.finish()


# --- running the engine --------------------------------------------------------------------------


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def engine_logs() -> Iterator[_Collector]:
    """The engine's warnings while in the block, kept from the terminal."""
    logger = logging.getLogger("mkdocs")
    collector = _Collector()
    saved = (logger.level, logger.propagate, list(logger.handlers))
    logger.handlers = [collector]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]


def run_engine(
    project: Path, site_dir: Path, *, strict: bool, observe: Callable[[Any], None] | None = None
) -> list[str]:
    """Build the project into `site_dir` and return the engine's warnings. `observe` is given
    the engine's configuration before the build (`pumpsite.build.engine_partial` adds a plugin)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with engine_logs() as logs:
        try:
            engine_speed.before_loading()
            config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=strict)
            engine_speed.reuse_across_builds(config.theme)
            if observe is not None:
                observe(config)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (MkDocsException, SystemExit, OSError, yaml.YAMLError) as error:
            if isinstance(error, OSError) and error.errno in outputs.DISK_FULL:
                raise  # the disk, not the engine: the build says so
            raise EngineError("\n".join([*logs.messages, str(error)]).strip()) from None
    return logs.messages

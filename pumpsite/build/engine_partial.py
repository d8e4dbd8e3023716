"""Rebuilding only the pages a save changed, for `pumpsite serve`.

A full engine build renders every page; at 500 measures that is most of a save's wait. The warm
engine keeps what the last full build made — the configuration and its plugins, the theme's
Jinja environment, the files, the navigation, every page and each page's search entries — and
when a save changes only some pages it renders just those and merges their search entries into
the index. What changed is read off the generated project: `engine.write_project` rewrites a
file (through a new file and a rename) only when its content changed, so a file whose inode,
modification time or size moved is one whose content did.

Anything that could change more than the changed pages falls back to a full build: a page
added or removed, another project file (mkdocs.yml, a template), a changed page title or
front matter (the navigation of every page shows titles), plugins other than Material's search,
warnings or strict mode, or more than half of the pages changed.

**What a reader sees.** The new site goes into a new folder: every unchanged file is a hard link
to the previous build's, and each rewritten file (the changed pages and the search index) is
unlinked first and written anew, so the previous build is never written to. The server switches
to the new folder in one step when it is whole, so a request is answered from one build or the
other, never a mix (a reader's next request may come from the newer build, as with full builds).

The engine's internals this relies on are listed in `INTERNALS`; `tests/build/
test_engine_partial.py` fails when they move.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pumpsite.build import engine, outputs
from pumpsite.render.chart_ref import MARK, MARK_END

INTERNALS = (
    "mkdocs.commands.build._populate_page(page, config, files) and "
    "_build_page(page, config, doc_files, nav, env): render one page, write it to "
    "page.file.abs_dest_path (a cached property of File, which may be assigned)",
    "mkdocs.structure.files.Files.documentation_pages() and get_file_from_path(src_uri)",
    "mkdocs.plugins.PluginCollection: item assignment registers a plugin's on_* events",
    "material.plugins.search: SearchPlugin.search_index, a SearchIndex whose `entries` list "
    "gets a page's entries in on_page_context and whose generate_search_index(None) is the "
    "index's JSON",
    "jinja2.Environment.cache: a mapping whose keys are (loader weakref, template name)",
)
"""What the warm engine touches that no engine documents as stable."""

SEARCH_PLUGIN = "material.plugins.search.plugin"
CHART_FILES = f"overrides/{engine.CHART_FOLDER}/"
_CHART = re.compile(re.escape(MARK) + r"(.*?)" + re.escape(MARK_END))
Stamp = tuple[int, int, int]


def project_stamps(project: Path) -> dict[str, Stamp]:
    """Each file of the generated project (but what `engine.KEPT` names), by its inode,
    modification time and size: together they change whenever `write_project` rewrites it."""
    stamps: dict[str, Stamp] = {}
    for path, entry in outputs.tree(project, skip=engine.KEPT):
        if not entry.is_dir(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
            stamps[path] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return stamps


def changed_files(before: Mapping[str, Stamp], now: Mapping[str, Stamp]) -> set[str] | None:
    """The project files whose content changed; None when files were added or removed."""
    if before.keys() != now.keys():
        return None
    return {path for path, stamp in now.items() if before[path] != stamp}


@dataclass(slots=True)
class _Warm:
    """What one full build left for the rebuilds after it."""

    config: Any  # mkdocs' MkDocsConfig, its plugins started
    files: Any = None  # mkdocs' Files
    nav: Any = None  # mkdocs' Navigation
    env: Any = None  # the theme's jinja2 Environment
    search: Any = None  # Material's SearchIndex
    entries: dict[str, list[Any]] = field(default_factory=dict)  # search entries per page
    charts: dict[str, set[str]] = field(default_factory=dict)  # chart name -> pages naming it
    warnings: dict[str, list[str]] = field(default_factory=dict)  # per page, since
    stamps: dict[str, Stamp] = field(default_factory=dict)
    site: Path | None = None  # the built site this describes, once the server keeps it

    def plan(self, changed: Iterable[str]) -> _Plan | None:
        """The pages (by source path) to render and the other files of docs/ to copy that
        changed project files call for; None when they call for more."""
        plan = _Plan(set(), set())
        for path in changed:
            if path.startswith(CHART_FILES) and path.endswith(".html"):
                name = path.removeprefix(CHART_FILES).removesuffix(".html")
                plan.pages.update(self.charts.get(name, ()))
                continue
            file = self.files.get_file_from_path(path.removeprefix("docs/"))
            if not path.startswith("docs/") or file is None:
                return None
            (plan.pages if file.is_documentation_page() else plan.copies).add(file.src_uri)
        return plan


@dataclass(frozen=True, slots=True)
class _Plan:
    pages: set[str]
    copies: set[str]


def _last(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run this plugin event after every other plugin's (mkdocs' `event_priority(-100)`)."""
    setattr(method, "mkdocs_priority", -100)  # noqa: B010
    return method


class _Recorder:
    """A plugin, last in every event, that keeps what a full build makes."""

    def __init__(self, warm: _Warm, search_plugin: Any) -> None:
        self.warm, self.plugin = warm, search_plugin
        self.taken = 0  # search entries already given to a page

    @_last
    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        self.warm.nav, self.warm.files = nav, files
        if self.plugin is not None:  # its index is made when the configuration is
            self.warm.search = getattr(self.plugin, "search_index", None)
        return nav

    @_last
    def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
        self.warm.env = env
        return env

    @_last
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        for name in _CHART.findall(markdown):
            self.warm.charts.setdefault(name, set()).add(page.file.src_uri)
        return markdown

    @_last
    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.warm.search is not None:
            entries = self.warm.search.entries
            self.warm.entries[page.file.src_uri] = entries[self.taken :]
            self.taken = len(entries)
        return context


def _search_plugin(config: Any) -> Any:
    """Material's search plugin when the plugins are its search alone; else None (another
    plugin may make something of every page, which a partial rebuild would not remake)."""
    plugins = list(config.plugins.values())
    return plugins[0] if [type(p).__module__ for p in plugins] == [SEARCH_PLUGIN] else None


def _link_tree(source: Path, target: Path) -> None:
    """Fill the empty (but for its marker) folder `target` with hard links to `source`'s files."""
    for path, entry in outputs.tree(source, skip={outputs.SITE_MARKER}):
        if entry.is_dir(follow_symlinks=False):
            (target / path).mkdir()
        else:
            os.link(entry.path, target / path)


class WarmEngine:
    """`engine.run_engine` with memory: a full build the first time and whenever one is needed,
    else only the changed pages (see the module's docstring). `settled(site_dir)` tells it the
    build the server now shows; `forget()` that the next build must be full."""

    def __init__(self) -> None:
        self._warm: _Warm | None = None
        self.rendered: int | None = None  # pages the last build rendered; None for all

    def forget(self) -> None:
        self._warm = None

    def settled(self, site_dir: Path) -> None:
        if self._warm is not None:
            self._warm.site = site_dir

    def __call__(self, project: Path, site_dir: Path, *, strict: bool) -> list[str]:
        stamps = project_stamps(project)
        warm, self._warm = self._warm, None  # whatever fails below leaves a full build next
        plan = self._partial_plan(warm, stamps, strict)
        if warm is None or warm.site is None or plan is None:
            return self._full(project, site_dir, stamps, strict=strict)
        try:
            _link_tree(warm.site, site_dir)
        except OSError:  # no hard links here (another file system): copy through a full build
            return self._full(project, site_dir, stamps, strict=strict)
        from mkdocs.exceptions import MkDocsException

        try:
            _copy_files(warm, plan.copies, site_dir)
            rendered = _render_pages(warm, plan.pages, site_dir)
        except MkDocsException:  # a full build says what went wrong, as always
            rendered = False
        if not rendered:
            return self._full(project, site_dir, stamps, strict=strict)
        warm.stamps, warm.site, self._warm = stamps, None, warm
        self.rendered = len(plan.pages)
        return [message for messages in warm.warnings.values() for message in messages]

    def _partial_plan(
        self, warm: _Warm | None, stamps: Mapping[str, Stamp], strict: bool
    ) -> _Plan | None:
        if warm is None or warm.site is None or strict:
            return None
        changed = changed_files(warm.stamps, stamps)
        plan = None if changed is None else warm.plan(changed)
        if plan is None or len(plan.pages) > len(warm.entries) / 2:
            return None
        return plan

    def _full(
        self, project: Path, site_dir: Path, stamps: dict[str, Stamp], *, strict: bool
    ) -> list[str]:
        recorder: _Recorder | None = None

        def observe(config: Any) -> None:
            nonlocal recorder
            recorder = _Recorder(_Warm(config), _search_plugin(config))
            config.plugins["pumpsite/warm"] = recorder

        warnings = engine.run_engine(project, site_dir, strict=strict, observe=observe)
        self.rendered = None
        if recorder is not None and recorder.warm.search is not None and not warnings:
            recorder.warm.stamps = stamps
            self._warm = recorder.warm
        return warnings


def _forget_charts(env: Any) -> None:
    """Drop the compiled chart files from the theme's Jinja environment: a chart rewritten
    within the clock's resolution would pass its check of the file's time."""
    cache = env.cache if env.cache is not None else {}
    for key in [key for key in cache if key[1].startswith(engine.CHART_FOLDER + "/")]:
        del cache[key]


def _write_into(file: Any, site_dir: Path) -> None:
    """Point an engine file at `site_dir`, and unlink what is there: a hard link to the
    previous build's file, which writing in place would change under its readers."""
    file.dest_dir = str(site_dir)
    file.abs_dest_path = os.path.normpath(os.path.join(site_dir, file.dest_uri))  # was cached
    Path(file.abs_dest_path).unlink(missing_ok=True)


def _copy_files(warm: _Warm, copies: Iterable[str], site_dir: Path) -> None:
    """Copy the changed files of docs/ that are not pages (a measure's CSV) into `site_dir`."""
    for src_uri in copies:
        file = warm.files.get_file_from_path(src_uri)
        _write_into(file, site_dir)
        file.copy_file()


def _render_pages(warm: _Warm, pages: set[str], site_dir: Path) -> bool:
    """Render `pages` into `site_dir` and write the merged search index; False when a page's
    title or front matter changed, which the navigation of every page shows."""
    from mkdocs.commands.build import _build_page, _populate_page

    config, files = warm.config, warm.files
    config.site_dir = str(site_dir)
    _forget_charts(warm.env)
    doc_files = files.documentation_pages()
    with engine.engine_logs() as logs:
        for src_uri in sorted(pages):
            file = files.get_file_from_path(src_uri)
            page, before = file.page, (file.page.title, dict(file.page.meta))
            _populate_page(page, config, files)
            if (page.title, page.meta) != before:
                return False
            _write_into(file, site_dir)
            start = len(warm.search.entries)
            seen = len(logs.messages)
            _build_page(page, config, doc_files, warm.nav, warm.env)
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
            warm.entries[src_uri] = warm.search.entries[start:]
            del warm.search.entries[start:]
            warm.warnings[src_uri] = logs.messages[seen:]
    _write_search_index(warm, site_dir)
    return True


def _write_search_index(warm: _Warm, site_dir: Path) -> None:
    """The index with every page's entries, in the order of a full build."""
    order = [file.src_uri for file in warm.files.documentation_pages()]
    warm.search.entries = [entry for uri in order for entry in warm.entries.get(uri, [])]
    try:
        data = warm.search.generate_search_index(None)
    finally:
        warm.search.entries = []
    path = site_dir / "search" / "search_index.json"
    path.unlink(missing_ok=True)  # a link to the previous build's
    path.write_text(data, encoding="utf-8")

"""Where each generated page lives in docs/, and links between pages."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# --- paths and links -----------------------------------------------------------------------------

RESERVED_IDS = frozenset({"index", "readme"})
"""Ids (casefolded) no goal or measure may have: MkDocs makes `index.md` (or `README.md` in its
place) a folder's main page, and `goals/index.md` is the results map. In any letter case, since
the project is written to file systems that ignore it."""


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


def directory_urls(site_config: Mapping[str, Any]) -> bool:
    """Whether pages are folders ('goals/g/') or files ('goals/g.html'): files unless the user
    sets `use_directory_urls: true`, so the site opens from `file://` (see
    `pumpsite.build.engine.NO_REQUESTS`)."""
    return site_config.get("use_directory_urls") is True


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


def action_page(action_id: str) -> str:
    return f"actions/{action_id}.md"

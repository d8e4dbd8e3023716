"""The one module that hands the site to the engine (MkDocs 1.6 + Material 9).

`pumpsite build` writes a plain MkDocs project into `.pumpsite/` — `mkdocs.yml` and `docs/` —
and runs the engine on it. The project stands on its own: `mkdocs build -f .pumpsite/mkdocs.yml`
reproduces the site, and a successor engine (ProperDocs, Zensical) can be tried on the same
output. No MkDocs plugin or hook is involved, so correctness does not depend on one.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sysconfig
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import yaml

from pumpsite.model import Tagged
from pumpsite.site import Site
from pumpsite.templating import CompiledTemplates

PROJECT_DIR = ".pumpsite"
"""The generated MkDocs project, inside the measures repository (git-ignored)."""
KEPT = "cache"
"""pumpsite's build cache inside the project folder: not part of the MkDocs project, and kept
when the project is rewritten."""

REQUIRED_EXTENSIONS: tuple[str, ...] = (
    "abbr",
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "pymdownx.details",
    "pymdownx.superfences",
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

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


class EngineError(Exception):
    """The engine failed to build the site; the message says why."""


# --- configuration (pure) ------------------------------------------------------------------------


def _extension_name(entry: object) -> str:
    if isinstance(entry, Mapping):
        return str(next(iter(entry), ""))
    return str(entry)


def merge_extensions(user: object, glossary: Mapping[str, str]) -> list[Any]:
    """The user's Markdown extensions, plus the ones generated pages need; `abbr` carries the
    glossary so every term gets a tooltip on every page."""
    entries = list(user) if isinstance(user, list) else []
    names = [_extension_name(e) for e in entries]
    entries += [name for name in REQUIRED_EXTENSIONS if name not in names]
    abbr = {"abbr": {"glossary": dict(sorted(glossary.items()))}}
    return [abbr if _extension_name(e) == "abbr" else e for e in entries]


def _theme(user: object, has_overrides: bool) -> dict[str, Any]:
    theme: dict[str, Any] = {"name": user} if isinstance(user, str) else dict(user or {})  # type: ignore[call-overload]
    theme.setdefault("name", "material")
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


def _write_if_changed(path: Path, content: str | bytes) -> bool:
    data = content.encode() if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def project_files(site: Site, config: Mapping[str, Any]) -> dict[str, str | bytes]:
    """Every file of the generated project, relative to its folder."""
    files: dict[str, str | bytes] = {f"docs/{path}": text for path, text in site.files.items()}
    files["mkdocs.yml"] = config_yaml(config)
    if config["theme"].get("custom_dir") == "overrides":
        files["overrides/partials/actions.html"] = ACTIONS_TEMPLATE
    return files


def write_project(project: Path, files: Mapping[str, str | bytes]) -> int:
    """Write the project, touching only files whose content changed (so a watching server does
    not loop), and remove files no longer generated (the cache folder is left alone). Returns the
    number of files written."""
    written = sum(_write_if_changed(project / path, content) for path, content in files.items())
    wanted = {PurePosixPath(p) for p in files}
    for folder, _, names in os.walk(project, topdown=False):
        here = Path(folder)
        relative = PurePosixPath(here.relative_to(project).as_posix())
        if relative.parts[:1] == (KEPT,):
            continue
        for name in names:
            if relative / name not in wanted:
                (here / name).unlink()
        if here != project and not any(here.iterdir()):
            here.rmdir()
    return written


# --- running the engine --------------------------------------------------------------------------


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _engine_logs() -> Iterator[_Collector]:
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


# MkDocs makes a new Jinja environment on each build, which recompiles every theme template and
# lists every file of the theme (Material's holds 14,000 icons): under `pumpsite serve`, a third of
# a rebuild of the example. Both are kept for the life of the process: compiled templates are
# checked against a hash of their source, and only installed themes' folders (which a build does
# not change) are listed once; the generated `overrides/` and a user's `custom_dir` are listed
# afresh.
_BYTECODE = CompiledTemplates()
_INSTALLED = tuple({Path(sysconfig.get_path(kind)).resolve() for kind in ("purelib", "platlib")})


@functools.cache
def _installed_listing(folder: str) -> frozenset[str]:
    return frozenset(jinja2.FileSystemLoader(folder).list_templates())


class _ThemeLoader(jinja2.FileSystemLoader):
    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            if any(Path(folder).resolve().is_relative_to(place) for place in _INSTALLED):
                found |= _installed_listing(folder)
            else:
                found.update(jinja2.FileSystemLoader(folder).list_templates())
        return sorted(found)


def _reuse_across_builds(theme: Any) -> None:
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env: jinja2.Environment = make_env()
        env.bytecode_cache = _BYTECODE
        if type(env.loader) is jinja2.FileSystemLoader:
            env.loader = _ThemeLoader(env.loader.searchpath, followlinks=env.loader.followlinks)
        return env

    theme.get_env = get_env


def run_engine(project: Path, site_dir: Path, *, strict: bool) -> list[str]:
    """Build the project into `site_dir` and return the engine's warnings."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _engine_logs() as logs:
        try:
            config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=strict)
            _reuse_across_builds(config.theme)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (MkDocsException, SystemExit, OSError, yaml.YAMLError) as error:
            raise EngineError("\n".join([*logs.messages, str(error)]).strip()) from None
    return logs.messages


def clear(project: Path) -> None:
    shutil.rmtree(project, ignore_errors=True)

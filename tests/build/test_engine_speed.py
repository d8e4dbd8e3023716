"""The engine's speed mechanisms, and the engine internals they rely on: when an upgrade moves
one, a test here fails and names it (see `pumpsite.build.engine_speed.INTERNALS`)."""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from pumpsite.build import engine, engine_speed
from tests.build.test_engine import _project_with_custom_dir


@pytest.mark.parametrize(("package", "start"), sorted(engine_speed.TESTED_WITH.items()))
def test_the_engine_is_a_version_the_mechanisms_were_written_against(
    package: str, start: str
) -> None:
    version = importlib.metadata.version(package)
    assert version.startswith(start), (
        f"{package} {version} is installed; pumpsite.build.engine_speed was written against "
        f"{start}x: check every item of INTERNALS, then update TESTED_WITH"
    )


def test_a_theme_makes_its_environment_with_get_env_and_a_plain_file_system_loader() -> None:
    from mkdocs.theme import Theme

    theme = Theme("material")
    assert inspect.ismethod(theme.get_env), "Theme.get_env is no longer a method"
    env = theme.get_env()
    assert isinstance(env, jinja2.Environment)
    assert type(env.loader) is jinja2.FileSystemLoader, "the theme's loader is another kind"
    assert env.loader.searchpath and isinstance(env.loader.followlinks, bool)
    assert env.bytecode_cache is None, "MkDocs now sets a bytecode cache of its own"


def test_the_build_calls_get_env_on_the_theme_it_was_given() -> None:
    from mkdocs.commands import build

    assert "get_env()" in inspect.getsource(build), "MkDocs no longer asks the theme for its env"


def test_material_still_reads_the_variable_that_quiets_its_notice() -> None:
    import material.templates

    source = Path(material.templates.__file__).read_text()
    assert all(name in source for name in engine_speed.QUIET), "Material's notice moved"


def test_nothing_is_done_at_import() -> None:
    """Importing the adapter sets no variable: a build does, when it starts."""
    code = (
        "import os, pumpsite.build.engine, pumpsite.build.engine_speed as s;"
        "print(sorted(n for n in s.QUIET if n in os.environ))"
    )
    env = {k: v for k, v in os.environ.items() if k not in engine_speed.QUIET}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_before_loading_quiets_the_theme_but_a_users_own_setting_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_MKDOCS_2_WARNING", raising=False)
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "false")
    engine_speed.before_loading()
    assert os.environ["NO_MKDOCS_2_WARNING"] == "1"
    assert os.environ["DISABLE_MKDOCS_2_WARNING"] == "false"


def test_compiled_theme_templates_are_reused_but_an_edited_template_is_compiled_again(
    tmp_path: Path,
) -> None:
    project = _project_with_custom_dir(tmp_path, "overrides")
    override = tmp_path / "overrides" / "main.html"
    override.parent.mkdir()
    for marker in ("FIRST-VERSION", "SECOND-VERSION"):
        override.write_text(
            '{% extends "base.html" %}{% block footer %}' + marker + "{% endblock %}"
        )
        engine.run_engine(project, tmp_path / marker, strict=False)
        assert marker in (tmp_path / marker / "index.html").read_text()
    assert len(engine_speed._compiled()._compiled) > 10, "Material's templates are kept compiled"


@pytest.mark.slow
def test_installed_theme_files_are_listed_once_but_a_custom_dir_every_build(
    tmp_path: Path,
) -> None:
    project = _project_with_custom_dir(tmp_path, "theme-extra")
    (tmp_path / "theme-extra").mkdir()
    engine.run_engine(project, tmp_path / "first", strict=False)
    assert (tmp_path / "first" / "assets" / "javascripts").is_dir()  # Material's own files
    assert engine_speed._installed_listing.cache_info().currsize >= 1
    (tmp_path / "theme-extra" / "robots.txt").write_text("User-agent: *\n")
    engine.run_engine(project, tmp_path / "second", strict=False)
    assert (tmp_path / "second" / "robots.txt").read_text() == "User-agent: *\n"
    assert (tmp_path / "second" / "assets" / "javascripts").is_dir()

from pathlib import Path

from pumpsite.build import engine, theme_fixes
from tests.build.test_engine import SITE

NAME = " aria-label=\"{{ lang.t('search') }}\""


def test_the_search_partial_is_materials_with_the_dialog_named() -> None:
    """If Material changes its partial, this fails: copy the new one and keep the one change."""
    import material

    theirs = Path(material.__file__).parent / "templates" / "partials" / "search.html"
    header = ("{#-", "  This file", "-#}")  # "generated - do not edit"
    original = [line for line in theirs.read_text().splitlines() if not line.startswith(header)]
    ours = theme_fixes.SEARCH_TEMPLATE.splitlines()[1:]  # long tags are wrapped: compare words
    assert (
        " ".join(ours).split()
        == " ".join(original).replace('role="dialog"', 'role="dialog"' + NAME).split()
    )


def test_the_generated_project_has_the_accessibility_overrides() -> None:
    files = engine.project_files(SITE, engine.engine_config({}, SITE, default_name="r"))
    assert files["overrides/partials/search.html"] == theme_fixes.SEARCH_TEMPLATE
    assert files["overrides/main.html"] == theme_fixes.MAIN_TEMPLATE
    assert '{% extends "base.html" %}' in files["overrides/main.html"]
    assert "{{ super() }}" in files["overrides/main.html"]  # Material's scripts stay

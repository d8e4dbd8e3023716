"""docs/templates.md documents every page template with the variables its header lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TEMPLATES = sorted((ROOT / "pumpsite" / "render" / "templates").glob("*.md"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_header_is_in_the_docs(template: Path) -> None:
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    assert f"## `{template.name}`" in doc
    for header in re.findall(r"\{#-\n(.*?)\n-#\}", template.read_text(encoding="utf-8"), re.S):
        assert header.rstrip() in doc, f"docs/templates.md is out of date for {template.name}"

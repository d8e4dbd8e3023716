"""The package's face: the public API in `__all__`, lazily imported, and the module map."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pumpsite

PACKAGE = Path(pumpsite.__file__).parent


def test_every_name_in_all_exists_and_comes_from_its_module() -> None:
    for name in pumpsite.__all__:
        value = getattr(pumpsite, name)
        if name != "__version__":
            assert value.__module__.startswith("pumpsite."), name


def test_all_is_the_lazy_map() -> None:
    assert set(pumpsite.__all__) == {"__version__", *pumpsite._PUBLIC}


def test_build_site_is_the_build_function_not_the_subpackage() -> None:
    from pumpsite.build.run import build

    assert pumpsite.build_site is build


def test_nothing_else_is_public_by_accident() -> None:
    public = {name for name in vars(pumpsite) if not name.startswith("_")}
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert public - set(pumpsite.__all__) <= subpackages | modules | {"annotations"}
    assert sorted(dir(pumpsite)) == sorted(pumpsite.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        pumpsite.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("pumpsite.no_such_thing exists")


def test_importing_pumpsite_imports_none_of_the_stages() -> None:
    code = "import sys, pumpsite; print(sorted(m for m in sys.modules if m.startswith('pumpsite')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert output.stdout.strip() == "['pumpsite']"


def test_the_module_map_names_every_subpackage() -> None:
    doc = pumpsite.__doc__ or ""
    for folder in PACKAGE.iterdir():
        if (folder / "__init__.py").is_file():
            assert f"`{folder.name}/`" in doc, folder.name


def test_the_version_has_one_source() -> None:
    """pyproject.toml reads the version from `pumpsite.__version__`; the installed metadata and
    `pumpsite --version` say the same."""
    from importlib.metadata import version

    from click.testing import CliRunner

    from pumpsite.cli import cli

    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "pumpsite.__version__" }' in pyproject
    assert version("pumpsite") == pumpsite.__version__
    printed = CliRunner().invoke(cli, ["--version"]).output
    assert printed == f"pumpsite, version {pumpsite.__version__}\n"

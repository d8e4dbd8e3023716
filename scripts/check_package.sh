#!/usr/bin/env bash
# The release check: build the wheel and the sdist, let twine check them, install the wheel (not
# the source tree) into a fresh virtual environment and run pumpsite's first commands from it in
# an empty folder. A template or starter file missing from the package data fails here.
# Usage: scripts/check_package.sh [PYTHON]   (PYTHON has `build` and `twine`: the dev extras)
set -euo pipefail
PY=${1:-.venv/bin/python}
expected="pumpsite, version $("$PY" -c 'import pumpsite; print(pumpsite.__version__)')"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$PY" -m build --outdir "$WORK/dist" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
"$PY" -m twine check --strict "$WORK"/dist/*
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WORK"/dist/*.whl

cd "$WORK"  # away from the source tree, so only the installed package can be imported
export PATH="$WORK/venv/bin:$PATH" PYTHONPATH=
version=$(pumpsite --version)
[ "$version" = "$expected" ] || { echo "pumpsite --version says '$version', expected '$expected'"; exit 1; }
pumpsite init first-measures
cd first-measures
pumpsite new goal customers-stay --title "Customers stay with us"
pumpsite new measure churn --goal customers-stay --better down --unit %
pumpsite check
pumpsite build
test -f site/index.html
echo "package check: $version installs from its wheel and runs init, new, check and build"

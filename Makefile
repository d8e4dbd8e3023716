# One entry point for developers and CI.
PY ?= .venv/bin/python

.PHONY: install axe check lint types test test-fast golden package docs

install:
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(MAKE) axe

# axe-core for the accessibility test (tests/browser/test_axe.py), pinned in its package.json.
axe:
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility test skips (and fails under CI)"; fi

check: lint types test

lint:
	$(PY) -m ruff check pumpsite tests benchmarks
	$(PY) -m ruff format --check pumpsite tests benchmarks

types:
	$(PY) -m mypy

test:
	$(PY) -m pytest -n 2

# The tests not marked slow: under a minute, for the edit-test loop. `make test` runs them all.
test-fast:
	$(PY) -m pytest -n 2 -m "not slow"

golden:
	PUMPSITE_UPDATE_GOLDEN=1 $(PY) -m pytest tests -k golden -p no:xdist

# The release check: wheel and sdist build, twine accepts them, and the wheel alone runs
# init, new, check and build in a fresh virtual environment.
package:
	scripts/check_package.sh $(PY)

docs:
	$(PY) scripts/problems_doc.py

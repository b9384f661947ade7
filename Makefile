# The two set-up commands: `make demo` and `make test`. Both create .venv on demand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck unit clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

test: $(DEVSTAMP)
	$(PY) -m ruff check promptops tests bench scripts
	$(PY) -m ruff format --check promptops tests bench scripts
	$(PY) -m mypy
	$(PY) -m pytest -q -p no:cacheprovider

unit: $(DEVSTAMP)
	$(PY) -m pytest -q -x -p no:cacheprovider

clean:
	rm -rf $(VENV) dist .mypy_cache .ruff_cache .pytest_cache

# The two set-up commands: `make demo` and `make test`. Both create .venv on demand and
# install from the hashed locks in requirements/ (docs/adr/0011-dependency-lock.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input --quiet
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# Install promptops itself without resolving anything: its dependencies and build backend
# come from the lock, never from whatever the index has today.
SELF := install --no-deps --no-build-isolation -e .

# The locker (uv, itself pinned by hash) lives in its own venv.
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
COMPILE := UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pip compile --quiet --universal \
	--generate-hashes --python-version 3.11
LOCK_IN := pyproject.toml requirements/build.in

.PHONY: demo test lint typecheck unit lock lock-upgrade test-latest test-oldest clean oci-registry \
	chromium interop-ref

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements/base.lock pyproject.toml | $(PY)
	$(PIP) install --require-hashes -r requirements/base.lock
	$(PIP) $(SELF)
	touch $@

$(DEVSTAMP): requirements/dev.lock pyproject.toml | $(PY)
	$(PIP) install --require-hashes -r requirements/dev.lock
	$(PIP) $(SELF)
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

$(UV): requirements/tools.lock
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip --disable-pip-version-check --quiet install \
		--require-hashes -r requirements/tools.lock
	touch $@

# Re-resolve after a change to pyproject.toml, keeping every pin that still fits.
lock: $(UV)
	$(COMPILE) $(LOCK_IN) --extra dev -o requirements/dev.lock
	$(COMPILE) $(LOCK_IN) -c requirements/dev.lock -o requirements/base.lock

# Move every pin to the newest release the ranges allow (then run make test and commit).
lock-upgrade: $(UV)
	$(COMPILE) --upgrade $(LOCK_IN) --extra dev -o requirements/dev.lock
	$(COMPILE) --upgrade $(LOCK_IN) -c requirements/dev.lock -o requirements/base.lock

# Drift, found on purpose: the test suite against the newest and the lowest releases the
# ranges in pyproject.toml allow, each in a venv of its own. Not part of `make test`.
test-latest: $(UV)
	scripts/test_resolution.sh $(UV) highest .venv-latest $(PYTHON)

test-oldest: $(UV)
	scripts/test_resolution.sh $(UV) lowest-direct .venv-oldest $(PYTHON)

# Debian's docker-registry (the distribution project's registry) and htpasswd, for the OCI
# tests: tests/oci_registry.py runs this target when either binary is missing, then starts
# its own registries on loopback (never the system service).
OCI_PACKAGES := docker-registry apache2-utils
oci-registry:
	@command -v docker-registry >/dev/null && command -v htpasswd >/dev/null || { \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends $(OCI_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && \
	    apt-get install -y -q --no-install-recommends $(OCI_PACKAGES) >/dev/null; }; }

# Debian's Chromium, for the tests that render HTML reports headless (they call this target
# and skip, saying why, where it cannot be installed).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium

# Reference template engines for the interop tests (handlebars.js and nunjucks from the npm
# registry, pinned with hashes by package-lock.json) in a git-ignored node_modules. The
# tests call this target and skip, saying why, where node or npm cannot install them.
INTEROP_REF := tests/interop/reference
interop-ref: $(INTEROP_REF)/node_modules/.installed

$(INTEROP_REF)/node_modules/.installed: $(INTEROP_REF)/package.json $(INTEROP_REF)/package-lock.json
	cd $(INTEROP_REF) && npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) .venv-latest .venv-oldest dist .mypy_cache .ruff_cache .pytest_cache
	rm -rf $(INTEROP_REF)/node_modules

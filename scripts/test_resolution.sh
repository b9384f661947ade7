#!/usr/bin/env bash
# Run the test suite against one resolution of the ranges in pyproject.toml, in a venv of its
# own: `highest` (make test-latest) or `lowest-direct` (make test-oldest). The locked install
# of `make test` is untouched.
# Usage: scripts/test_resolution.sh UV RESOLUTION VENV PYTHON
set -euo pipefail
uv=$1 resolution=$2 venv=$3 python=$4
cd "$(dirname "$0")/.."
rm -rf "$venv"
"$python" -m venv "$venv"
py="$venv/bin/python"
"$uv" pip compile --quiet --no-header --resolution "$resolution" --python "$py" \
    pyproject.toml --extra dev -o "$venv/resolved.txt"
"$uv" pip install --quiet --python "$py" -r "$venv/resolved.txt"
"$uv" pip install --quiet --python "$py" --no-deps -e .
echo "== $resolution: the direct dependencies as resolved"
"$py" - <<'PY'
import re, tomllib
from importlib.metadata import version
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
    name = re.match(r"[A-Za-z0-9._-]+", req).group(0)
    print(f"   {name:<20} {version(name):<14} (pyproject: {req})")
PY
"$py" -m pytest -q -p no:cacheprovider

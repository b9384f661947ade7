"""Fixtures for the interop tests: the corpus, the Node reference engines, imports."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from promptops.fsutil import atomic_write_text
from promptops.interop import ImportPlan, plan_import

CORPUS = Path(__file__).parent / "corpus"
REFERENCE = Path(__file__).parent / "reference"
ROOT = Path(__file__).resolve().parents[2]

Render = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def node_reference() -> Render:
    """Render jobs with the real handlebars.js and nunjucks (installed by `make
    interop-ref` from the npm registry); skips, saying why, where that cannot work."""
    node, npm, make = shutil.which("node"), shutil.which("npm"), shutil.which("make")
    if node is None or npm is None or make is None:
        pytest.skip("node, npm or make is not installed: the reference engines cannot run")
    done = subprocess.run(
        [make, "-s", "-C", str(ROOT), "interop-ref"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"`make interop-ref` could not install handlebars and nunjucks: {done.stderr[-300:]}"
        )

    def render(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = subprocess.run(
            [node, str(REFERENCE / "render.js")],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        results: list[dict[str, Any]] = json.loads(out.stdout)
        return results

    return render


def apply(plan: ImportPlan) -> None:
    """Write a plan as the CLI does."""
    for change in plan.writes:
        atomic_write_text(plan.root / change.path, change.new)


def run_import(fmt: str, paths: list[Path], into: Path, **options: Any) -> ImportPlan:
    """Plan an import, write it when it has no error, and return the plan."""
    plan = plan_import(fmt, paths, into=into, base=ROOT, **options)
    apply(plan)
    return plan


def codes(plan: ImportPlan) -> list[str]:
    return [d.code for d in plan.diagnostics]

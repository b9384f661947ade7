"""The shipped CI integration: the pre-commit hook and the composite GitHub Action."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from promptops.diff import FAIL_ON, MARKER

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_pre_commit_hook_validates_prompt_files() -> None:
    (hook,) = _load(".pre-commit-hooks.yaml")
    assert hook["id"] == "promptops-validate"
    assert hook["entry"] == "promptops validate"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    for path in ("prompts/a/b.yaml", "policies/tools.yaml", "evals/x.yaml", "models.yaml"):
        assert pattern.search(path), path
    for path in ("README.md", "src/models.yaml.bak.py", "docs/prompts.md"):
        assert not pattern.search(path), path


def test_action_runs_validate_then_diff_and_gates() -> None:
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"base-ref", "fail-on", "provider", "python-version"}
    assert action["inputs"]["fail-on"]["default"] in FAIL_ON
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    runs = [s.get("run", "") for s in steps]
    validate = next(i for i, r in enumerate(runs) if "promptops validate" in r)
    diff = next(i for i, r in enumerate(runs) if "--behaviour --format markdown" in r)
    assert validate < diff
    assert "pip install" in runs[1]
    # The comment step finds its previous comment by the same marker the report starts with.
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert f"const marker = '{MARKER}';" in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]
    # The last step turns the diff's exit code into the job's result.
    assert "exit 1" in runs[-1] and "steps.diff.outputs.exit-code" in str(steps[-1]["env"])


def test_action_uploads_the_html_report_and_links_it() -> None:
    steps = _load("action.yml")["runs"]["steps"]
    diff = next(s for s in steps if s.get("id") == "diff")
    assert "hargs[4]=html" in diff["run"] and 'echo "html=$html"' in diff["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "${{ steps.diff.outputs.html }}"
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert comment["env"]["HTML_URL"] == "${{ steps.html.outputs.artifact-url }}"
    assert "process.env.HTML_URL" in comment["with"]["script"]
    # Replaced in the args the markdown run uses: index 4 is the format's value.
    args = re.search(r"args=\((.*)\)", diff["run"])
    assert args is not None and args.group(1).split()[4] == "markdown"

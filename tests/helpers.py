"""Test helpers: real git repositories in temporary directories with a fixed identity."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

# A small repository that validates cleanly; tests copy and break it.
MINIMAL_REPO: dict[str, str] = {
    "models.yaml": """\
models:
  default:
    provider: echo
    model: echo-2024-01-01
    params: {temperature: 0.3, max_tokens: 200}
    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}
""",
    "prompts/greet.yaml": """\
kind: prompt
description: Greet a user by name.
owner: team-a
model: default
params: {temperature: 0.1}
system: [instructions/tone]
inputs:
  name: {type: string, maxLength: 100}
messages:
  - role: user
    content: |
      Say hello to {{ name }}.
tools: [lookup]
tags: [production]
""",
    "prompts/instructions/tone.yaml": """\
kind: instruction
description: House tone.
owner: team-a
text: Be brief and kind.
""",
    "prompts/partials/footer.yaml": """\
kind: partial
description: Sign-off.
owner: team-a
template: "Thanks, {{ name }}."
""",
    "policies/tools.yaml": """\
tools:
  lookup:
    description: Look a user up.
    risk: low
    parameters:
      type: object
      properties: {user: {type: string}}
      required: [user]
""",
    "policies/rules.yaml": """\
rules:
  require_owner: true
""",
    "evals/greet.yaml": """\
prompt: greet
cases:
  - name: says-hello
    inputs: {name: Ada}
    assert:
      - contains: Ada
""",
}

# A variant to append to a MINIMAL_REPO-style prompt (its input is ``name``), ADR 0018.
SHORT_VARIANT = """\
variants:
  short:
    params: {temperature: 0.5}
    messages:
      - role: user
        content: Hi {{ name }}.
"""


def git(cwd: Path, *args: str) -> str:
    """Run git with the fixed identity; returns stdout."""
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def init_repo(root: Path, files: Mapping[str, str] | None = None, message: str = "init") -> str:
    """Create a git repository at ``root`` with ``files`` committed; returns the commit id."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, MINIMAL_REPO if files is None else files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the ``promptops`` CLI in process: (exit code, stdout, stderr)."""
    from promptops.cli.main import main

    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


_LOCK = Path(__file__).resolve().parents[1] / "requirements" / "dev.lock"


def locked_version(name: str) -> str | None:
    """The version ``requirements/dev.lock`` pins for ``name``, or None."""
    key = name.lower().replace("_", "-").replace(".", "-") + "=="
    for line in _LOCK.read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(key):
            return line[len(key) :].split()[0]
    return None


def generated_with_locked(name: str) -> pytest.MarkDecorator:
    """Skip a freshness check of a committed file that ``name`` generates, unless the
    installed ``name`` is the locked one (make test-latest / test-oldest install others,
    whose output may differ cosmetically; behaviour is what those runs check)."""
    from importlib.metadata import version

    installed, locked = version(name), locked_version(name)
    return pytest.mark.skipif(
        installed != locked,
        reason=f"committed output comes from the locked {name} {locked}; this run has {installed}",
    )


# Where tests leave files for a person to look at (screenshots); build/ is git-ignored.
ROOT_ARTIFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artifacts"

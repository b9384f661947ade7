"""The same eval written twice: a promptfoo config and a promptops repository.

One prompt, ``Say hello to {{name}}.``; case i sets ``name`` to ``user-<i>`` and asserts that
the output contains that name. Both tools run it with their echo provider, which returns the
rendered prompt, so every case passes on both sides and the work compared is the tools' own
overhead: loading the cases, rendering, calling the provider, checking, reporting.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.gen_repo import git

__all__ = ["case_names", "write_promptfoo_dir", "write_promptops_repo"]

TEMPLATE = "Say hello to {{name}}."

MODELS_YAML = """\
models:
  echo:
    provider: echo
    model: echo-2024-01-01
    params: {temperature: 0.0, max_tokens: 200}
    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}
"""

PROMPT_YAML = """\
kind: prompt
description: Greet a user by name.
owner: bench
model: echo
inputs:
  name: {type: string, maxLength: 100}
messages:
  - role: user
    content: "Say hello to {{ name }}."
tags: [bench]
"""


def case_names(n: int) -> list[str]:
    return [f"user-{i:05d}" for i in range(n)]


def write_promptfoo_dir(path: Path, n: int) -> Path:
    """Write ``promptfooconfig.yaml`` with ``n`` tests under ``path``; return the config path.

    JSON is valid YAML, and writing it avoids depending on a YAML emitter here.
    """
    path.mkdir(parents=True, exist_ok=True)
    config = {
        "description": f"bench: {n} cases, echo provider, one contains assertion each",
        "prompts": [TEMPLATE],
        "providers": ["echo"],
        "tests": [
            {"vars": {"name": name}, "assert": [{"type": "contains", "value": name}]}
            for name in case_names(n)
        ],
    }
    config_path = path / "promptfooconfig.yaml"
    config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return config_path


def write_promptops_repo(path: Path, n: int) -> Path:
    """Write a committed promptops repository with one prompt and ``n`` eval cases."""
    files = {
        "models.yaml": MODELS_YAML,
        "prompts/greet.yaml": PROMPT_YAML,
        "policies/tools.yaml": "tools: {}\n",
        "policies/rules.yaml": "rules:\n  require_owner: true\n",
        "evals/greet.yaml": json.dumps(
            {
                "prompt": "greet",
                "description": "bench",
                "cases": [
                    {"name": name, "inputs": {"name": name}, "assert": [{"contains": name}]}
                    for name in case_names(n)
                ],
            },
            indent=1,
        )
        + "\n",
    }
    for rel, text in files.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "bench fixture")
    return path

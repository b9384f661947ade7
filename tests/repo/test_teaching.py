# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Diagnostics that teach: Python-style fields, tabs, raw model ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, write_files

G = "prompts/greet.yaml"
Found = tuple[str, int, int, str, str, str]


def _found(root: Path, changes: dict[str, str]) -> list[Found]:
    write_files(root, {**MINIMAL_REPO, **changes})
    repo = load_repository(root, cache=False)
    return [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]


def _sub(old: str, new: str, path: str = G) -> dict[str, str]:
    assert old in MINIMAL_REPO[path]
    return {path: MINIMAL_REPO[path].replace(old, new, 1)}


CASES = [
    pytest.param(
        # The case: `{question}` only warned that `question` is unused.
        _sub("Say hello to {{ name }}.", "Say hello to {name}."),
        [
            (
                G,
                12,
                20,
                "warning",
                "single-brace",
                "'{name}' is printed as is: Jinja inserts input 'name' only with double braces; write '{{ name }}'",
            )
        ],
        id="single-brace-block",
    ),
    pytest.param(
        _sub("    content: |\n      Say hello to {{ name }}.\n", '    content: "Hi { name }!"\n'),
        [
            (
                G,
                11,
                18,
                "warning",
                "single-brace",
                "'{ name }' is printed as is: Jinja inserts input 'name' only with double braces; write '{{ name }}'",
            )
        ],
        id="single-brace-quoted",
    ),
    pytest.param(
        # Not a declared input (JSON in a prompt, say): no warning.
        _sub("Say hello to {{ name }}.", 'Say hello to {{ name }}. Reply {"ok": true} or {other}.'),
        [],
        id="single-brace-not-an-input",
    ),
    pytest.param(
        _sub("  name: {type: string, maxLength: 100}\n", "\tname: {type: string}\n"),
        [
            (
                G,
                8,
                1,
                "error",
                "yaml-tab",
                "invalid YAML: a tab character is used for indentation; YAML indents with spaces only: replace the tab with spaces",
            )
        ],
        id="tab",
    ),
    pytest.param(
        _sub("model: default", "model: echo-2024-01-01"),
        [
            (
                G,
                4,
                8,
                "error",
                "unknown-model",
                "unknown model 'echo-2024-01-01': prompts name a pin of models.yaml, not a model id; 'echo-2024-01-01' is the model of pin 'default': write 'model: default'",
            )
        ],
        id="raw-model-id",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_teaching_diagnostics(
    tmp_path: Path, changes: dict[str, str], expected: list[Found]
) -> None:
    assert _found(tmp_path, changes) == expected

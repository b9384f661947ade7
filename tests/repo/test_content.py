# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Chat history placeholders and multimodal parts in prompt files and eval cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.evals import evaluate_repository
from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, write_files

P = "prompts/photo.yaml"
E = "evals/photo.yaml"
Found = tuple[str, int, int, str, str, str]

GOOD = """\
kind: prompt
owner: team-a
model: default
inputs:
  chat: {type: array, default: []}
  photo: {type: object}
  question: {type: string}
messages:
  - role: system
    content: Be kind.
  - history: chat
  - role: user
    content:
      - text: "{{ question }}"
      - image: photo
"""


def _found(root: Path, files: dict[str, str]) -> list[Found]:
    write_files(root, {**MINIMAL_REPO, **files})
    repo = load_repository(root, cache=False)
    return [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]


def _sub(old: str, new: str) -> dict[str, str]:
    assert old in GOOD
    return {P: GOOD.replace(old, new, 1)}


CASES = [
    pytest.param({P: GOOD}, [], id="good"),
    pytest.param(
        _sub("  - history: chat\n", "  - history: chta\n"),
        [
            (
                P,
                11,
                14,
                "error",
                "undeclared-variable",
                "input 'chta' (the chat history) is not declared; declare it under 'inputs' with type: array; did you mean 'chat'?",
            ),
            (
                P,
                5,
                3,
                "warning",
                "unused-input",
                "input 'chat' is declared but no template uses it; remove it or use it",
            ),
        ],
        id="history-undeclared",
    ),
    pytest.param(
        _sub("chat: {type: array, default: []}", "chat: {type: string, default: ''}"),
        [
            (
                P,
                5,
                3,
                "error",
                "message-input",
                "input 'chat' holds the chat history: declare it with type: array; found type 'string'",
            )
        ],
        id="history-not-array",
    ),
    pytest.param(
        _sub("photo: {type: object}", "photo: {}"),
        [
            (
                P,
                6,
                3,
                "error",
                "message-input",
                "input 'photo' holds an image part: declare it with type: object; found no type",
            )
        ],
        id="image-untyped",
    ),
    pytest.param(
        _sub("  - role: user\n", "  - role: assistant\n"),
        [
            (
                P,
                15,
                9,
                "error",
                "content-part",
                "image parts are sent by the user: put it in a 'role: user' message (this one is assistant)",
            )
        ],
        id="image-from-assistant",
    ),
    pytest.param(
        _sub("      - image: photo\n", "      - imgae: photo\n"),
        [
            (
                P,
                15,
                9,
                "error",
                "unknown-key",
                "unknown key 'imgae' in 'messages[2].content[1]'; did you mean 'image'?",
            ),
        ],
        id="part-typo",
    ),
    pytest.param(
        _sub("      - image: photo\n", "      - {image: photo, text: hi}\n"),
        [
            (
                P,
                15,
                9,
                "error",
                "schema",
                "messages[2].content[1]: a content part is one of {text: TEMPLATE}, {image: INPUT} or {file: INPUT}; found text, image",
            )
        ],
        id="part-two-kinds",
    ),
    pytest.param(
        _sub("  - history: chat\n", "  - history: chat\n    role: user\n"),
        [
            (
                P,
                11,
                5,
                "error",
                "schema",
                "messages[1]: a history placeholder stands alone: {history: INPUT}, without role or content",
            )
        ],
        id="history-with-role",
    ),
    pytest.param(
        _sub("    content: Be kind.\n", ""),
        [
            (
                P,
                9,
                5,
                "error",
                "schema",
                "messages[0]: a message needs role and content (or is {history: INPUT}); content is missing",
            )
        ],
        id="message-without-content",
    ),
    pytest.param(
        _sub('      - text: "{{ question }}"\n', '      - text: "{{ qestion }}"\n'),
        [
            (
                P,
                14,
                19,  # the variable, inside the quoted text part
                "error",
                "undeclared-variable",
                "variable 'qestion' is not a declared input; declare it under 'inputs'; did you mean 'question'?",
            ),
            (
                P,
                7,
                3,
                "warning",
                "unused-input",
                "input 'question' is declared but no template uses it; remove it or use it",
            ),
        ],
        id="text-part-is-a-template",
    ),
    pytest.param(
        {
            P: GOOD,
            E: "prompt: photo\ncases:\n  - name: c\n    inputs:\n      question: hi\n      photo: {url: 'ftp://x'}\n      chat: [{role: system, content: hi}]\n",
        },
        [
            (
                E,
                6,
                20,
                "error",
                "invalid-input",
                "input 'photo.url' of prompt 'photo': expected a match for /^https?:///, found 'ftp://x' (a string)",
            ),
            (
                E,
                7,
                21,
                "error",
                "invalid-input",
                "input 'chat[0].role' of prompt 'photo': expected one of: 'user', 'assistant'; found 'system' (a string)",
            ),
        ],
        id="eval-case-values",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_content_checks(tmp_path: Path, files: dict[str, str], expected: list[Found]) -> None:
    assert sorted(_found(tmp_path, files)) == sorted(expected)


def test_eval_cases_with_history_and_images_run(tmp_path: Path) -> None:
    evals = (
        "prompt: photo\ncases:\n  - name: c\n    inputs:\n      question: Is it broken?\n"
        "      photo: {url: 'https://x.example/a.png'}\n"
        "      chat: [{role: user, content: hi}, {role: assistant, content: hello}]\n"
        "    assert:\n      - contains: Is it broken?\n"
    )
    write_files(tmp_path, {**MINIMAL_REPO, P: GOOD, E: evals})
    run = evaluate_repository(tmp_path, provider="echo", prompt_ids=["photo"], use_cache=False)
    assert run.report.ok, run.report

"""Metadata a format sets that a promptops prompt has no place for is named, positioned,
with the reason, never dropped silently; what the file name already says is not repeated.
A Prompty connection endpoint is kept as the pin's base_url."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from promptops.interop import plan_import

PROMPTY = """---
name: Support Answer
description: Answers a support question
version: 2.1
authors:
  - dana
model:
  id: gpt-4o-2024-08-06
metadata:
  tags: [support]
  team: billing
---
user:
{{question}}
"""

DOTPROMPT = """---
name: greeting
variant: formal
version: "3"
metadata:
  reviewed: true
model: googleai/gemini-2.0-flash-001
---
Hello {{name}}!
"""


def _not_kept(tmp_path: Path, fmt: str, name: str, text: str) -> list[tuple[int, str]]:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    plan = plan_import(fmt, [src], into=tmp_path / "repo", base=tmp_path)
    assert plan.errors == []
    return [(d.line, d.message) for d in plan.diagnostics if d.code == "import-not-kept"]


def test_prompty_name_version_authors_and_metadata(tmp_path: Path) -> None:
    assert _not_kept(tmp_path, "prompty", "answer.prompty", PROMPTY) == [
        (2, "'name' is not kept: promptops names the prompt by its file ('answer')"),
        (
            4,
            "'version' is not kept: promptops versions prompts with git history and signed "
            "releases",
        ),
        (
            6,
            "'authors' is not kept: a promptops prompt has one owner: set it with --owner or "
            "'owner:'",
        ),
        (
            11,
            "'metadata.team' is not kept: a promptops prompt has a description, an owner and "
            "tags only",
        ),
    ]


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("greeting.formal.prompt", ["version", "metadata"]),
        ("hello.prompt", ["name", "variant", "version", "metadata"]),
    ],
)
def test_dotprompt_name_and_variant_only_when_the_file_name_differs(
    tmp_path: Path, file_name: str, expected: list[str]
) -> None:
    found = _not_kept(tmp_path, "dotprompt", file_name, DOTPROMPT)
    assert [message.split("'")[1] for _, message in found] == expected


@pytest.mark.parametrize(
    ("endpoint", "base_url"),
    [
        ("https://llm.internal.example/v1", "https://llm.internal.example/v1"),
        ("${env:OPENAI_ENDPOINT:https://api.openai.com/v1}", None),  # the default: no noise
    ],
)
def test_prompty_connection_endpoint_becomes_the_pins_base_url(
    tmp_path: Path, endpoint: str, base_url: str | None
) -> None:
    src = tmp_path / "ask.prompty"
    src.write_text(
        "---\nmodel:\n  id: gpt-4o-2024-08-06\n  provider: openai\n  connection:\n"
        f"    kind: key\n    endpoint: {endpoint}\n---\nuser:\nhi\n",
        encoding="utf-8",
    )
    plan = plan_import("prompty", [src], into=tmp_path / "repo", base=tmp_path)
    models = yaml.safe_load(next(c.new for c in plan.changes if c.path == "models.yaml"))
    assert models["models"]["gpt-4o-2024-08-06"].get("base_url") == base_url


def test_promptfoo_targets_are_providers_and_runner_settings_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "promptfooconfig.yaml").write_text(
        "prompts: ['Say {{word}}']\n"
        "targets: ['openai:gpt-4o-2024-08-06']\n"
        "evaluateOptions: {maxConcurrency: 2}\n"
        "env: {OPENAI_BASE_URL: 'http://localhost:8080'}\n"
        "tests: [{vars: {word: hi}}]\n",
        encoding="utf-8",
    )
    plan = plan_import("promptfoo", [folder], into=tmp_path / "repo", base=tmp_path)
    assert plan.errors == []
    runner = [d for d in plan.diagnostics if d.code == "import-runner-settings"]
    assert [(d.line, d.message.split(" are ")[0]) for d in runner] == [
        (3, "runner settings evaluateOptions, env")
    ]
    models = yaml.safe_load(next(c.new for c in plan.changes if c.path == "models.yaml"))
    assert models["models"] == {
        "gpt-4o-2024-08-06": {"provider": "openai", "model": "gpt-4o-2024-08-06"}
    }


def test_python_call_keywords_the_prompt_does_not_carry_are_named(tmp_path: Path) -> None:
    src = tmp_path / "weather.py"
    src.write_text(
        "def ask(client, city: str):\n"
        "    return client.chat.completions.create(\n"
        "        model='gpt-4o-2024-08-06',\n"
        "        messages=[{'role': 'user', 'content': f'Weather in {city}?'}],\n"
        "        tools=TOOLS,\n"
        "        response_format={'type': 'json_object'},\n"
        "        stream=True,\n"
        "    )\n",
        encoding="utf-8",
    )
    plan = plan_import("python", [src], into=tmp_path / "repo", base=tmp_path)
    assert plan.prompts == ["weather/ask"]
    kept = [d for d in plan.diagnostics if "stay in the call" in d.message]
    assert [(d.line, d.message.split(" stay")[0]) for d in kept] == [
        (2, "response_format=, tools=")
    ]

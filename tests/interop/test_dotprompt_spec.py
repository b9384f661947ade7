"""Dotprompt's own specification suites: each template, imported as a `.prompt` file,
renders through promptops exactly the messages the specification expects.

The expected messages come from the specification (what Dotprompt's reference
implementations render), not from our Handlebars renderer, so this checks the whole
import independently. Picoschema suites are schema tests (tests/interop/test_picoschema.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.compile import compile_repository
from promptops.repo import load_repository
from promptops.runtime.preview import unverified_prompt
from tests.interop.conftest import CORPUS, run_import

SPEC = CORPUS / "dotprompt" / "spec"
_ROLES = {"model": "assistant"}

# Suites that use what promptops leaves out on purpose, each reported by the importer.
UNSUPPORTED = {
    ("helpers/section", None): "{{section}}: output sections (import-template-section)",
    ("helpers/json", None): "{{json this}}: the whole input object (import-template-this)",
    # Dotprompt puts history passed to a template without {{history}} before the last
    # user message; an imported prompt splices history only where {{history}} says.
    ("helpers/role", "system_only_prompt"): "history given with the render call",
    ("metadata", "metadata_state"): "@state: Dotprompt run-time data (import-template-data)",
    (
        "metadata",
        "metadata_context_variables",
    ): "@auth, @user: run-time data (import-template-data)",
    ("metadata", "ext"): "front matter only: no message to import (import-empty)",
}

# Where this copy of the specification expects what Dotprompt's JavaScript implementation
# does not render: its parse.ts passes a template without front matter to handlebars.js
# untrimmed, and handlebars.js keeps the newline after '{{/each}}' (the line is not
# standalone), which tests/interop/test_translate_handlebars.py checks against the real
# handlebars.js. promptops follows the implementation.
JS_RENDERS = {("unicode", "unicode_iteration"): lambda text: text + "\n"}


def _content(content: Any) -> Any:
    """A message's content, Dotprompt's parts or promptops', as text or (kind, url) parts."""
    if isinstance(content, str):
        return content
    parts: list[Any] = []
    for p in content:
        if "media" in p:
            parts.append(("image", p["media"]["url"]))
        elif p.get("type") == "image":
            parts.append(("image", p["url"]))
        else:
            parts.append(("text", p.get("text", "")))
    if all(kind == "text" for kind, _ in parts):
        return "".join(text for _, text in parts)
    return parts


def _suites() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(SPEC.rglob("*.yaml")):
        key = path.relative_to(SPEC).with_suffix("").as_posix()
        if key == "picoschema":
            continue
        for suite in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append((key, suite))
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-")


def _unsupported(key: str, suite: str) -> str | None:
    return UNSUPPORTED.get((key, None)) or UNSUPPORTED.get((key, suite))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("spec-src")
    for key, suite in _suites():
        if _unsupported(key, suite["name"]):
            continue
        folder = src / key / _slug(suite["name"])
        folder.mkdir(parents=True)
        (folder / f"{_slug(suite['name'])}.prompt").write_text(suite["template"], encoding="utf-8")
        for name, text in {
            **suite.get("partials", {}),
            **suite.get("resolverPartials", {}),
        }.items():
            (folder / f"_{name}.prompt").write_text(text, encoding="utf-8")
    into = tmp_path_factory.mktemp("spec-repo")
    plan = run_import("dotprompt", [src], into)
    assert plan.errors == [], "\n".join(map(str, plan.errors))
    return into


# Render data a suite gives for all its tests (the conversation history).
SUITE_DATA = {
    (key, suite["name"]): (suite.get("data") or {}).get("messages") for key, suite in _suites()
}

CASES = [
    pytest.param(key, suite["name"], test, id=f"{key}/{suite['name']}/{test.get('desc', i)}")
    for key, suite in _suites()
    if not _unsupported(key, suite["name"])
    for i, test in enumerate(suite.get("tests", []))
]


@pytest.mark.parametrize(("key", "suite", "test"), CASES)
def test_renders_the_messages_the_specification_expects(
    imported: Path, key: str, suite: str, test: dict[str, Any]
) -> None:
    bundle = compile_repository(load_repository(imported, cache=False), cache=False)
    pid = f"{key.lower()}/{_slug(suite)}/{_slug(suite)}"
    prompt = unverified_prompt(bundle.data, pid)
    data = {
        **(test.get("options") or {}).get("input", {}).get("default", {}),
        **((test.get("data") or {}).get("input") or {}),
    }
    inputs = {k: v for k, v in data.items() if k in prompt.inputs}
    schemas = bundle.prompt(pid)["input_schema"].get("properties", {})
    for name, schema in schemas.items():
        if schema.get("type") == "object" and isinstance(inputs.get(name), str):
            inputs[name] = {"url": inputs[name]}  # a media URL: promptops takes {url}
    messages = (test.get("data") or {}).get("messages") or SUITE_DATA[(key, suite)]
    if messages and "history" in prompt.inputs:
        inputs["history"] = [
            {"role": _ROLES.get(m["role"], m["role"]), "content": _content(m["content"])}
            for m in messages
        ]
    got = [(m["role"], _content(m["content"])) for m in prompt.render(**inputs).messages]
    expected = [
        (_ROLES.get(m["role"], m["role"]), _content(m["content"]))
        for m in test["expect"].get("messages", [])
    ]
    if (key, suite) in JS_RENDERS:
        expected = [(role, JS_RENDERS[(key, suite)](text)) for role, text in expected]
    assert got == expected


def test_every_unsupported_suite_is_reported(tmp_path: Path) -> None:
    codes_by_suite: dict[str, set[str]] = {}
    for key, suite in _suites():
        reason = _unsupported(key, suite["name"])
        if reason is None or "(" not in reason:
            continue
        src = tmp_path / _slug(f"{key}-{suite['name']}")
        src.mkdir()
        (src / "p.prompt").write_text(suite["template"], encoding="utf-8")
        plan = run_import("dotprompt", [src], tmp_path / (src.name + "-repo"))
        codes_by_suite[f"{key}/{suite['name']}"] = {d.code for d in plan.diagnostics}
        assert reason.split("(")[1].rstrip(")") in codes_by_suite[f"{key}/{suite['name']}"], key
    assert codes_by_suite

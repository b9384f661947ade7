from __future__ import annotations

import datetime as dt

import pytest

from promptops.compile import compile_prompt, compile_repository
from promptops.compile._json import plain
from promptops.errors import UsageError, ValidationError
from promptops.repo.types import Diagnostic
from tests.compile.memrepo import mem_repo
from tests.helpers import MINIMAL_REPO

MODELS = """\
models:
  main:
    provider: openai
    model: gpt-4o-2024-08-06
    base_url: https://llm.example.com/v1
    params: {temperature: 0.3, max_tokens: 800, top_p: 0.9}
    pricing: {input_per_mtok: 2.5, output_per_mtok: 10}
    context_window: 128000
    lifecycle: {deprecated: 2026-10-01, retires: 2027-04-01, replacement: next}
"""

TOOLS = """\
tools:
  search: {description: Search., risk: low, parameters: {type: object, properties: {}}}
  refund: {description: Refund., risk: high, parameters: {type: object, properties: {}}}
  wire: {description: Wire money., risk: high, requires_approval: false}
  peek: {description: Peek., risk: medium, requires_approval: true}
"""


def _repo(prompt: str, **extra: str) -> dict[str, str]:
    files = {
        "models.yaml": MODELS,
        "policies/tools.yaml": TOOLS,
        "prompts/p.yaml": prompt,
        "prompts/instructions/a.yaml": "kind: instruction\ntext: |\n  First rule.\n",
        "prompts/instructions/b.yaml": "kind: instruction\ntext: Second rule.\n",
        "prompts/partials/outer.yaml": (
            'kind: partial\ntemplate: |\n  [{% include "partials/inner" %}]\n'
        ),
        "prompts/partials/inner.yaml": "kind: partial\ntemplate: 'inner {{ x }}'\n",
        "prompts/partials/unused.yaml": "kind: partial\ntemplate: unused\n",
    }
    files.update({f"prompts/{k}.yaml": v for k, v in extra.items()})
    return files


def _prompt(content: str, extra: str = "") -> str:
    return f"kind: prompt\nmodel: main\n{extra}messages: [{{role: user, content: {content}}}]\n"


BASIC = """\
kind: prompt
description: d
model: main
params: {temperature: 0.0, seed: 7}
system: [instructions/a, instructions/b]
inputs:
  x: {type: string}
  y: {type: integer, default: 3}
  a: {type: string}
messages:
  - role: user
    content: |
      {% include "partials/outer" %} {{ y }}
  - role: assistant
    content: "ok\\n\\n"
tools: [search, refund, wire, peek]
output: {schema: {type: object, required: [answer]}}
tags: [t1, t2]
"""


def test_compiled_prompt_object() -> None:
    obj = compile_prompt(mem_repo(_repo(BASIC)), "p")
    assert obj == {
        "id": "p",
        "path": "prompts/p.yaml",
        "description": "d",
        "owner": None,
        "tags": ["t1", "t2"],
        "model": {
            "name": "main",
            "provider": "openai",
            "model": "gpt-4o-2024-08-06",
            "base_url": "https://llm.example.com/v1",
            "context_window": 128000,
            "pricing": {"input_per_mtok": 2.5, "output_per_mtok": 10.0},
            "lifecycle": {
                "deprecated": "2026-10-01",
                "retires": "2027-04-01",
                "replacement": "next",
            },
        },
        # Pin params updated by the prompt's.
        "params": {"temperature": 0.0, "max_tokens": 800, "top_p": 0.9, "seed": 7},
        "input_schema": {
            "type": "object",
            "properties": {
                "x": {"type": "string"},
                "y": {"type": "integer", "default": 3},
                "a": {"type": "string"},
            },
            "required": ["a", "x"],
            "additionalProperties": False,
        },
        "system": ["instructions/a", "instructions/b"],
        "messages": [
            {"role": "system", "template": "First rule.\n\nSecond rule.", "engine": "text"},
            {
                "role": "user",
                "template": '{% include "partials/outer" %} {{ y }}',
                "engine": "jinja",
            },
            # Only one trailing newline goes.
            {"role": "assistant", "template": "ok\n", "engine": "text"},
        ],
        "partials": {
            "partials/outer": '[{% include "partials/inner" %}]',
            "partials/inner": "inner {{ x }}",
        },
        "tools": [
            {
                "name": "search",
                "description": "Search.",
                "risk": "low",
                "requires_approval": False,
                "parameters": {"type": "object", "properties": {}},
            },
            {
                "name": "refund",
                "description": "Refund.",
                "risk": "high",
                "requires_approval": True,
                "parameters": {"type": "object", "properties": {}},
            },
            {
                "name": "wire",
                "description": "Wire money.",
                "risk": "high",
                "requires_approval": False,
                "parameters": {"type": "object", "properties": {}},
            },
            {
                "name": "peek",
                "description": "Peek.",
                "risk": "medium",
                "requires_approval": True,
                "parameters": {"type": "object", "properties": {}},
            },
        ],
        "output_schema": {"type": "object", "required": ["answer"]},
    }


def test_the_bundle_holds_what_compile_prompt_returns() -> None:
    repo = mem_repo(_repo(BASIC))
    assert compile_repository(repo, cache=False).prompt("p") == compile_prompt(repo, "p")


def test_no_instructions_means_no_leading_system_message() -> None:
    prompt = "kind: prompt\nmodel: main\nmessages: [{role: user, content: hi}]\n"
    obj = compile_prompt(mem_repo(_repo(prompt)), "p")
    assert obj["messages"] == [{"role": "user", "template": "hi", "engine": "text"}]
    assert obj["partials"] == {}
    assert obj["tools"] == []
    assert obj["output_schema"] is None
    assert obj["params"] == {"temperature": 0.3, "max_tokens": 800, "top_p": 0.9}


def test_dynamic_include_makes_every_partial_reachable() -> None:
    prompt = (
        "kind: prompt\nmodel: main\ninputs: {which: {type: string}}\n"
        "messages: [{role: user, content: '{% include which %}'}]\n"
    )
    obj = compile_prompt(mem_repo(_repo(prompt)), "p")
    assert sorted(obj["partials"]) == ["partials/inner", "partials/outer", "partials/unused"]


def test_partial_cycle_terminates() -> None:
    files = _repo(
        _prompt("'{% include \"partials/c1\" %}'"),
        **{
            "partials/c1": "kind: partial\ntemplate: '{% include \"partials/c2\" %}'\n",
            "partials/c2": "kind: partial\ntemplate: '{% include \"partials/c1\" %}'\n",
        },
    )
    assert sorted(compile_prompt(mem_repo(files), "p")["partials"]) == [
        "partials/c1",
        "partials/c2",
    ]


def test_yaml_dates_in_free_form_values_become_iso_strings() -> None:
    prompt = (
        "kind: prompt\nmodel: main\nparams: {cutoff: 2024-05-01}\n"
        "inputs: {d: {type: string, default: 2024-01-02}}\n"
        "messages: [{role: user, content: '{{ d }}'}]\n"
    )
    obj = compile_prompt(mem_repo(_repo(prompt)), "p")
    assert obj["params"]["cutoff"] == "2024-05-01"
    assert obj["input_schema"]["properties"]["d"]["default"] == "2024-01-02"


@pytest.mark.parametrize(
    ("prompt", "code", "message"),
    [
        (
            "kind: prompt\nmodel: nope\nmessages: [{role: user, content: x}]\n",
            "unknown-model",
            "unknown model 'nope'",
        ),
        (
            _prompt("x", "system: [instructions/zz]\n"),
            "unknown-instruction",
            "unknown instruction 'instructions/zz'",
        ),
        (
            "kind: prompt\nmodel: main\ntools: [nuke]\nmessages: [{role: user, content: x}]\n",
            "unknown-tool",
            "unknown tool 'nuke'",
        ),
        (
            _prompt("'{% include \"partials/zz\" %}'"),
            "unknown-partial",
            "unknown partial 'partials/zz': expected a file prompts/partials/zz.yaml "
            "with kind: partial",
        ),
        (
            _prompt("'{% include \"partials/inner\" %}{% if %}'"),
            "template-syntax",
            "template does not parse: Expected an expression, got 'end of statement block'",
        ),
        (
            "kind: prompt\nmodel: main\nparams: {t: .nan}\nmessages: [{role: user, content: x}]\n",
            "not-json",
            "value is not representable in JSON: params.t: nan is not a JSON number",
        ),
    ],
)
def test_unresolvable_prompt_fails_with_a_diagnostic(prompt: str, code: str, message: str) -> None:
    repo = mem_repo(_repo(prompt))
    with pytest.raises(ValidationError) as info:
        compile_prompt(repo, "p")
    assert info.value.diagnostics == [Diagnostic("prompts/p.yaml", 1, 1, "error", code, message)]
    with pytest.raises(ValidationError) as whole:
        compile_repository(repo, cache=False)
    assert str(whole.value) == "cannot build: 1 prompt(s) do not compile"
    assert whole.value.diagnostics == info.value.diagnostics


def test_unknown_prompt_id_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown prompt 'nope'"):
        compile_prompt(mem_repo(MINIMAL_REPO), "nope")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": [1, {"b": float("inf")}]}, "params.a[1].b: inf is not a JSON number"),
        ({"a": {1: "x"}}, "params.a: key 1 must be a string"),
        ({"a": [object()]}, "params.a[0]: object is not a JSON value"),
    ],
)
def test_plain_names_where_a_value_is_not_json(value: object, message: str) -> None:
    with pytest.raises(TypeError) as info:
        plain(value, "params")
    assert str(info.value) == message


def test_plain_converts_dates_and_tuples() -> None:
    value = {"d": dt.date(2024, 1, 2), "t": dt.datetime(2024, 1, 2, 3, 4), "l": (1, "x", None)}
    assert plain(value, "p") == {"d": "2024-01-02", "t": "2024-01-02T03:04:00", "l": [1, "x", None]}


def test_tool_that_is_not_json_fails_the_prompts_using_it() -> None:
    files = _repo(_prompt("x", "tools: [bad]\n"))
    files["policies/tools.yaml"] = TOOLS + "  bad: {parameters: {type: object, maximum: .inf}}\n"
    files["prompts/other.yaml"] = _prompt("y")
    repo = mem_repo(files)
    with pytest.raises(ValidationError) as info:
        compile_repository(repo, cache=False)
    assert info.value.diagnostics == [
        Diagnostic(
            "prompts/p.yaml",
            1,
            1,
            "error",
            "not-json",
            "value is not representable in JSON: tools.bad.parameters.maximum: inf is not a "
            "JSON number",
        )
    ]
    assert compile_prompt(repo, "other")["tools"] == []

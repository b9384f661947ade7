from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import promptops.spec
from promptops.errors import PromptopsError
from promptops.spec.export import (
    SCHEMA_KINDS,
    export_schemas,
    kind_for_path,
    load_shipped_schemas,
    render_schema,
    write_schemas,
)
from tests.helpers import generated_with_locked

SHIPPED_DIR = Path(promptops.spec.__file__).parent / "schemas"
REGENERATE = "run `promptops schema --out promptops/spec/schemas` and commit the result"


@generated_with_locked("pydantic")
def test_shipped_schemas_match_a_fresh_export() -> None:
    fresh = {kind: render_schema(schema) for kind, schema in export_schemas().items()}
    shipped = load_shipped_schemas()
    stale = sorted(k for k in fresh if shipped.get(k) != fresh[k])
    assert not stale, f"shipped JSON Schemas are stale for {stale}: {REGENERATE}"


def test_no_unexpected_files_in_the_shipped_folder() -> None:
    names = sorted(p.name for p in SHIPPED_DIR.iterdir() if p.suffix == ".json")
    assert names == sorted(f"{kind}.schema.json" for kind in SCHEMA_KINDS), REGENERATE


def test_export_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "out")
    assert [p.name for p in written] == [f"{k}.schema.json" for k in SCHEMA_KINDS]
    again = export_schemas()
    for kind, path in zip(SCHEMA_KINDS, written, strict=True):
        assert json.loads(path.read_text(encoding="utf-8")) == again[kind]
        assert path.read_text(encoding="utf-8") == render_schema(again[kind])


@pytest.mark.parametrize("kind", list(SCHEMA_KINDS))
def test_every_schema_is_valid_draft_2020_12_with_id_and_title(kind: str) -> None:
    schema = export_schemas()[kind]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:promptops:schema:v1:{kind}"
    assert schema["title"].startswith("promptops ")


def test_write_schemas_into_an_unwritable_place_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(PromptopsError, match=r"cannot write .*file/prompt-file\.schema\.json"):
        write_schemas(blocker)


def _errors(kind: str, instance: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(export_schemas()[kind])
    return sorted(e.message for e in validator.iter_errors(instance))


def test_model_objects_are_closed_so_editors_flag_typos() -> None:
    prompt = {"kind": "prompt", "model": "m", "messages": [{"role": "user", "content": "hi"}]}
    assert _errors("prompt-file", prompt) == []
    assert _errors("prompt-file", {**prompt, "modle": "m"}) != []
    tools = {"tools": {"t": {"risk": "high", "requirse_approval": True}}}
    assert _errors("tools", tools) == [
        "Additional properties are not allowed ('requirse_approval' was unexpected)"
    ]


def test_free_form_mappings_stay_open() -> None:
    prompt = {
        "kind": "prompt",
        "model": "m",
        "params": {"temperature": 0.2, "vendor_specific": 1},
        "inputs": {"q": {"type": "string", "x-anything": True}},
        "messages": [{"role": "user", "content": "{{ q }}"}],
    }
    assert _errors("prompt-file", prompt) == []


def test_enums_for_risk_provider_and_role() -> None:
    assert _errors("tools", {"tools": {"t": {"risk": "severe"}}}) == [
        "'severe' is not one of ['low', 'medium', 'high']"
    ]
    models = {"models": {"m": {"provider": "opnai", "model": "gpt-4o-2024-08-06"}}}
    assert _errors("models", models) == [
        "'opnai' is not one of ['openai', 'anthropic', 'openai-compatible', 'azure-openai', "
        "'gemini', 'bedrock', 'echo', 'replay']"
    ]
    prompt = {"kind": "prompt", "model": "m", "messages": [{"role": "bot", "content": "x"}]}
    assert _errors("prompt-file", prompt) != []


def test_assertions_are_one_key_mappings_of_known_types() -> None:
    def case(*asserts: dict[str, Any]) -> dict[str, Any]:
        return {"prompt": "p", "cases": [{"name": "c", "assert": list(asserts)}]}

    good = case(
        {"contains": "x"},
        {"not": {"regex": "y"}},
        {"json_path": {"path": "$.total", "equals": 12.5}},
        {"tool_called": {"name": "issue_refund", "args": {"order_id": "A1"}}},
        {"is_json": True},
        {"max_chars": 400},
    )
    assert _errors("eval", good) == []
    assert _errors("eval", case({"contians": "x"})) == [
        "Additional properties are not allowed ('contians' was unexpected)"
    ]
    assert _errors("eval", case({"contains": "x", "regex": "y"})) != []
    assert _errors("eval", case({"max_chars": "many"})) == ["'many' is not of type 'integer'"]


def test_every_assertion_type_has_an_argument_schema() -> None:
    items = export_schemas()["eval"]["$defs"]["EvalCase"]["properties"]["assert"]["items"]
    assert sorted(items["properties"]) == sorted(promptops.spec.ASSERTION_TYPES)


def test_fields_carry_descriptions() -> None:
    missing = []
    for kind, schema in export_schemas().items():
        for name, definition in {"": schema, **schema.get("$defs", {})}.items():
            for field, sub in definition.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{kind}:{name}.{field}")
    assert missing == []


@pytest.mark.parametrize(
    ("relpath", "kind"),
    [
        ("models.yaml", "models"),
        ("prompts/support/answer.yaml", "prompt-file"),
        ("prompts/instructions/tone.yaml", "prompt-file"),
        ("policies/tools.yaml", "tools"),
        ("policies/rules.yaml", "rules"),
        ("policies/signers.yaml", "signers"),
        ("evals/support/answer.yaml", "eval"),
        ("evals/support/answer.json", None),
        ("README.md", None),
        ("policies/other.yaml", None),
    ],
)
def test_kind_for_path(relpath: str, kind: str | None) -> None:
    assert kind_for_path(relpath) == kind


def test_json_schema_slots_flag_a_misspelt_type() -> None:
    prompt = {
        "kind": "prompt",
        "model": "m",
        "inputs": {"q": {"type": "strnig"}, "n": {"type": ["integer", "null"], "x-any": 1}},
        "messages": [{"role": "user", "content": "{{ q }}{{ n }}"}],
    }
    assert len(_errors("prompt-file", prompt)) == 1
    tools = {"tools": {"t": {"parameters": {"type": "obejct"}}}}
    assert len(_errors("tools", tools)) == 1

"""Compiled prompt objects (ADR 0002) for runner tests, without a repository."""

from __future__ import annotations

from typing import Any

from promptops.spec import EvalSet


def compiled(
    prompt_id: str = "greet",
    *,
    template: str = "Say hello to {{ name }}.",
    provider: str = "echo",
    base_url: str | None = None,
    pricing: dict[str, float] | None = None,
    output_schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": prompt_id,
        "path": f"prompts/{prompt_id}.yaml",
        "description": "",
        "owner": None,
        "tags": [],
        "model": {
            "name": "default",
            "provider": provider,
            "model": "model-2024-01-01",
            "base_url": base_url,
            "context_window": None,
            "pricing": pricing,
            "lifecycle": None,
        },
        "params": {"temperature": 0.1},
        "input_schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
            "additionalProperties": False,
        },
        "system": [],
        "messages": [
            {"role": "system", "template": "Be kind.", "engine": "text"},
            {"role": "user", "template": template, "engine": "substitute"},
        ],
        "partials": {},
        "tools": [],
        "output_schema": output_schema,
    }


def eval_set(prompt: str = "greet", *cases: dict[str, Any]) -> EvalSet:
    return EvalSet.model_validate({"prompt": prompt, "cases": list(cases)})


def case(name: str, who: str, *asserts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "inputs": {"name": who}, "assert": list(asserts), **extra}

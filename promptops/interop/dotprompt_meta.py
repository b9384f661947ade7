"""Dotprompt front matter -> model pin and params, per-input schemas, a proof sample."""

from __future__ import annotations

from typing import Any

from promptops.interop.sources import Loaded
from promptops.interop.translate.problems import Usage
from promptops.interop.types import ModelRef, Where, diag
from promptops.repo.types import Diagnostic

__all__ = [
    "CONFIG_KEYS",
    "GEMINI_OPENAI_URL",
    "model_and_params",
    "split_inputs",
    "synthetic_sample",
]

# Gemini's OpenAI-compatible endpoint (the Gemini API documents it for OpenAI SDK users).
GEMINI_OPENAI_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
# Dotprompt config -> promptops params (same meaning under another name).
CONFIG_KEYS = {
    "temperature": "temperature",
    "maxOutputTokens": "max_tokens",
    "topP": "top_p",
    "topK": "top_k",
    "stopSequences": "stop",
    "seed": "seed",
    "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty",
}


def model_and_params(
    data: dict[str, Any], loaded: Loaded | None, shown: str, out: list[Diagnostic]
) -> tuple[ModelRef | None, dict[str, Any]]:
    """The Genkit model name as a pin reference, and ``config`` as request params."""
    params: dict[str, Any] = {}
    config = data.get("config")
    if isinstance(config, dict):
        for key, value in config.items():
            if key in CONFIG_KEYS:
                params[CONFIG_KEYS[key]] = value
            else:
                where = loaded.where(("config", key), key=True) if loaded else Where(shown)
                out.append(
                    diag(
                        where,
                        "warning",
                        "config",
                        f"config '{key}' is specific to a Genkit model plugin; it was not "
                        "imported (add it to the prompt's params if your provider takes "
                        "it)",
                    )
                )
    model = data.get("model")
    if not isinstance(model, str) or not model:
        return None, params
    where = loaded.where(("model",)) if loaded else Where(shown)
    plugin, sep, name = model.partition("/")
    if not sep:
        plugin, name = "", model
    if plugin == "openai" or (not plugin and name.startswith(("gpt-", "o1", "o3", "o4"))):
        return ModelRef(model, "openai", name, where), params
    if plugin == "anthropic" or (not plugin and name.startswith("claude")):
        return ModelRef(model, "anthropic", name, where), params
    if plugin in ("googleai", "") and name.startswith("gemini"):
        out.append(
            diag(
                where,
                "warning",
                "provider",
                f"'{model}' is called through Gemini's OpenAI-compatible endpoint "
                "(openai-compatible pin with its base_url)",
            )
        )
        return ModelRef(model, "openai-compatible", name, where, GEMINI_OPENAI_URL), params
    out.append(
        diag(
            where,
            "warning",
            "provider",
            f"'{model}' names a Genkit model plugin promptops has no provider for; the "
            "pin calls it as openai-compatible: set its base_url in models.yaml",
        )
    )
    return ModelRef(model, "openai-compatible", name, where), params


def split_inputs(
    schema: dict[str, Any] | None, defaults: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """One promptops input per property of the input schema; optional ones default to
    their ``input.default`` or to null (what Handlebars sees when the input is absent)."""
    if not isinstance(schema, dict):
        return {}
    if schema.get("type") != "object":
        # A scalar input schema: Dotprompt passes it as the whole context; promptops names it.
        return {"input": dict(schema)}
    required = set(schema.get("required", []))
    out: dict[str, dict[str, Any]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        entry = dict(prop) if isinstance(prop, dict) else {}
        if name in defaults:
            entry["default"] = defaults[name]
        elif name not in required:
            entry["default"] = None
            t = entry.get("type")
            if isinstance(t, str):
                entry["type"] = [t, "null"]
        out[str(name)] = entry
    for name, value in defaults.items():
        if name not in out:
            out[str(name)] = {"default": value}
    return out


def _value(name: str, schema: Any, depth: int = 0) -> Any:
    """A deterministic value satisfying ``schema`` that exercises the template."""
    if not isinstance(schema, dict) or depth > 8:
        return f"{name} sample"
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    t = schema.get("type")
    kind = next((x for x in t if x != "null"), "string") if isinstance(t, list) else t or "string"
    if kind == "integer":
        return 3
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return [
            _value(f"{name}-1", schema.get("items"), depth + 1),
            _value(f"{name}-2", schema.get("items"), depth + 1),
        ]
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: _value(k, v, depth + 1) for k, v in props.items()}
    return f"{name} sample"


def synthetic_sample(
    inputs: dict[str, dict[str, Any]], defaults: dict[str, Any], usage: dict[str, Usage]
) -> dict[str, Any]:
    """Inputs for the proof render: ``input.default`` where given, a value of each other
    input's schema otherwise (lists get two items, so loops and separators show)."""
    sample: dict[str, Any] = {}
    for name, schema in inputs.items():
        if name in defaults:
            sample[name] = defaults[name]
        elif usage.get(name) is not None and usage[name].iterate and "type" not in schema:
            sample[name] = [f"{name} sample 1", f"{name} sample 2"]
        else:
            sample[name] = _value(name, schema)
    return sample

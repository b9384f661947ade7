"""promptfoo provider ids and configs -> a model reference, params and tools."""

from __future__ import annotations

from typing import Any

from promptops.interop.common import REQUEST_PARAMS, as_mapping
from promptops.interop.types import ModelRef, ToolDraft, Where

__all__ = ["output_schema", "provider_model"]

_OLLAMA = "http://localhost:11434/v1"
_PARAMS = (*REQUEST_PARAMS, "response_format", "parallel_tool_calls", "tool_choice")


def output_schema(entry: Any) -> dict[str, Any] | None:
    """The JSON schema a provider's ``response_format`` asks for, if any."""
    config = as_mapping(entry.get("config")) if isinstance(entry, dict) else {}
    fmt = as_mapping(config.get("response_format"))
    schema = as_mapping(fmt.get("json_schema")).get("schema")
    return schema if fmt.get("type") == "json_schema" and isinstance(schema, dict) else None


def provider_model(
    entry: Any, where: Where
) -> tuple[ModelRef | None, dict[str, Any], list[ToolDraft], list[str]]:
    """``(model, params, tools, notes)`` for one ``providers`` entry; notes are what could
    not be carried over."""
    notes: list[str] = []
    config: dict[str, Any] = {}
    if isinstance(entry, str):
        pid = entry
    elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
        pid = entry["id"]
        config = as_mapping(entry.get("config"))
    else:
        return None, {}, [], ["a provider entry needs an 'id'"]
    parts = pid.split(":")
    vendor = parts[0]
    name = parts[-1] if len(parts) > 1 else ""
    base_url = config.get("apiBaseUrl") or config.get("apiHost")
    if isinstance(base_url, str) and not base_url.startswith("http"):
        base_url = "https://" + base_url
    ref: ModelRef | None
    if vendor == "openai" and name:
        provider = "openai-compatible" if base_url else "openai"
        ref = ModelRef(pid, provider, name, where, base_url if base_url else None)
    elif vendor == "anthropic" and name:
        ref = ModelRef(pid, "anthropic", name, where)
    elif vendor in ("ollama", "localai") and name:
        ref = ModelRef(pid, "openai-compatible", name, where, base_url or _OLLAMA)
    elif vendor in ("azure", "azureopenai") and name:
        ref = ModelRef(
            pid, "openai-compatible", name, where, base_url if isinstance(base_url, str) else None
        )
        notes.append(f"'{pid}' is an Azure deployment: check the pin's model and set its base_url")
    elif pid == "echo":
        ref = ModelRef(pid, "echo", "echo", where)
    else:
        ref = None
        notes.append(
            f"provider '{pid}' has no promptops equivalent; map it with --pin-map '{pid}=PIN'"
        )
    params = {k: config[k] for k in _PARAMS if k in config}
    fmt = params.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        # The output schema (the pin's request sends it as the response format).
        params.pop("response_format")
    tools: list[ToolDraft] = []
    raw_tools = config.get("tools")
    if isinstance(raw_tools, list):
        for t in raw_tools:
            fn = (
                t.get("function")
                if isinstance(t, dict) and isinstance(t.get("function"), dict)
                else t
            )
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                schema = fn.get("parameters", fn.get("input_schema"))
                tools.append(
                    ToolDraft(
                        fn["name"],
                        str(fn.get("description", "")),
                        schema if isinstance(schema, dict) else {},
                        where,
                    )
                )
    elif isinstance(raw_tools, str):
        notes.append("tools loaded from a file are not imported; add them to policies/tools.yaml")
    skipped = sorted(
        k
        for k in config
        if k not in _PARAMS and k not in ("tools", "apiBaseUrl", "apiHost", "apiKey", "apiKeyEnvar")
    )
    if skipped:
        notes.append(f"provider config {', '.join(skipped)} not imported")
    return ref, params, tools, notes

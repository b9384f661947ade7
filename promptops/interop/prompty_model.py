"""The model a Prompty file names (``model.id``/``connection``, or 1.x ``configuration``,
which later 1.x runtimes call ``connection``) and the request options it sets
(``options``, 1.x ``parameters``), as a promptops model reference and params."""

from __future__ import annotations

from typing import Any

from promptops.interop.prompty_body import Version
from promptops.interop.sources import Loaded
from promptops.interop.types import ModelRef, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["at", "model_and_params"]

# Endpoints a provider uses anyway: a pin naming them would only add noise.
_DEFAULT_ENDPOINTS = (
    "https://api.openai.com/v1",
    "https://api.anthropic.com",
    "https://api.anthropic.com/v1",
)
_OPTIONS = {
    "temperature": "temperature",
    "maxOutputTokens": "max_tokens",
    "topP": "top_p",
    "topK": "top_k",
    "frequencyPenalty": "frequency_penalty",
    "presencePenalty": "presence_penalty",
    "seed": "seed",
    "stopSequences": "stop",
    "allowMultipleToolCalls": "parallel_tool_calls",
}


def at(loaded: Loaded | None, shown: str, loc: tuple[object, ...]) -> Where:
    return loaded.where(loc) if loaded is not None else Where(shown)


def _literal_url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def model_and_params(
    data: dict[str, Any], version: Version, loaded: Loaded | None, shown: str, out: list[Diagnostic]
) -> tuple[ModelRef | None, dict[str, Any]]:
    """The model a file names and the request params it sets."""
    model = data.get("model")
    where = at(loaded, shown, ("model",))
    params: dict[str, Any] = {}
    if model is None:
        return None, params
    if version == 1:
        if not isinstance(model, dict):
            return None, params
        # Later 1.x runtimes spell 'parameters' as 'options' and 'configuration' as
        # 'connection' (keeping the 1.x snake_case names inside).
        raw_params = model.get("parameters", model.get("options"))
        if isinstance(raw_params, dict):
            params = {k: v for k, v in raw_params.items() if k not in ("tools", "response_format")}
            fmt = raw_params.get("response_format")
            if isinstance(fmt, dict) and fmt.get("type") == "json_object":
                params["response_format"] = fmt
        if model.get("api") not in (None, "chat"):
            out.append(
                diag(
                    where,
                    "warning",
                    "api",
                    f"api '{model.get('api')}' is not a chat "
                    "API; promptops prompts are chat messages",
                )
            )
        conf = model.get("configuration", model.get("connection"))
        if not isinstance(conf, dict):
            return None, params
        kind = str(conf.get("type") or ("azure_openai" if "azure_deployment" in conf else "openai"))
        if kind.startswith("azure"):
            name = conf.get("azure_deployment")
            if not isinstance(name, str):
                return None, params
            out.append(
                diag(
                    where,
                    "warning",
                    "azure-deployment",
                    f"Azure deployment '{name}' became the pin's model id: check it is the "
                    "model (or the name your endpoint serves) and set base_url in "
                    "models.yaml",
                )
            )
            return ModelRef(
                name, "openai-compatible", name, where, _literal_url(conf.get("azure_endpoint"))
            ), params
        name = conf.get("model") or conf.get("name") or conf.get("azure_deployment")
        if not isinstance(name, str):
            return None, params
        provider = "openai" if kind == "openai" else "openai-compatible"
        return ModelRef(name, provider, name, where, _literal_url(conf.get("endpoint"))), params
    if isinstance(model, str):
        model = {"id": model}
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        out.append(diag(where, "error", "model", "expected 'model: ID' or 'model: {id: ...}'"))
        return None, params
    mid = model["id"]
    provider = str(model.get("provider") or ("anthropic" if mid.startswith("claude") else "openai"))
    raw_conn = model.get("connection")
    conn: dict[str, Any] = raw_conn if isinstance(raw_conn, dict) else {}
    base_url = None
    if provider in ("openai", "anthropic", "echo", "openai-compatible"):
        promptops_provider = provider
        endpoint = _literal_url(conn.get("endpoint"))
        if endpoint is not None and endpoint.rstrip("/") not in _DEFAULT_ENDPOINTS:
            base_url = endpoint
    else:
        promptops_provider = "openai-compatible"
        base_url = _literal_url(conn.get("endpoint"))
        out.append(
            diag(
                where,
                "warning",
                "provider",
                f"provider '{provider}' is called as openai-compatible"
                + ("" if base_url else "; set the pin's base_url in models.yaml"),
            )
        )
    if conn.get("kind") not in (None, "key"):
        out.append(
            diag(
                at(loaded, shown, ("model", "connection")),
                "warning",
                "connection",
                f"connection of kind '{conn.get('kind')}' is not imported: promptops "
                "takes endpoints from models.yaml and credentials from the "
                "environment",
            )
        )
    if model.get("apiType") not in (None, "chat", "responses"):
        out.append(
            diag(
                where,
                "warning",
                "api",
                f"apiType '{model.get('apiType')}' is not a chat "
                "API; promptops prompts are chat messages",
            )
        )
    options = model.get("options")
    if isinstance(options, dict):
        for key, value in options.items():
            if key == "additionalProperties" and isinstance(value, dict):
                fmt = value.get("response_format")
                # A json_schema response format is the output schema (prompty_meta).
                skip = isinstance(fmt, dict) and fmt.get("type") == "json_schema"
                params.update(
                    {k: v for k, v in value.items() if not skip or k != "response_format"}
                )
            elif key in _OPTIONS:
                params[_OPTIONS[key]] = value
            else:
                out.append(
                    diag(
                        at(loaded, shown, ("model", "options", key)),
                        "warning",
                        "unknown-key",
                        f"model option '{key}' is not imported",
                    )
                )
    return ModelRef(mid, promptops_provider, mid, where, base_url), params

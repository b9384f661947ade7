"""Gemini and Bedrock request shapes, and the adapter each provider of a pin takes.

Like ``adapters.py``, no SDK is imported: ``gemini_generate`` gives the keyword arguments
of ``google-genai``'s ``models.generate_content`` and ``bedrock_converse`` those of
``boto3``'s ``bedrock-runtime.converse``; the eval providers send exactly these.
:func:`for_provider` picks the shape a pin's provider takes, so a fallback request
(ADR 0018) is sent to whichever provider its pin names without the application knowing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from promptops.errors import RenderError, UsageError
from promptops.runtime import adapters

__all__ = ["bedrock_converse", "for_provider", "gemini_generate"]

_GEMINI_CONFIG = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k",
                  "max_tokens": "max_output_tokens", "max_output_tokens": "max_output_tokens",
                  "stop": "stop_sequences", "seed": "seed"}  # fmt: skip
_BEDROCK_INFERENCE = {"max_tokens": "maxTokens", "temperature": "temperature", "top_p": "topP",
                      "stop": "stopSequences"}  # fmt: skip


def _text(content: Any, provider: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(p.get("type") == "text" for p in content):
        return "".join(str(p["text"]) for p in content)
    if isinstance(content, list):
        raise RenderError(
            f"{provider} requests carry text only; this message has image or file parts"
        )
    return str(content)


def gemini_generate(
    messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """``models.generate_content`` kwargs: system messages as the system instruction,
    ``assistant`` turns as ``model`` turns, tools as function declarations, the output
    schema as a JSON response schema, sampling params as the generation config.

    Raises:
        RenderError: if a message has image or file parts.
    """
    system = [_text(m["content"], "gemini") for m in messages if m.get("role") == "system"]
    contents = [
        {"role": "model" if m.get("role") == "assistant" else "user",
         "parts": [{"text": _text(m.get("content", ""), "gemini")}]}
        for m in messages
        if m.get("role") != "system"
    ]  # fmt: skip
    config: dict[str, Any] = {
        _GEMINI_CONFIG[k]: v
        for k, v in raw["params"].items()
        if k in _GEMINI_CONFIG and v is not None
    }
    if system:
        config["system_instruction"] = "\n\n".join(system)
    if raw["tools"]:
        config["tools"] = [{"function_declarations": [
            {"name": t["name"], "description": t.get("description", ""),
             "parameters_json_schema": t.get("parameters") or {"type": "object"}}
            for t in raw["tools"]
        ]}]  # fmt: skip
    if raw["output_schema"] is not None:
        config["response_mime_type"] = "application/json"
        config["response_json_schema"] = dict(raw["output_schema"])
    return {"model": model, "contents": contents, "config": config}


def bedrock_converse(
    messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """``bedrock-runtime.converse`` kwargs: system messages as ``system`` blocks, known
    params as ``inferenceConfig``, the rest as ``additionalModelRequestFields``, tools as
    ``toolConfig``.

    Raises:
        RenderError: if a message has image or file parts.
    """
    kwargs: dict[str, Any] = {
        "modelId": model,
        "messages": [
            {"role": "assistant" if m.get("role") == "assistant" else "user",
             "content": [{"text": _text(m.get("content", ""), "bedrock")}]}
            for m in messages
            if m.get("role") != "system"
        ],
    }  # fmt: skip
    system = [
        {"text": _text(m["content"], "bedrock")} for m in messages if m.get("role") == "system"
    ]
    if system:
        kwargs["system"] = system
    params: Mapping[str, Any] = raw["params"]
    inference = {_BEDROCK_INFERENCE[k]: v for k, v in params.items() if k in _BEDROCK_INFERENCE}
    if inference:
        kwargs["inferenceConfig"] = inference
    extra = {k: v for k, v in params.items() if k not in _BEDROCK_INFERENCE}
    if extra:
        kwargs["additionalModelRequestFields"] = extra
    if raw["tools"]:
        kwargs["toolConfig"] = {"tools": [
            {"toolSpec": {"name": t["name"], "description": t.get("description") or t["name"],
                          "inputSchema": {"json": t.get("parameters") or {"type": "object"}}}}
            for t in raw["tools"]
        ]}  # fmt: skip
    return kwargs


_BY_PROVIDER = {
    "openai": adapters.openai_chat,
    "openai-compatible": adapters.openai_chat,
    "azure-openai": adapters.openai_chat,
    "anthropic": adapters.anthropic_messages,
    "gemini": gemini_generate,
    "bedrock": bedrock_converse,
}


def for_provider(
    provider: str, messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """The SDK keyword arguments ``provider`` takes (see :data:`_BY_PROVIDER`).

    Raises:
        UsageError: for a provider without an SDK request (echo, replay).
        RenderError: if the messages hold what that provider's shape cannot carry.
    """
    adapt = _BY_PROVIDER.get(provider)
    if adapt is None:
        raise UsageError(
            f"provider {provider!r} takes no SDK request; "
            f"to_provider() knows {', '.join(sorted(_BY_PROVIDER))}"
        )
    return adapt(messages, model, raw)

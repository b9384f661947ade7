"""Turn a rendered request into the keyword arguments each provider SDK's ``create`` takes.

No SDK is imported: the shapes follow the SDKs' own request types (``openai`` 3.x
``CompletionCreateParams`` / ``ResponseCreateParams``, ``anthropic`` 2.x
``MessageCreateParams``), and the tests validate against those types. A param the SDK's
typed signature does not list (``top_k`` for OpenAI, ``temperature`` for the Anthropic SDK
versions that dropped it from ``create``) travels in ``extra_body``, which both SDKs merge
into the JSON body, so nothing from the model pin is silently lost (ADR 0008).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from promptops.errors import RenderError

__all__ = ["ANTHROPIC_DEFAULT_MAX_TOKENS", "anthropic_messages", "openai_chat", "openai_responses"]

# The Messages API requires max_tokens; used when the model pin and prompt set none.
ANTHROPIC_DEFAULT_MAX_TOKENS = 1024

_OPENAI_CHAT = frozenset(
    {"audio", "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens",
     "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
     "presence_penalty", "prompt_cache_key", "reasoning_effort", "safety_identifier", "seed",
     "service_tier", "stop", "store", "temperature", "tool_choice", "top_logprobs", "top_p",
     "user", "verbosity", "web_search_options"}
)  # fmt: skip
_OPENAI_RESPONSES = frozenset(
    {"background", "include", "max_output_tokens", "max_tool_calls", "metadata",
     "parallel_tool_calls", "prompt_cache_key", "reasoning", "safety_identifier",
     "service_tier", "store", "temperature", "tool_choice", "top_logprobs", "top_p",
     "truncation", "user"}
)  # fmt: skip
_ANTHROPIC = frozenset(
    {"max_tokens", "metadata", "service_tier", "stop_sequences", "thinking", "tool_choice"}
)  # fmt: skip
_SCHEMA_NAME = re.compile(r"[^A-Za-z0-9_-]")

# Messages hold text, or (chat history and multimodal prompts, ADR 0014) a list of neutral
# parts: {"type": "text", "text"}, {"type": "image"|"file", "url"} or
# {"type": "image"|"file", "data", "media_type"(, "name")}. Each API spells them its way.
Content = str | list[dict[str, Any]]


def _data_url(part: Mapping[str, Any]) -> str:
    return f"data:{part['media_type']};base64,{part['data']}"


def _text_only(content: Content) -> str:
    return content if isinstance(content, str) else "".join(p["text"] for p in content)


def _chat_part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part["type"]
    if kind == "text":
        return {"type": "text", "text": part["text"]}
    if kind == "image":
        url = part["url"] if "url" in part else _data_url(part)
        return {"type": "image_url", "image_url": {"url": url}}
    if "url" in part:
        raise RenderError(
            "OpenAI chat completions take a file as data, not by URL: pass "
            "{data, media_type} or send it with to_openai_responses()"
        )
    file = {"file_data": _data_url(part)}
    if "name" in part:
        file["filename"] = part["name"]
    return {"type": "file", "file": file}


def _chat_content(content: Content) -> Content:
    return content if isinstance(content, str) else [_chat_part(p) for p in content]


def _responses_part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part["type"]
    if kind == "text":
        return {"type": "input_text", "text": part["text"]}
    if kind == "image":
        url = part["url"] if "url" in part else _data_url(part)
        return {"type": "input_image", "image_url": url, "detail": "auto"}
    if "url" in part:
        return {"type": "input_file", "file_url": part["url"]}
    return {
        "type": "input_file",
        "file_data": _data_url(part),
        "filename": part.get("name", "file"),
    }


def _responses_content(role: str, content: Content) -> Content:
    if isinstance(content, str) or role == "assistant":
        return _text_only(content)
    return [_responses_part(p) for p in content]


def _anthropic_source(part: Mapping[str, Any]) -> dict[str, Any]:
    if "url" in part:
        return {"type": "url", "url": part["url"]}
    media = part["media_type"]
    if part["type"] == "image" or media == "application/pdf":
        return {"type": "base64", "media_type": media, "data": part["data"]}
    if media == "text/plain":
        import base64  # only for plain-text documents

        text = base64.b64decode(part["data"]).decode("utf-8", "replace")
        return {"type": "text", "media_type": media, "data": text}
    raise RenderError(
        f"Anthropic takes documents as application/pdf or text/plain; found {media!r}"
    )


def _anthropic_part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part["type"]
    if kind == "text":
        return {"type": "text", "text": part["text"]}
    block = {"type": "image" if kind == "image" else "document", "source": _anthropic_source(part)}
    if kind == "file" and "name" in part:
        block["title"] = part["name"]
    return block


def _anthropic_content(content: Content) -> Content:
    return content if isinstance(content, str) else [_anthropic_part(p) for p in content]


def _split(params: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in params.items():
        (out if key in known else extra)[key] = value
    if extra:
        out["extra_body"] = extra
    return out


def _schema_name(prompt_id: str) -> str:
    # OpenAI: ^[a-zA-Z0-9_-]{1,64}$
    return _SCHEMA_NAME.sub("_", prompt_id)[:64] or "output"


def openai_chat(
    messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """``chat.completions.create`` kwargs: messages as-is (content parts as ``text``,
    ``image_url`` and ``file`` parts), tools as functions, the output schema as a
    ``json_schema`` response format.

    Raises:
        RenderError: a file given by URL (chat completions take files as data only).
    """
    kw: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m["role"], "content": _chat_content(m["content"])} for m in messages],
    }
    kw.update(_split(raw["params"], _OPENAI_CHAT))
    if raw["tools"]:
        kw["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t["name"],
                    "description": t["description"],
                    "parameters": t["parameters"],
                },
            }
            for t in raw["tools"]
        ]
    if raw["output_schema"] is not None:
        kw["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": _schema_name(raw["id"]), "schema": raw["output_schema"]},
        }
    return kw


def openai_responses(
    messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """``responses.create`` kwargs: messages as ``input`` items (content parts as
    ``input_text``, ``input_image`` and ``input_file``; an assistant turn as its text),
    ``max_tokens`` as ``max_output_tokens``, ``reasoning_effort`` as ``reasoning.effort``,
    the output schema as ``text.format``."""
    params = dict(raw["params"])
    for old in ("max_tokens", "max_completion_tokens"):
        if old in params:
            params.setdefault("max_output_tokens", params.pop(old))
    if "reasoning_effort" in params:
        params.setdefault("reasoning", {"effort": params.pop("reasoning_effort")})
    kw: dict[str, Any] = {
        "model": model,
        "input": [
            {"role": m["role"], "content": _responses_content(m["role"], m["content"])}
            for m in messages
        ],
    }
    kw.update(_split(params, _OPENAI_RESPONSES))
    if raw["tools"]:
        kw["tools"] = [
            {
                "type": "function",
                "name": t["name"],
                "description": t["description"],
                "parameters": t["parameters"],
                "strict": False,
            }
            for t in raw["tools"]
        ]
    if raw["output_schema"] is not None:
        kw["text"] = {
            "format": {
                "type": "json_schema",
                "name": _schema_name(raw["id"]),
                "schema": raw["output_schema"],
            }
        }
    return kw


def anthropic_messages(
    messages: Sequence[Mapping[str, Any]], model: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """``messages.create`` kwargs: system messages joined into ``system``, content parts
    as ``text``, ``image`` and ``document`` blocks, tools with ``input_schema``, the output
    schema as ``output_config.format`` (structured outputs), ``stop`` as
    ``stop_sequences``, ``max_tokens`` always set.

    Raises:
        RenderError: a document other than PDF or plain text.
    """
    params = dict(raw["params"])
    for alt in ("max_completion_tokens", "max_output_tokens"):
        if alt in params:
            params.setdefault("max_tokens", params.pop(alt))
    params.setdefault("max_tokens", ANTHROPIC_DEFAULT_MAX_TOKENS)
    if "stop" in params:
        stop = params.pop("stop")
        params.setdefault("stop_sequences", [stop] if isinstance(stop, str) else list(stop))
    system = [_text_only(m["content"]) for m in messages if m["role"] == "system"]
    kw: dict[str, Any] = {
        "model": model,
        "messages": [
            {"role": m["role"], "content": _anthropic_content(m["content"])}
            for m in messages
            if m["role"] != "system"
        ],
    }
    if system:
        kw["system"] = "\n\n".join(system)
    kw.update(_split(params, _ANTHROPIC))
    if raw["tools"]:
        kw["tools"] = [
            {"name": t["name"], "description": t["description"], "input_schema": t["parameters"]}
            for t in raw["tools"]
        ]
    if raw["output_schema"] is not None:
        kw["output_config"] = {"format": {"type": "json_schema", "schema": raw["output_schema"]}}
    return kw

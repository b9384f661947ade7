"""The values of chat-history and media inputs, as JSON Schemas.

A prompt may insert a conversation (``{history: INPUT}``) and images or files
(``{image: INPUT}``, ``{file: INPUT}`` content parts). The inputs they name hold:

- an image: ``{url}`` (http or https) or ``{data, media_type}`` (base64, image/png,
  image/jpeg, image/gif or image/webp);
- a file: ``{url}`` or ``{data, media_type, name?}`` (base64);
- a history: a list of ``{role: user|assistant, content}`` where content is text or a list
  of parts ``{type: text, text}``, ``{type: image, ...}``, ``{type: file, ...}`` (images
  and files in user messages only).

``promptops validate`` checks eval cases against these schemas; the runtime checks the
values an application renders with by hand-written checks with the same meaning
(``promptops/runtime/content.py``; a test holds the two to one table of values).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FILE_SCHEMA", "HISTORY_SCHEMA", "IMAGE_MEDIA_TYPES", "IMAGE_SCHEMA", "INPUT_SCHEMAS"]

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")

_URL: dict[str, Any] = {"type": "string", "pattern": "^https?://"}
_DATA: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "^(?!data:)"}


def _media(kind: str, media_type: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``{url}`` or ``{data, media_type}`` of one media kind; ``type`` may repeat it."""
    tag = {"const": kind}
    return {
        "oneOf": [
            {
                "type": "object",
                "properties": {"type": tag, "url": _URL},
                "required": ["url"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"type": tag, "data": _DATA, "media_type": media_type, **extra},
                "required": ["data", "media_type"],
                "additionalProperties": False,
            },
        ]
    }


IMAGE_SCHEMA = _media("image", {"enum": list(IMAGE_MEDIA_TYPES)}, {})
FILE_SCHEMA = _media(
    "file",
    {"type": "string", "pattern": "^[a-z]+/[A-Za-z0-9.+-]+$"},
    {"name": {"type": "string", "minLength": 1}},
)

_TEXT_PART: dict[str, Any] = {
    "type": "object",
    "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
    "required": ["type", "text"],
    "additionalProperties": False,
}


_ASSISTANT_PART: dict[str, Any] = {
    **_TEXT_PART,
    "properties": {
        "type": {"const": "text", "errorMessage": "an assistant message holds text parts only"},
        "text": {"type": "string"},
    },
}


def _typed(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    # In a history message a part must say what it is.
    return {"allOf": [schema, {"required": ["type"], "properties": {"type": {"const": kind}}}]}


HISTORY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "role": {"const": "user"},
                    "content": {
                        "anyOf": [
                            {"type": "string"},
                            {
                                "type": "array",
                                "items": {
                                    "oneOf": [
                                        _TEXT_PART,
                                        _typed(IMAGE_SCHEMA, "image"),
                                        _typed(FILE_SCHEMA, "file"),
                                    ]
                                },
                            },
                        ]
                    },
                },
                "required": ["role", "content"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "role": {"const": "assistant"},
                    "content": {
                        "anyOf": [{"type": "string"}, {"type": "array", "items": _ASSISTANT_PART}]
                    },
                },
                "required": ["role", "content"],
                "additionalProperties": False,
            },
        ]
    },
}

# What each kind of use asks of an input's value.
INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "history": HISTORY_SCHEMA,
    "image": IMAGE_SCHEMA,
    "file": FILE_SCHEMA,
}

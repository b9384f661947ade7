"""Chat history and media inputs: checked and normalised before a render uses them.

The values mean what ``promptops/spec/content.py`` describes as JSON Schemas (which
``promptops validate`` uses); these are the same rules as small Python checks, so a render
needs no schema validator (a test holds both to one table of values). Each check returns a
fresh, normalised copy: the request never shares mutable data with the caller.

Normalised content parts are provider-neutral: ``{"type": "text", "text"}``,
``{"type": "image", "url"}`` or ``{"type": "image", "data", "media_type"}``, and the same
for ``"file"`` (with an optional ``"name"``); the adapters turn them into each API's shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from promptops.runtime.jsonvalue import describe
from promptops.runtime.schema_fast import Invalid

__all__ = ["CHECKS", "IMAGE_MEDIA_TYPES", "check_file", "check_history", "check_image"]

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
_ROLES = ("user", "assistant")


def _media(kind: str, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(
            where, f"expected a mapping {{url}} or {{data, media_type}}, found {describe(value)}"
        )
    if value.get("type", kind) != kind:
        raise Invalid(where, f"expected type {kind!r}, found {describe(value.get('type'))}")
    by_url = "url" in value
    allowed = {"type", "url"} if by_url else {"type", "data", "media_type"}
    if kind == "file" and not by_url:
        allowed.add("name")
    extra = sorted(set(value) - allowed)
    if extra:
        form = "{url}" if by_url else "{data, media_type" + (", name}" if kind == "file" else "}")
        raise Invalid(where, f"unexpected key {extra[0]!r} in {form}")
    if by_url:
        url = value["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Invalid(f"{where}.url", f"expected an http(s) URL, found {describe(url)}")
        return {"type": kind, "url": url}
    data, media_type = value.get("data"), value.get("media_type")
    if not isinstance(data, str) or not data or data.startswith("data:"):
        raise Invalid(
            f"{where}.data",
            f"expected base64 text (without a 'data:' prefix; give media_type apart), "
            f"found {describe(data)}",
        )
    if kind == "image":
        if media_type not in IMAGE_MEDIA_TYPES:
            raise Invalid(
                f"{where}.media_type",
                f"expected one of {', '.join(IMAGE_MEDIA_TYPES)}, found {describe(media_type)}",
            )
    elif not isinstance(media_type, str) or not _MEDIA_TYPE.match(media_type):
        raise Invalid(
            f"{where}.media_type",
            f"expected a media type such as 'application/pdf', found {describe(media_type)}",
        )
    out = {"type": kind, "data": data, "media_type": media_type}
    if "name" in value:
        name = value["name"]
        if not isinstance(name, str) or not name:
            raise Invalid(f"{where}.name", f"expected a file name, found {describe(name)}")
        out["name"] = name
    return out


def check_image(value: Any, where: str) -> dict[str, Any]:
    """An image input: ``{url}`` or ``{data, media_type}``, normalised.

    Raises:
        Invalid: naming where in ``value`` it fails and why.
    """
    return _media("image", value, where)


def check_file(value: Any, where: str) -> dict[str, Any]:
    """A file input: ``{url}`` or ``{data, media_type, name?}``, normalised.

    Raises:
        Invalid: naming where in ``value`` it fails and why.
    """
    return _media("file", value, where)


def _part(part: Any, role: str, where: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise Invalid(where, f"expected a content part mapping, found {describe(part)}")
    kind = part.get("type")
    if kind == "text":
        if set(part) != {"type", "text"} or not isinstance(part["text"], str):
            raise Invalid(where, "expected {type: text, text: STRING}")
        return {"type": "text", "text": part["text"]}
    if kind in ("image", "file"):
        if role != "user":
            raise Invalid(where, f"{kind} parts are allowed in user messages only")
        return _media(kind, part, where)
    raise Invalid(f"{where}.type", f"expected 'text', 'image' or 'file', found {describe(kind)}")


def _message(message: Any, where: str) -> dict[str, Any]:
    if not isinstance(message, dict):
        raise Invalid(where, f"expected a message {{role, content}}, found {describe(message)}")
    extra = sorted(set(message) - {"role", "content"})
    if extra:
        raise Invalid(where, f"unexpected key {extra[0]!r} (a message has role and content)")
    role = message.get("role")
    if role not in _ROLES:
        raise Invalid(f"{where}.role", f"expected 'user' or 'assistant', found {describe(role)}")
    if "content" not in message:
        raise Invalid(where, "missing required property 'content'")
    content = message["content"]
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise Invalid(
            f"{where}.content", f"expected text or a list of parts, found {describe(content)}"
        )
    parts = [_part(p, role, f"{where}.content[{i}]") for i, p in enumerate(content)]
    return {"role": role, "content": parts}


def check_history(value: Any, where: str) -> list[dict[str, Any]]:
    """A conversation: a list of ``{role: user|assistant, content}``, normalised.

    Raises:
        Invalid: naming where in ``value`` it fails and why.
    """
    if not isinstance(value, list):
        raise Invalid(where, f"expected a list of messages, found {describe(value)}")
    return [_message(m, f"{where}[{i}]") for i, m in enumerate(value)]


CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "history": check_history,
    "image": check_image,
    "file": check_file,
}

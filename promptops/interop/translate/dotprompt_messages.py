"""Dotprompt's split of a rendered template into messages (its ``toMessages``).

Rendering leaves ``<<<dotprompt:role:NAME>>>`` and ``<<<dotprompt:history>>>`` markers in
the text; Dotprompt cuts there, drops whitespace-only pieces, starts as ``user`` and
continues as ``model`` after the history. Media and section markers split a message into
parts, each whitespace-only part dropped: media become image or file parts (by their
content type), sections carry no content.
"""

from __future__ import annotations

import re
from typing import Any

from promptops.interop.translate.jsvalues import js_trim
from promptops.interop.types import Content

__all__ = ["dotprompt_messages"]

_ROLE_OR_HISTORY = re.compile(r"(<<<dotprompt:(?:role:[a-z]+(?: [^>]+)?|history))>>>")
_MEDIA_OR_SECTION = re.compile(r"(<<<dotprompt:(?:media:url|section).*?)>>>")
_ROLE = "<<<dotprompt:role:"
_HISTORY = "<<<dotprompt:history"
_MEDIA = "<<<dotprompt:media:url "
# Dotprompt's roles -> promptops message roles.
_ROLES = {"model": "assistant"}


def _pieces(text: str, rx: re.Pattern[str]) -> list[str]:
    return [p for p in rx.split(text) if js_trim(p) != ""]


def _content(source: str) -> Content:
    """A message's text, or its parts when it has media (sections are dropped)."""
    parts: list[tuple[str, str]] = []
    for p in _pieces(source, _MEDIA_OR_SECTION):
        if p.startswith(_MEDIA):
            url, _, ctype = p[len(_MEDIA) :].partition(" ")
            kind = "image" if not ctype or ctype.startswith("image/") else "file"
            parts.append((kind, url))
        elif not p.startswith("<<<dotprompt:"):
            if parts and parts[-1][0] == "text":
                parts[-1] = ("text", parts[-1][1] + p)
            else:
                parts.append(("text", p))
    if any(kind != "text" for kind, _ in parts):
        return tuple(parts)
    return "".join(text for _, text in parts)


def dotprompt_messages(
    rendered: str, history: list[dict[str, Any]] | None = None
) -> list[tuple[str, Content]]:
    """``(role, content)`` of each message Dotprompt makes of ``rendered``, promptops'
    roles (``model`` is the assistant); ``history`` (promptops' form) is spliced in where
    the template says ``{{history}}``.
    """
    sources: list[list[Any]] = [["user", ""]]
    for piece in _pieces(rendered, _ROLE_OR_HISTORY):
        current = sources[-1]
        if piece.startswith(_ROLE):
            role = piece[len(_ROLE) :].split(" ")[0]
            if js_trim(current[1]):
                sources.append([role, ""])
            else:
                current[0] = role
        elif piece.startswith(_HISTORY):
            sources.extend([str(m["role"]), m["content"], True] for m in history or [])
            sources.append(["model", ""])
        else:
            current[1] += piece
    out: list[tuple[str, Content]] = []
    for entry in sources:
        role, source = entry[0], entry[1]
        if len(entry) == 3:  # a history message, as given
            out.append((role, source))
            continue
        if not source:
            continue
        content = _content(source)
        if content or isinstance(content, tuple):
            out.append((_ROLES.get(role, role), content))
    return out

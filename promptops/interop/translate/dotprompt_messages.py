"""Dotprompt's split of a rendered template into messages (its ``toMessages``).

Rendering leaves ``<<<dotprompt:role:NAME>>>`` and ``<<<dotprompt:history>>>`` markers in
the text; Dotprompt cuts there, drops whitespace-only pieces, starts as ``user`` and
continues as ``model`` after the history. Media and section markers split a message into
parts; only the text parts carry over to promptops, each whitespace-only part dropped.
"""

from __future__ import annotations

import re

from promptops.interop.translate.jsvalues import js_trim

__all__ = ["dotprompt_messages"]

_ROLE_OR_HISTORY = re.compile(r"(<<<dotprompt:(?:role:[a-z]+|history))>>>")
_MEDIA_OR_SECTION = re.compile(r"(<<<dotprompt:(?:media:url|section).*?)>>>")
_ROLE = "<<<dotprompt:role:"
_HISTORY = "<<<dotprompt:history"


def _pieces(text: str, rx: re.Pattern[str]) -> list[str]:
    return [p for p in rx.split(text) if js_trim(p) != ""]


def dotprompt_messages(rendered: str) -> list[tuple[str, str]]:
    """``(role, text)`` of each message Dotprompt makes of ``rendered`` (no history given).

    Roles are Dotprompt's (``model`` for the assistant); the text is the concatenation of a
    message's text parts.
    """
    sources: list[list[str]] = [["user", ""]]
    for piece in _pieces(rendered, _ROLE_OR_HISTORY):
        current = sources[-1]
        if piece.startswith(_ROLE):
            role = piece[len(_ROLE) :]
            if js_trim(current[1]):
                sources.append([role, ""])
            else:
                current[0] = role
        elif piece.startswith(_HISTORY):
            sources.append(["model", ""])
        else:
            current[1] += piece
    out: list[tuple[str, str]] = []
    for role, source in sources:
        if not source:
            continue
        parts = [p for p in _pieces(source, _MEDIA_OR_SECTION) if not p.startswith("<<<dotprompt:")]
        out.append((role, "".join(parts)))
    return out

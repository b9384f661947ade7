"""Inputs a prompt uses outside templates: chat history and image or file content parts.

Each must be a declared input of the right JSON type (an array of messages for a history,
an object for an image or a file), and images and files may only be sent by the user.
"""

from __future__ import annotations

import hashlib
import marshal
from typing import Any

from promptops.repo.messagewalk import message_lists
from promptops.repo.positions import diagnostic_at
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.repo.yamlload import Parsed
from promptops.spec import Prompt

__all__ = ["check_content", "content_inputs", "contract_digest"]

Loc = tuple[object, ...]
_WANT = {"history": "array", "image": "object", "file": "object"}


def _uses(data: Any) -> list[tuple[str, str, Loc, Any]]:
    """(kind, input name, location, role) of every history placeholder and media part of
    the messages of a prompt and of its variants, read from plain data (a prompt file as
    parsed)."""
    out: list[tuple[str, str, Loc, Any]] = []
    if not isinstance(data, dict):
        return out
    for at, messages in message_lists(data):
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                continue
            if isinstance(m.get("history"), str):
                out.append(("history", m["history"], (*at, "messages", i, "history"), None))
            content = m.get("content")
            for j, part in enumerate(content if isinstance(content, list) else []):
                for kind in ("image", "file"):
                    if isinstance(part, dict) and isinstance(part.get(kind), str):
                        loc = (*at, "messages", i, "content", j, kind)
                        out.append((kind, part[kind], loc, m.get("role")))
    return out


def content_inputs(data: Any) -> dict[str, str]:
    """Input name -> ``history``, ``image`` or ``file``, for a prompt's plain data (its
    variants' messages included)."""
    return {name: kind for kind, name, _, _ in _uses(data)}


def contract_digest(data: Any) -> str:
    """A digest of what eval cases are checked against in a prompt's plain data: its input
    schemas, its tools and which inputs are history or media. Eval-case results are cached
    by it, so editing a prompt's wording never re-checks the eval sets that target it."""
    body = data if isinstance(data, dict) else {}
    contract = (body.get("inputs"), body.get("tools"), sorted(content_inputs(body).items()))
    try:
        raw = marshal.dumps(contract)  # the same document always gives the same bytes
    except ValueError:  # a YAML date in an input's schema
        raw = repr(contract).encode()
    return hashlib.sha1(raw).hexdigest()[:20]


def _what(kind: str) -> str:
    return {"history": "the chat history", "image": "an image part"}.get(kind, "a file part")


def check_content(path: str, parsed: Parsed, model: Prompt, out: list[Diagnostic]) -> list[str]:
    """Append problems of history placeholders and media parts to ``out``; return the
    input names they use (so none is called unused)."""
    uses = _uses(parsed.data)
    for kind, name, loc, role in uses:
        if kind != "history" and role != "user":
            out.append(
                diagnostic_at(
                    path,
                    parsed.root,
                    loc,
                    "error",
                    "content-part",
                    f"{kind} parts are sent by the user: put it in a 'role: user' message "
                    f"(this one is {role})",
                    key=True,
                )
            )
        schema = model.inputs.get(name)
        if schema is None:
            out.append(
                diagnostic_at(
                    path,
                    parsed.root,
                    loc,
                    "error",
                    "undeclared-variable",
                    f"input '{name}' ({_what(kind)}) is not declared; declare it under "
                    f"'inputs' with type: {_WANT[kind]}{did_you_mean(name, model.inputs)}",
                )
            )
        elif schema.get("type") != _WANT[kind]:
            found = f"type {schema['type']!r}" if "type" in schema else "no type"
            out.append(
                diagnostic_at(
                    path,
                    parsed.root,
                    ("inputs", name),
                    "error",
                    "message-input",
                    f"input '{name}' holds {_what(kind)}: declare it with type: "
                    f"{_WANT[kind]}; found {found}",
                    key=True,
                )
            )
    return sorted({name for _, name, _, _ in uses})

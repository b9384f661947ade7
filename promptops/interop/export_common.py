"""Shared pieces of the format writers: the compiled prompt's parts in plain terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from promptops.compile.engine import SUBSTITUTE_PATTERN

__all__ = [
    "Files",
    "Turn",
    "Unexpressible",
    "file_stem",
    "inline_partials",
    "messages_of",
    "model_of",
    "mustache_text",
    "params_of",
    "schema_name",
    "turns_of",
]

_INCLUDE = re.compile(r"""\{%-?\s*include\s+(["'])([^"']+)\1\s*-?%\}""")


Files = dict[str, str]  # relative path -> text, what a writer returns


def model_of(obj: dict[str, Any]) -> dict[str, Any]:
    """The compiled prompt's model pin (provider, model, base_url, params)."""
    model: dict[str, Any] = obj["model"]
    return model


class Unexpressible(ValueError):
    """The prompt uses something the target format has no way to say."""


def schema_name(prompt_id: str) -> str:
    """The response format name promptops sends for a prompt (OpenAI: ``[A-Za-z0-9_-]{1,64}``),
    the same rule as the runtime's adapters."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", prompt_id)[:64] or "output"


def file_stem(prompt_id: str) -> str:
    """A relative path for a prompt id (ids are already path-safe)."""
    return prompt_id


def inline_partials(template: str, partials: dict[str, str], depth: int = 0) -> str:
    """``template`` with each plain ``{% include "id" %}`` replaced by the partial's text
    (an include renders the partial in the same context: inlining is exact)."""
    if depth > 8:
        raise Unexpressible("partials nest too deep to inline")

    def swap(m: re.Match[str]) -> str:
        if m.group(2) not in partials:
            raise Unexpressible(f"includes unknown partial {m.group(2)!r}")
        return inline_partials(partials[m.group(2)], partials, depth + 1)

    return _INCLUDE.sub(swap, template)


@dataclass(frozen=True)
class Turn:
    """One compiled message: text (``template``, ``engine``), a chat history splice
    (``history``: the input's name) or content parts (``parts``: ``(kind, template or input
    name, engine)``, engine empty for image and file parts)."""

    role: str
    template: str = ""
    engine: str = "text"
    history: str | None = None
    parts: tuple[tuple[str, str, str], ...] | None = None


def turns_of(obj: dict[str, Any]) -> list[Turn]:
    """Every compiled message, partials inlined into text."""
    partials = obj.get("partials") or {}

    def text(template: str, engine: str) -> str:
        return inline_partials(template, partials) if partials and engine == "jinja" else template

    out = []
    for m in obj["messages"]:
        if "history" in m:
            out.append(Turn("", history=str(m["history"])))
        elif "parts" in m:
            parts = tuple(
                ("text", text(p["template"], p["engine"]), p["engine"])
                if p["type"] == "text"
                else (str(p["type"]), str(p["input"]), "")
                for p in m["parts"]
            )
            out.append(Turn(m["role"], parts=parts))
        else:
            out.append(Turn(m["role"], text(m["template"], m["engine"]), m["engine"]))
    return out


def messages_of(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(role, template, engine)`` of every compiled message, partials inlined.

    Raises:
        Unexpressible: a message splices chat history or has image or file parts (formats
            that hold those read :func:`turns_of`).
    """
    out = []
    for t in turns_of(obj):
        if t.history is not None:
            raise Unexpressible(f"chat history ({{history: {t.history}}})")
        if t.parts is not None:
            raise Unexpressible("content parts (images, files)")
        out.append((t.role, t.template, t.engine))
    return out


def mustache_text(template: str, engine: str) -> str:
    """``{{ name }}`` -> ``{{name}}`` for a text or substitute template.

    Raises:
        Unexpressible: the template needs Jinja (conditions, loops, filters).
    """
    if engine == "text":
        if "{{" in template:
            raise Unexpressible("literal '{{' in text would be read as a variable")
        return template
    if engine != "substitute":
        raise Unexpressible("the template uses Jinja logic (conditions, loops or filters)")
    return SUBSTITUTE_PATTERN.sub(lambda m: "{{" + m.group(1) + "}}", template)


def params_of(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(obj.get("params") or {})

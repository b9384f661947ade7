"""Shared pieces of the format writers: the compiled prompt's parts in plain terms."""

from __future__ import annotations

import re
from typing import Any

from promptops.compile.engine import SUBSTITUTE_PATTERN

__all__ = [
    "Unexpressible",
    "file_stem",
    "inline_partials",
    "messages_of",
    "mustache_text",
    "params_of",
    "schema_name",
]

_INCLUDE = re.compile(r"""\{%-?\s*include\s+(["'])([^"']+)\1\s*-?%\}""")


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


def messages_of(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(role, template, engine)`` of every compiled message, partials inlined."""
    partials = obj.get("partials") or {}
    out = []
    for m in obj["messages"]:
        template = m["template"]
        if partials and m["engine"] == "jinja":
            template = inline_partials(template, partials)
        out.append((m["role"], template, m["engine"]))
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

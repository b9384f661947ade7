"""Jinja source for literal text and names, shared by every translator."""

from __future__ import annotations

import keyword
import re

__all__ = [
    "JINJA_RESERVED",
    "is_jinja_name",
    "jinja_literal",
    "jinja_string",
    "output_for",
    "schema_types",
]

_DELIMS = re.compile(r"\{[{%#]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Names Jinja reads as constants, operators or loop helpers, never as a plain variable.
JINJA_RESERVED = frozenset(
    {
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "endif",
        "for",
        "endfor",
        "loop",
        "self",
        "super",
        "caller",
        "varargs",
        "kwargs",
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
        "with",
        "set",
        "block",
        "macro",
        "import",
        "include",
        "extends",
        "from",
        "as",
        "recursive",
        "raw",
    }
)


def is_jinja_name(name: str) -> bool:
    """True when ``name`` can stand as a bare variable in a Jinja expression."""
    return bool(_NAME.match(name)) and name not in JINJA_RESERVED and not keyword.iskeyword(name)


def jinja_string(value: str) -> str:
    """A Jinja string literal for ``value``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def jinja_literal(text: str) -> str:
    """Jinja source that renders ``text`` verbatim.

    Text holding a Jinja delimiter is wrapped in ``{% raw %}``; a trailing ``{`` is written
    as an expression so that it cannot merge with the next tag's opening braces.
    """
    if not text:
        return ""
    tail = ""
    if text.endswith("{"):
        text, tail = text[:-1], '{{ "{" }}'
    if _DELIMS.search(text):
        if "{% endraw %}" in text or "endraw" in text:
            # Rare: spell every brace as an expression instead of using a raw block.
            return "".join('{{ "{" }}' if ch == "{" else ch for ch in text) + tail
        return "{% raw %}" + text + "{% endraw %}" + tail
    return text + tail


def schema_types(schema: object) -> set[str]:
    """The JSON Schema ``type`` names of ``schema`` (empty when it says nothing)."""
    if not isinstance(schema, dict):
        return set()
    t = schema.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def output_for(expr: str, schema: object) -> tuple[str, bool]:
    """Jinja output of ``expr`` printed the way JavaScript engines print it, and whether
    the value's type prints differently in a way no filter fixes (lists, objects).

    ``true`` prints as ``true`` (Jinja: ``True``); ``null`` as nothing (Jinja: ``None``).
    """
    types = schema_types(schema)
    if types == {"boolean"}:
        return "{{ " + expr + " | lower }}", False
    if "null" in types:
        inner = f"{expr} | lower" if types - {"null"} == {"boolean"} else expr
        return "{{ " + f'"" if {expr} is none else {inner}' + " }}", False
    return "{{ " + expr + " }}", bool(types & {"array", "object"})

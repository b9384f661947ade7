"""Cheap checks of the JSON Schemas users write (prompt inputs, outputs, tool parameters).

A full meta-schema validation costs about 400 us per schema; a typo in ``type`` is the
mistake that matters and is found by walking the schema.
"""

from __future__ import annotations

import re
from typing import Any

from promptops.repo.schema_check import dotted
from promptops.repo.suggest import did_you_mean

__all__ = ["lint_inputs", "lint_schema"]

JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "contains", "if", "then", "else")

Problem = tuple[tuple[object, ...], str]


def lint_schema(schema: Any, loc: tuple[object, ...], out: list[Problem], depth: int = 0) -> None:
    """Unknown ``type`` names anywhere in ``schema``; problems are (loc, message)."""
    if not isinstance(schema, dict) or depth > 32:
        return
    kind = schema.get("type")
    for name in kind if isinstance(kind, list) else [kind] if kind is not None else []:
        if name not in JSON_TYPES:
            out.append(
                (
                    (*loc, "type"),
                    f"{dotted((*loc, 'type'))}: unknown JSON Schema type '{name}'; "
                    f"expected one of: {', '.join(JSON_TYPES)}"
                    f"{did_you_mean(str(name), JSON_TYPES)}",
                )
            )
    for key in _SUBSCHEMA_MAPS:
        sub = schema.get(key)
        if isinstance(sub, dict):
            for name, item in sub.items():
                lint_schema(item, (*loc, key, name), out, depth + 1)
    for key in _SUBSCHEMA_LISTS:
        sub = schema.get(key)
        if isinstance(sub, list):
            for i, item in enumerate(sub):
                lint_schema(item, (*loc, key, i), out, depth + 1)
    for key in _SUBSCHEMAS:
        lint_schema(schema.get(key), (*loc, key), out, depth + 1)


def lint_inputs(inputs: dict[str, Any]) -> list[Problem]:
    """Input names must be usable as template variables; their schemas must be sound."""
    out: list[Problem] = []
    for name, schema in inputs.items():
        if not _NAME.match(name):
            out.append(
                (
                    ("inputs", name),
                    f"input name '{name}' cannot be used as a template "
                    "variable; use letters, digits and '_', starting with a letter",
                )
            )
        lint_schema(schema, ("inputs", name), out)
    return out

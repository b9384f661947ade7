"""Cheap checks of the JSON Schemas users write (prompt inputs, outputs, tool parameters).

A full meta-schema validation costs about 400 us per schema; a typo in ``type`` is the
mistake that matters and is found by walking the schema.
"""

from __future__ import annotations

import re
from typing import Any

from promptops.repo.schema_check import dotted
from promptops.repo.suggest import did_you_mean

__all__ = ["lint_inputs", "lint_schema", "lint_tool_parameters", "strict_output_problems"]

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


def lint_tool_parameters(schema: Any, loc: tuple[object, ...], out: list[Problem]) -> None:
    """Tool arguments must be an object schema with ``properties``: the OpenAI and
    Anthropic tool APIs take nothing else (OpenAI rejects the request)."""
    if not isinstance(schema, dict):
        return  # the model already reports a non-mapping
    kind = schema.get("type")
    if kind != "object":
        found = f"type {kind!r}" if kind is not None else "no type"
        out.append(
            (
                (*loc, "type") if kind is not None else loc,
                f"{dotted(loc)}: tool arguments must be an object schema (the OpenAI and "
                f"Anthropic tool APIs take nothing else); found {found}; write 'type: object' "
                "with the arguments under 'properties'",
            )
        )
    elif not isinstance(schema.get("properties"), dict):
        out.append(
            (
                loc,
                f"{dotted(loc)}: an object schema without 'properties'; list the arguments "
                "under 'properties' (write 'properties: {}' for a tool that takes none)",
            )
        )


def _object_like(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        kind == "object"
        or (isinstance(kind, list) and "object" in kind)
        or (kind is None and "properties" in schema)
    )


def strict_output_problems(
    schema: Any, loc: tuple[object, ...], out: list[Problem], depth: int = 0
) -> None:
    """Where an output schema breaks OpenAI's strict structured outputs: the root must be
    an object, and every object must list all its properties in ``required`` and set
    ``additionalProperties: false``. One problem per offending object, naming the fix."""
    if not isinstance(schema, dict) or depth > 32:
        return
    if depth == 0 and not _object_like(schema):
        out.append(
            (
                loc,
                f"{dotted(loc)}: OpenAI strict structured outputs need an object at the root; "
                "wrap the value in an object property",
            )
        )
    if _object_like(schema):
        props = schema.get("properties")
        names = list(props) if isinstance(props, dict) else []
        required = schema.get("required")
        listed = set(required) if isinstance(required, list) else set()
        fixes = []
        missing = [n for n in names if n not in listed]
        if missing:
            fixes.append(
                f"add {', '.join(missing)} to 'required' (make an optional field nullable: "
                "type: [string, 'null'])"
            )
        if schema.get("additionalProperties") is not False:
            fixes.append("add 'additionalProperties: false'")
        if fixes:
            out.append(
                (
                    loc,
                    f"{dotted(loc)}: OpenAI strict structured outputs need every property "
                    f"required and no additional properties; {' and '.join(fixes)}",
                )
            )
    for key in ("properties", "$defs", "definitions"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            for name, item in sub.items():
                strict_output_problems(item, (*loc, key, name), out, depth + 1)
    for key in ("anyOf", "prefixItems"):
        sub = schema.get(key)
        if isinstance(sub, list):
            for i, item in enumerate(sub):
                strict_output_problems(item, (*loc, key, i), out, depth + 1)
    strict_output_problems(schema.get("items"), (*loc, "items"), out, depth + 1)

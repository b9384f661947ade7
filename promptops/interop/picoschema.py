"""Picoschema, Dotprompt's compact schema notation, to JSON Schema (and back).

Follows Dotprompt's own parser: ``name: string, a description``; ``name?`` optional
(nullable); ``name(array)`` / ``name(object)`` / ``name(enum)`` with a nested definition;
``(*)`` for additional properties; a value that already is JSON Schema passes through.
Names of schemas registered in code cannot be resolved from the file alone.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["PicoschemaError", "picoschema", "to_picoschema"]

_SCALARS = ("any", "boolean", "integer", "null", "number", "string")
_DESCRIPTION = re.compile(r"(.*?), *(.*)$", re.S)


class PicoschemaError(ValueError):
    """The schema is not valid Picoschema (or names a schema defined in code)."""


def _description(text: str) -> tuple[str, str | None]:
    if "," not in text:
        return text, None
    m = _DESCRIPTION.match(text)
    return (m.group(1), m.group(2)) if m else (text, None)


def _scalar(text: str) -> dict[str, Any]:
    kind, description = _description(text)
    if kind not in _SCALARS:
        raise PicoschemaError(
            f"'{kind}' is not a Picoschema type ({', '.join(_SCALARS)}); a schema registered "
            "in your Genkit code cannot be read from the file: write it out"
        )
    out: dict[str, Any] = {} if kind == "any" else {"type": kind}
    if description:
        out["description"] = description
    return out


def picoschema(schema: Any) -> dict[str, Any] | None:
    """The JSON Schema of a Picoschema (or JSON Schema) value; None for none.

    Raises:
        PicoschemaError: with what is wrong.
    """
    if not schema:
        return None
    if isinstance(schema, str):
        kind, description = _description(schema)
        if kind in _SCALARS:
            out: dict[str, Any] = {"type": kind}
            if description:
                out["description"] = description
            return out
        return _scalar(schema)
    if isinstance(schema, dict) and schema.get("type") in (*_SCALARS, "object", "array"):
        return schema
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return {**schema, "type": "object"}
    return _pico(schema, 0)


def _pico(obj: Any, depth: int) -> dict[str, Any]:
    if depth > 32:
        raise PicoschemaError("schema nests deeper than 32 levels")
    if isinstance(obj, str):
        return _scalar(obj)
    if not isinstance(obj, dict):
        raise PicoschemaError(f"Picoschema holds only objects and strings, found {obj!r}")
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    for key, value in obj.items():
        if key == "(*)":
            schema["additionalProperties"] = _pico(value, depth + 1)
            continue
        name, _, info = str(key).partition("(")
        optional = name.endswith("?")
        prop_name = name[:-1] if optional else name
        if not optional:
            schema["required"].append(prop_name)
        if not info:
            prop = dict(_pico(value, depth + 1))
            if optional and isinstance(prop.get("type"), str):
                prop["type"] = [prop["type"], "null"]
            schema["properties"][prop_name] = prop
            continue
        kind, description = _description(info[:-1])
        if kind == "array":
            prop = {
                "type": ["array", "null"] if optional else "array",
                "items": _pico(value, depth + 1),
            }
        elif kind == "object":
            prop = _pico(value, depth + 1)
            if optional:
                prop["type"] = [prop["type"], "null"]
        elif kind == "enum":
            values = list(value) if isinstance(value, list) else [value]
            if optional and None not in values:
                values.append(None)
            prop = {"enum": values}
        else:
            raise PicoschemaError(
                f"parenthetical types must be object, array or enum, found '{kind}'"
            )
        if description:
            prop["description"] = description
        schema["properties"][prop_name] = prop
    if not schema["required"]:
        del schema["required"]
    return schema


def to_picoschema(schema: dict[str, Any]) -> Any | None:
    """Picoschema for a JSON Schema it can express exactly, else None (write JSON Schema)."""
    if picoschema_roundtrips(schema):
        return _to(schema, top=True)
    return None


def picoschema_roundtrips(schema: dict[str, Any]) -> bool:
    try:
        return picoschema(_to(schema, top=True)) == schema
    except (PicoschemaError, _Unexpressible):
        return False


class _Unexpressible(Exception):
    pass


def _to(schema: Any, top: bool = False) -> Any:
    if not isinstance(schema, dict):
        raise _Unexpressible
    kind = schema.get("type")
    description = schema.get("description")
    extra = set(schema) - {
        "type",
        "description",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
    }
    if extra:
        raise _Unexpressible
    if kind in _SCALARS and set(schema) <= {"type", "description"}:
        return kind + (f", {description}" if description else "")
    if kind == "object" and schema.get("additionalProperties") is False:
        out: dict[str, Any] = {}
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            optional = name not in required
            key = f"{name}?" if optional else name
            ptype = prop.get("type") if isinstance(prop, dict) else None
            base = (
                ptype[0]
                if isinstance(ptype, list) and len(ptype) == 2 and ptype[1] == "null"
                else ptype
            )
            if isinstance(prop, dict) and "enum" in prop:
                values = [v for v in prop["enum"] if not (optional and v is None)]
                out[
                    f"{key}(enum{', ' + prop['description'] if prop.get('description') else ''})"
                ] = values
            elif base == "array":
                desc = f", {prop['description']}" if prop.get("description") else ""
                out[f"{key}(array{desc})"] = _to(prop.get("items", {}))
            elif base == "object":
                desc = f", {prop['description']}" if prop.get("description") else ""
                inner = {k: v for k, v in prop.items() if k != "description"}
                inner["type"] = "object"
                out[f"{key}(object{desc})"] = _to(inner)
            else:
                inner = dict(prop)
                if optional and isinstance(ptype, list):
                    inner["type"] = base
                out[key] = _to(inner)
        return out
    raise _Unexpressible

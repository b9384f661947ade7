"""JSON Schemas for imported inputs, inferred from sample values and template usage.

A sample's values say the most (``["a", "b"]`` is an array of strings); how a template
uses an input says the rest when no sample gives one (looped over: an array; looked into:
an object with those properties). Only what is known is written: no sample and no usage
beyond printing gives a string, which every engine prints as itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from promptops.interop.translate.problems import Usage

__all__ = ["infer_schema", "merge_schemas", "schema_of_value"]

_MISSING = object()


def schema_of_value(value: Any, depth: int = 0) -> dict[str, Any]:
    """The narrowest plain JSON Schema ``value`` satisfies."""
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if depth > 16:
        return {}
    if isinstance(value, list):
        items = merge_schemas([schema_of_value(v, depth + 1) for v in value])
        return {"type": "array", "items": items} if items else {"type": "array"}
    if isinstance(value, dict):
        props = {str(k): schema_of_value(v, depth + 1) for k, v in value.items()}
        out: dict[str, Any] = {"type": "object", "properties": props}
        if props:
            out["required"] = sorted(props)
        return out
    return {}


def _type_set(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    return {t} if isinstance(t, str) else set(t) if isinstance(t, list) else set()


def merge_schemas(schemas: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The narrowest schema every one of ``schemas`` fits (integer widens to number)."""
    found = [s for s in schemas]
    if not found:
        return {}
    if any(not s for s in found):
        return {}
    types: set[str] = set()
    for s in found:
        types |= _type_set(s)
    if {"integer", "number"} <= types:
        types.discard("integer")
    out: dict[str, Any] = {}
    if len(types) == 1:
        out["type"] = next(iter(types))
    elif types:
        out["type"] = sorted(types)
    if "array" in types:
        items = [s["items"] for s in found if "array" in _type_set(s) and "items" in s]
        merged = merge_schemas(items) if items else {}
        if merged:
            out["items"] = merged
    if "object" in types:
        objects = [s for s in found if "object" in _type_set(s)]
        names = sorted({k for s in objects for k in s.get("properties", {})})
        props = {
            k: merge_schemas([s["properties"][k] for s in objects if k in s.get("properties", {})])
            for k in names
        }
        out["properties"] = props
        required = [k for k in names if all(k in s.get("required", ()) for s in objects)]
        if required:
            out["required"] = required
    return out


def _from_attrs(attrs: set[tuple[str, ...]]) -> dict[str, Any]:
    """An object schema with the properties a template reads (``[]`` marks array items)."""
    props: dict[str, set[tuple[str, ...]]] = {}
    leaves: set[str] = set()
    for path in attrs:
        if not path:
            continue
        head, rest = path[0], path[1:]
        if rest:
            props.setdefault(head, set()).add(rest)
        else:
            leaves.add(head)
    out: dict[str, Any] = {"type": "object", "properties": {}}
    for name in sorted(leaves | set(props)):
        sub = props.get(name, set())
        if sub and all(p[0] == "[]" for p in sub):
            inner = {p[1:] for p in sub if p[1:]}
            items = _from_attrs(inner) if inner else {"type": "string"}
            out["properties"][name] = {"type": "array", "items": items}
        elif sub:
            out["properties"][name] = _from_attrs(sub)
        else:
            out["properties"][name] = {"type": "string"}
    return out


def infer_schema(values: list[Any], usage: Usage | None) -> dict[str, Any]:
    """A schema for one input from the values samples give it and how templates use it."""
    present = [v for v in values if v is not _MISSING]
    if present:
        merged = merge_schemas([schema_of_value(v) for v in present])
        if merged:
            return merged
    if usage is not None:
        if usage.iterate and not usage.attrs:
            return {"type": "array", "items": {"type": "string"}}
        if usage.attrs:
            item_paths = {p[1:] for p in usage.attrs if p and p[0] == "[]"}
            if usage.iterate or (item_paths and len(item_paths) == len(usage.attrs)):
                items = (
                    _from_attrs({p for p in item_paths if p})
                    if any(item_paths)
                    else {"type": "string"}
                )
                return {"type": "array", "items": items}
            return _from_attrs(usage.attrs)
    return {"type": "string"}

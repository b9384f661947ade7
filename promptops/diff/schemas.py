"""Does a JSON Schema change accept more than before? (tool arguments, output schemas)

Deciding JSON Schema inclusion in general is hard; this is a conservative walk over the
keywords people actually edit. Anything it cannot prove narrower, and that relaxes a
constraint, is reported as a loosening with the path and what relaxed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["loosenings"]

# Upper bounds: a larger value, or removal, accepts more.
_UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
# Lower bounds: a smaller value, or removal, accepts more.
_LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_MAX_DEPTH = 32


def _types(schema: dict[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    types = {t} if isinstance(t, str) else {str(x) for x in t}
    if "number" in types:
        types.add("integer")  # number already accepts every integer
    return types


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties", True) is False


def loosenings(base: Any, head: Any, path: str = "", depth: int = 0) -> list[str]:
    """Reasons why ``head`` may accept a document that ``base`` refused.

    ``None`` stands for "no schema" (accepts anything). An empty list means no loosening was
    found (the change is neutral or narrower).
    """
    where = path or "(root)"
    if head is None or head is True or head == {}:
        return [] if base is None or base is True or base == {} else [f"{where}: schema removed"]
    if base is None or base is True or base == {}:
        return []
    if not isinstance(base, dict) or not isinstance(head, dict) or depth > _MAX_DEPTH:
        return [] if base == head else [f"{where}: schema changed"]
    found: list[str] = []
    bt, ht = _types(base), _types(head)
    if bt is not None and (ht is None or ht - bt):
        extra = "any type" if ht is None else ", ".join(sorted(ht - bt))
        found.append(f"{where}: type widened to accept {extra}")
    dropped = sorted(set(base.get("required", [])) - set(head.get("required", [])))
    if dropped:
        found.append(f"{where}: no longer required: {', '.join(dropped)}")
    found += _additional(base, head, where)
    found += _enum(base, head, where)
    for key in _UPPER:
        if key in base and (key not in head or head[key] > base[key]):
            found.append(f"{where}: {key} relaxed from {base[key]} to {head.get(key, 'none')}")
    for key in _LOWER:
        if key in base and (key not in head or head[key] < base[key]):
            found.append(f"{where}: {key} relaxed from {base[key]} to {head.get(key, 'none')}")
    for key in ("pattern", "format"):
        if key in base and head.get(key) != base[key]:
            found.append(f"{where}: {key} {base[key]!r} changed to {head.get(key)!r}")
    found += _properties(base, head, path, depth)
    if "items" in base:
        found += loosenings(base["items"], head.get("items"), _join(path, "items"), depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in base:
            new = [alt for alt in head.get(key, [{}]) if alt not in base[key]]
            if new:
                found.append(f"{where}: {key} accepts {len(new)} new alternative(s)")
    if "allOf" in base and any(part not in head.get("allOf", []) for part in base["allOf"]):
        found.append(f"{where}: allOf lost a constraint")
    return found


def _additional(base: dict[str, Any], head: dict[str, Any], where: str) -> list[str]:
    b, h = base.get("additionalProperties", True), head.get("additionalProperties", True)
    if b is True or b == h:
        return []
    if h is True or h == {}:
        return [f"{where}: additionalProperties now allowed"]
    if b is False:
        return [f"{where}: additionalProperties now allowed (as a schema)"]
    return [f"{where}: additionalProperties schema changed"]


def _enum(base: dict[str, Any], head: dict[str, Any], where: str) -> list[str]:
    found: list[str] = []
    if "enum" in base:
        if "enum" not in head:
            found.append(f"{where}: enum removed")
        else:
            wider = [v for v in head["enum"] if v not in base["enum"]]
            if wider:
                found.append(f"{where}: enum widened with {', '.join(map(repr, wider))}")
    if "const" in base and head.get("const", object()) != base["const"]:
        found.append(f"{where}: const {base['const']!r} relaxed")
    return found


def _properties(base: dict[str, Any], head: dict[str, Any], path: str, depth: int) -> list[str]:
    found: list[str] = []
    bp: dict[str, Any] = base.get("properties", {})
    hp: dict[str, Any] = head.get("properties", {})
    for name in sorted(bp.keys() & hp.keys()):
        found += loosenings(bp[name], hp[name], _join(path, f"properties.{name}"), depth + 1)
    where = path or "(root)"
    for name in sorted(bp.keys() - hp.keys()):
        # Without a closed object the dropped property is now unconstrained.
        if not _is_closed(head):
            found.append(f"{where}: property {name!r} no longer constrained")
    for name in sorted(hp.keys() - bp.keys()):
        if _is_closed(base):
            found.append(f"{where}: new property {name!r} accepted")
    return found

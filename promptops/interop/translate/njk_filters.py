"""JavaScript value operations as Nunjucks performs them (member lookup that yields
undefined, ``Number()`` coercion, loose ``==``) and the filters prompt templates use, with
their Nunjucks definitions."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from promptops.interop.translate.jsvalues import UNDEFINED, js_string, js_trim, js_truthy

__all__ = ["FILTERS", "clean_number", "loose_eq", "member", "to_number"]


def member(obj: Any, key: Any) -> Any:
    if obj is None or obj is UNDEFINED:
        return UNDEFINED
    if isinstance(obj, Mapping):
        return obj.get(js_string(key) if not isinstance(key, str) else key, UNDEFINED)
    if isinstance(obj, list | str):
        if key == "length":
            return len(obj)
        if isinstance(key, int) and not isinstance(key, bool) and -len(obj) <= key < len(obj):
            return obj[key] if key >= 0 else UNDEFINED
        if isinstance(key, str) and key.isdigit() and int(key) < len(obj):
            return obj[int(key)]
    return UNDEFINED


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def clean_number(x: float) -> Any:
    return int(x) if x == x and not math.isinf(x) and x == int(x) and abs(x) < 2**53 else x


def loose_eq(a: Any, b: Any) -> bool:
    if (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED):
        return True
    if a is None or a is UNDEFINED or b is None or b is UNDEFINED:
        return False
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return a is b
    return to_number(a) == to_number(b)


def _length(value: Any) -> int:
    if isinstance(value, Mapping):
        return len(value)
    if isinstance(value, list | str):
        return len(value)
    return 0


def _round(value: Any, precision: Any = 0, method: Any = "common") -> Any:
    factor = 10 ** int(to_number(precision))
    x = to_number(value) * factor
    if method == "ceil":
        r = math.ceil(x)
    elif method == "floor":
        r = math.floor(x)
    else:
        r = math.floor(x + 0.5)  # Math.round: halves go up
    return clean_number(r / factor)


FILTERS: dict[str, Any] = {
    "upper": lambda v: js_string(v).upper(),
    "lower": lambda v: js_string(v).lower(),
    "trim": lambda v: js_trim(js_string(v)),
    "length": _length,
    "join": lambda v, sep="", attr=None: sep.join(
        js_string(member(x, attr) if attr else x) for x in (v if isinstance(v, list) else [])
    ),
    "default": lambda v, d="", boolean=False: (
        d if (v is UNDEFINED or (boolean and not js_truthy(v))) else v
    ),
    "first": lambda v: v[0] if isinstance(v, list | str) and v else UNDEFINED,
    "last": lambda v: v[-1] if isinstance(v, list | str) and v else UNDEFINED,
    "capitalize": lambda v: js_string(v)[:1].upper() + js_string(v)[1:].lower(),
    "title": lambda v: " ".join(w[:1].upper() + w[1:].lower() for w in js_string(v).split(" ")),
    "replace": lambda v, old, new, maxcount=-1: js_string(v).replace(
        js_string(old), js_string(new), int(maxcount) if maxcount != -1 else -1
    ),
    "abs": lambda v: clean_number(abs(to_number(v))),
    "safe": lambda v: v,
    "string": js_string,
    "int": lambda v: int(to_number(v)) if to_number(v) == to_number(v) else 0,
    "float": lambda v: clean_number(to_number(v)) if to_number(v) == to_number(v) else 0.0,
    "round": _round,
    "reverse": lambda v: list(reversed(v)) if isinstance(v, list) else js_string(v)[::-1],
    "dump": lambda v, spaces=None: json.dumps(
        v,
        ensure_ascii=False,
        indent=int(spaces) if spaces else None,
        separators=(",", ": ") if spaces else (",", ":"),
    ),
    "wordcount": lambda v: len(js_string(v).split()),
}
FILTERS["d"] = FILTERS["default"]

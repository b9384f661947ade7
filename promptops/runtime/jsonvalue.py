"""JSON values as JSON Schema sees them: type tests, equality, short descriptions.

``jsonschema``'s semantics (Draft 2020-12): a bool is not a number, ``1.0`` is an integer,
and ``enum``/``const`` equality tells ``True`` from ``1``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["TYPES", "describe", "is_number", "json_equal"]


def describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _unbool(value: Any) -> Any:
    # jsonschema compares True != 1 and False != 0 inside enum/const.
    if value is True:
        return ("bool", True)
    if value is False:
        return ("bool", False)
    return value


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it (``jsonschema._utils.equal``)."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)
    return bool(_unbool(one) == _unbool(two))


def is_number(v: Any) -> bool:
    """A number as ``jsonschema`` sees one: any ``numbers.Number`` but a bool (so a
    ``Decimal`` or a ``Fraction`` is checked against ``maximum`` too)."""
    kind = type(v)
    if kind is int or kind is float:
        return True
    if kind is bool:
        return False
    import numbers  # only for values that are not plain ints or floats (~0.3 ms, once)

    return isinstance(v, numbers.Number) and not isinstance(v, bool)


TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}

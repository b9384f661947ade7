from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.diff.schemas import loosenings

OBJ: dict[str, Any] = {
    "type": "object",
    "properties": {
        "user": {"type": "string", "maxLength": 10, "pattern": "^[a-z]+$"},
        "mode": {"enum": ["read"]},
        "n": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["user", "mode"],
    "additionalProperties": False,
}


def _with(**changes: Any) -> dict[str, Any]:
    out = {**OBJ, "properties": {**OBJ["properties"]}}
    for key, value in changes.items():
        if key.startswith("p_"):
            out["properties"][key[2:]] = value
        elif value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (_with(required=["user"]), ["(root): no longer required: mode"]),
        (_with(additionalProperties=None), ["(root): additionalProperties now allowed"]),
        (
            _with(p_mode={"enum": ["read", "write"]}),
            ["properties.mode: enum widened with 'write'"],
        ),
        (
            _with(p_user={"type": "string", "maxLength": 10}),
            ["properties.user: pattern '^[a-z]+$' changed to None"],
        ),
        (
            _with(p_n={"type": "number", "minimum": 1, "maximum": 5}),
            ["properties.n: type widened to accept number"],
        ),
        (
            _with(p_n={"type": "integer", "minimum": 0, "maximum": 9}),
            [
                "properties.n: maximum relaxed from 5 to 9",
                "properties.n: minimum relaxed from 1 to 0",
            ],
        ),
        (
            _with(p_extra={"type": "string"}),
            ["(root): new property 'extra' accepted"],
        ),
        (None, ["(root): schema removed"]),
    ],
)
def test_loosenings_found(head: Any, expected: list[str]) -> None:
    assert loosenings(OBJ, head) == expected


@pytest.mark.parametrize(
    "head",
    [
        OBJ,
        _with(required=["user", "mode", "n"]),
        _with(p_mode={"enum": []}),
        _with(p_user={"type": "string", "maxLength": 5, "pattern": "^[a-z]+$"}),
    ],
)
def test_narrowing_is_not_loosening(head: dict[str, Any]) -> None:
    assert loosenings(OBJ, head) == []


def test_adding_a_schema_is_not_loosening() -> None:
    assert loosenings(None, OBJ) == []


@pytest.mark.parametrize(
    ("base", "head", "expected"),
    [
        (
            {"type": "array", "items": {"type": "string", "maxLength": 3}},
            {"type": "array", "items": {"type": "string"}},
            ["items: maxLength relaxed from 3 to none"],
        ),
        (
            {"anyOf": [{"type": "string"}]},
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            ["(root): anyOf accepts 1 new alternative(s)"],
        ),
        (
            {"allOf": [{"required": ["a"]}, {"required": ["b"]}]},
            {"allOf": [{"required": ["a"]}]},
            ["(root): allOf lost a constraint"],
        ),
        ({"const": "x"}, {"enum": ["x", "y"]}, ["(root): const 'x' relaxed"]),
        (
            {"type": "string", "format": "email"},
            {"type": "string"},
            ["(root): format 'email' changed to None"],
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object"},
            ["(root): property 'a' no longer constrained"],
        ),
        (
            {"type": "object", "additionalProperties": False},
            {"type": "object", "additionalProperties": {"type": "string"}},
            ["(root): additionalProperties now allowed (as a schema)"],
        ),
    ],
)
def test_nested_and_combinator_loosenings(
    base: dict[str, Any], head: dict[str, Any], expected: list[str]
) -> None:
    assert loosenings(base, head) == expected


_SCALARS = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.booleans())
_SCHEMAS = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["string", "integer", "number", "object", "array"]),
            "enum": st.lists(_SCALARS, max_size=3),
            "maxLength": st.integers(0, 9),
            "minimum": st.integers(-9, 9),
            "required": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
            "additionalProperties": st.booleans(),
        },
    ),
    lambda inner: st.fixed_dictionaries(
        {},
        optional={
            "properties": st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
            "items": inner,
            "anyOf": st.lists(inner, min_size=1, max_size=2),
        },
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(_SCHEMAS)
def test_a_schema_never_loosens_against_itself(schema: dict[str, Any]) -> None:
    assert loosenings(schema, schema) == []
    assert loosenings(schema, None) == ([] if schema == {} else ["(root): schema removed"])

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.runtime.schema_fast import Invalid, compile_check, is_supported

SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": "string", "pattern": "^[a-z]+$"},
    {"type": "integer", "minimum": 0, "maximum": 10},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": ["string", "null"]},
    {"type": "boolean"},
    {"enum": ["a", 1, None, True, [1, 2], {"k": 1}]},
    {"const": 1},
    {"const": False},
    {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
        "additionalProperties": False,
    },
    {"type": "object", "additionalProperties": {"type": "string"}},
    {"properties": {"n": {"type": "object", "properties": {"m": {"enum": [1]}}}}},
    {"minLength": 1},  # applies to strings only; other types pass
    {"default": 3, "description": "annotations only"},
    {"not": {"type": "string"}},  # outside the subset: validated by jsonschema
    {"anyOf": [{"type": "string"}, {"type": "integer"}]},
]

VALUES: list[Any] = [
    "",
    "ab",
    "abcde",
    "AB",
    0,
    1,
    1.0,
    1.5,
    10,
    11,
    -1,
    True,
    False,
    None,
    [],
    ["a"],
    ["a", "b", "c"],
    [1],
    {},
    {"a": 1},
    {"a": "x"},
    {"a": 1, "b": 2},
    {"n": {"m": 1}},
    {"n": {"m": 2}},
    [1, 2],
    {"k": 1},
    {"k": True},
]


def _ours(schema: Any, value: Any) -> bool:
    try:
        compile_check(schema)(value, "v")
    except Invalid:
        return False
    return True


def _reference(schema: Any, value: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


@pytest.mark.parametrize("schema", SCHEMAS, ids=[str(s)[:40] for s in SCHEMAS])
def test_table_agrees_with_jsonschema(schema: dict[str, Any]) -> None:
    for value in VALUES:
        assert _ours(schema, value) == _reference(schema, value), value


def test_the_subset_is_what_the_compiler_claims() -> None:
    assert is_supported({"type": "object", "properties": {"a": {"type": "string"}}})
    assert not is_supported({"not": {"type": "string"}})
    assert not is_supported({"type": "object", "properties": {"a": {"oneOf": []}}})
    assert not is_supported({"type": "strnig"})


@pytest.mark.parametrize(
    ("schema", "value", "where", "what"),
    [
        ({"type": "string"}, 5, "v", "expected string, found 5 (int)"),
        ({"type": "string", "maxLength": 2}, "abc", "v", "expected at most 2 characters, found 3"),
        ({"type": "integer", "minimum": 1}, 0, "v", "expected a number >= 1, found 0 (int)"),
        ({"enum": ["a", "b"]}, "c", "v", "expected one of ['a', 'b'], found 'c' (str)"),
        (
            {"type": "array", "items": {"type": "string"}},
            ["a", 2],
            "v[1]",
            "expected string, found 2 (int)",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "integer"}}},
            {"a": "x"},
            "v.a",
            "expected integer, found 'x' (str)",
        ),
        ({"type": "object", "required": ["a"]}, {}, "v", "missing required property 'a'"),
        (
            {"type": "object", "properties": {"a": {}}, "additionalProperties": False},
            {"b": 1},
            "v",
            "unexpected property 'b' (allowed: a)",
        ),
        ({"not": {"type": "string"}}, "x", "v", "'x' should not be valid under {'type': 'string'}"),
    ],
)
def test_errors_say_where_and_what(schema: Any, value: Any, where: str, what: str) -> None:
    with pytest.raises(Invalid) as info:
        compile_check(schema)(value, "v")
    assert (info.value.where, info.value.what) == (where, what)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-3, 3, allow_nan=False)
    | st.text("ab", max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)
_leaf_schema = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            ["string", "integer", "number", "boolean", "null", "array", "object"]
        )
        | st.lists(st.sampled_from(["string", "integer", "null"]), min_size=1, max_size=2),
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 3),
        "pattern": st.just("^a"),
        "minimum": st.integers(-2, 2),
        "maximum": st.integers(-2, 2),
        "exclusiveMinimum": st.integers(-2, 2),
        "enum": st.lists(_json, min_size=1, max_size=3),
        "const": _json,
        "minItems": st.integers(0, 2),
        "maxItems": st.integers(0, 2),
        "required": st.lists(st.sampled_from("abc"), max_size=2, unique=True),
    },
)
_schema = st.recursive(
    _leaf_schema,
    lambda inner: st.tuples(
        _leaf_schema,
        st.fixed_dictionaries(
            {},
            optional={
                "items": inner,
                "properties": st.dictionaries(st.sampled_from("abc"), inner, max_size=2),
                "additionalProperties": st.booleans() | inner,
            },
        ),
    ).map(lambda pair: {**pair[0], **pair[1]}),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(schema=_schema, value=_json)
def test_random_schemas_agree_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    assert is_supported(schema)
    assert _ours(schema, value) == _reference(schema, value)

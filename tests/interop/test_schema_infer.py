"""Input schemas from sample values and template usage."""

from __future__ import annotations

from typing import Any

import pytest

from promptops.interop.schema_infer import infer_schema, merge_schemas
from promptops.interop.translate.problems import Usage


@pytest.mark.parametrize(
    ("values", "usage", "schema"),
    [
        (["a", "b"], None, {"type": "string"}),
        ([1, 2.5], None, {"type": "number"}),
        ([1, 2], None, {"type": "integer"}),
        ([True], None, {"type": "boolean"}),
        ([["a"], ["b", "c"]], None, {"type": "array", "items": {"type": "string"}}),
        (
            [{"id": 1, "name": "x"}, {"id": 2}],
            None,
            {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                "required": ["id"],
            },
        ),
        (["a", None], None, {"type": ["null", "string"]}),
        ([], Usage(iterate=True), {"type": "array", "items": {"type": "string"}}),
        (
            [],
            Usage(attrs={("[]", "name")}, iterate=True),
            {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        ),
        (
            [],
            Usage(attrs={("address", "city")}),
            {
                "type": "object",
                "properties": {
                    "address": {"type": "object", "properties": {"city": {"type": "string"}}}
                },
            },
        ),
        ([], None, {"type": "string"}),
    ],
)
def test_infers_what_the_data_says(
    values: list[Any], usage: Usage | None, schema: dict[str, Any]
) -> None:
    assert infer_schema(values, usage) == schema


def test_merging_never_loses_a_type() -> None:
    assert merge_schemas([{"type": "string"}, {"type": "integer"}]) == {
        "type": ["integer", "string"]
    }
    assert merge_schemas([{"type": "string"}, {}]) == {}

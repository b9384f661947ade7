from __future__ import annotations

from typing import Any

import pytest

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

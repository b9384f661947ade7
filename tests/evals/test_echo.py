from __future__ import annotations

import json
from typing import Any

import pytest

from promptops.evals.providers.base import CallContext
from promptops.evals.providers.echo import EchoProvider, sample_value
from promptops.evals.types import Request

CTX = CallContext("p", "evals/p.yaml", "c")


def _request(schema: dict[str, Any] | None = None) -> Request:
    messages = (
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "Where is order AC-1?"},
    )
    return Request("openai", "m", messages, output_schema=schema)


def test_echo_returns_the_last_user_message_with_token_estimates() -> None:
    response = EchoProvider().complete(_request(), CTX)
    assert response.text == "Where is order AC-1?"
    assert (response.tokens_in, response.tokens_out, response.latency_ms) == (
        3 + 2 + 1 + 5,
        5,
        0.0,
    )  # ceil(chars / 4) per message
    assert response.tool_calls == ()


def test_echo_with_an_output_schema_returns_deterministic_valid_json() -> None:
    schema = {
        "type": "object",
        "properties": {
            "category": {"enum": ["billing", "shipping"]},
            "priority": {"type": "string", "maxLength": 5},
            "score": {"type": "integer", "minimum": 3},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "note": {"type": ["null", "string"]},
            "code": {"const": "X1"},
        },
    }
    text = EchoProvider().complete(_request(schema), CTX).text
    assert json.loads(text) == {
        "category": "billing", "priority": "Where", "score": 3, "ok": True,
        "tags": ["Where is order AC-1?", "Where is order AC-1?"], "note": None, "code": "X1",
    }  # fmt: skip
    assert EchoProvider().complete(_request(schema), CTX).text == text


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "string", "minLength": 5}, "abxxx"),
        ({"type": "number", "exclusiveMinimum": 1}, 2),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, 0),
        ({"items": {"type": "null"}}, [None]),
        ({}, "ab"),
    ],
)
def test_sample_value(schema: dict[str, Any], value: Any) -> None:
    assert sample_value(schema, "ab") == value

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.evals.types import RequestFactory, Response, ToolCall, request_dict

_text = st.text(max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=30, deadline=None)
@given(
    messages=st.lists(st.fixed_dictionaries({"role": st.sampled_from(["system", "user"]),
                                             "content": _text}), max_size=3),
    params=st.dictionaries(_text, _json, max_size=3),
    schema=st.none() | st.dictionaries(_text, _json, min_size=1, max_size=3),
    tools=st.lists(st.fixed_dictionaries({"name": _text, "parameters": _json}), max_size=2),
)  # fmt: skip
def test_incremental_digest_is_the_digest_of_the_full_canonical_request(
    messages: list[dict[str, str]],
    params: dict[str, Any],
    schema: dict[str, Any] | None,
    tools: list[dict[str, Any]],
) -> None:
    factory = RequestFactory(provider="openai", model="m", params=params, tools=tools,
                             output_schema=schema, base_url="http://x")  # fmt: skip
    request = factory.make(messages)
    assert request.digest == sha256_hex(canonical_bytes(request_dict(request)))
    assert request.base_url == "http://x"


def test_base_url_does_not_change_the_digest() -> None:
    def make(url: str | None) -> str:
        factory = RequestFactory(provider="openai", model="m", params={}, tools=(),
                                 output_schema=None, base_url=url)  # fmt: skip
        return factory.make([{"role": "user", "content": "hi"}]).digest

    assert make(None) == make("http://127.0.0.1:1/v1")


def test_response_round_trip() -> None:
    response = Response("t", (ToolCall("f", {"a": [1]}),), 1, 2, 3.5)
    assert Response.from_dict(response.to_dict()) == response

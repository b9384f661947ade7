"""One bounded JSON parser for every fetched byte; signed payloads must be canonical."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.canonical import canonical_bytes
from promptops.errors import BundleError
from promptops.runtime.jsonparse import MAX_JSON_DEPTH, parse_canonical, parse_json


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 20000 + b"]" * 20000, r"^x: JSON nested more than 128 levels deep$"),
        (b'{"a":' * 129 + b"1" + b"}" * 129, r"^x: JSON nested more than 128 levels deep$"),
        (b"[" * 20000, r"^x: JSON nested more than 128 levels deep$"),
        (b'["' + b"[" * 500 + b'"]' + b"x", r"^x: not valid JSON \(Extra data"),
        (b"\xff", r"^x: not valid JSON \("),
        (b"1" * 101, r"^x: 101 bytes exceeds the limit of 100 bytes$"),
    ],
)
def test_bounded_parse_refusals(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        parse_json(data, where="x", max_bytes=100 if len(data) == 101 else 10**6)


def test_nesting_up_to_the_bound_parses_and_brackets_in_strings_do_not_count() -> None:
    assert parse_json(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, where="x", max_bytes=10**6)
    in_string = b'["' + b"[{" * 5000 + b'"]'
    assert parse_json(in_string, where="x", max_bytes=10**6) == ["[{" * 5000]


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b'{"a":1,"a":2}', "duplicate key 'a'"),
        (b'{"b":1,"a":2}', "keys must be sorted"),
        (b'{"a": 1}', "keys must be sorted"),
        (b'{"a":"\\u0041"}', "keys must be sorted"),
        (b'{"a":-0}', "keys must be sorted"),
        (b'{"a":1.50}', "keys must be sorted"),
        (b'{"a":1e2}', "keys must be sorted"),
        (b'{"a":1}\n', "keys must be sorted"),
        (b'{"z":{"b":1,"b":1}}', "duplicate key 'b'"),
    ],
)
def test_non_canonical_payloads_are_refused(payload: bytes, why: str) -> None:
    with pytest.raises(BundleError, match=rf"^p: signed payload is not canonical JSON \({why}"):
        parse_canonical(payload, where="p", max_bytes=10**6)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON)
def test_canonical_bytes_are_accepted_and_other_spellings_refused(value: Any) -> None:
    canonical = canonical_bytes(value)
    assert parse_canonical(canonical, where="p", max_bytes=10**7) == value
    for other in (
        json.dumps(value).encode(),
        json.dumps(value, indent=1).encode(),
        json.dumps(value, separators=(",", ":"), sort_keys=True).encode(),  # ASCII escapes
    ):
        if other != canonical:
            with pytest.raises(BundleError, match="not canonical JSON"):
                parse_canonical(other, where="p", max_bytes=10**7)

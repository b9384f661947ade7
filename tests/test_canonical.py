from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.canonical import canonical_bytes, sha256_hex

SETTINGS = settings(max_examples=100, deadline=None)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _shuffled(value: Any, rng: random.Random) -> Any:
    """The same value with every object's keys inserted in a different order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@SETTINGS
@given(values, st.integers(min_value=0))
def test_stable_under_key_order(value: Any, seed: int) -> None:
    assert canonical_bytes(_shuffled(value, random.Random(seed))) == canonical_bytes(value)


@SETTINGS
@given(values)
def test_round_trip_and_idempotence(value: Any) -> None:
    data = canonical_bytes(value)
    parsed = json.loads(data)
    assert canonical_bytes(parsed) == data
    assert b"\n" not in data  # newlines inside strings are escaped; none outside


@SETTINGS
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_unicode_is_written_as_utf8_not_escaped(text: str) -> None:
    data = canonical_bytes({"k": text})
    assert json.loads(data.decode("utf-8")) == {"k": text}
    # Only the characters JSON must escape are escaped: quote, backslash, controls.
    escaped = json.dumps(text, ensure_ascii=False)
    assert data == b'{"k":' + escaped.encode("utf-8") + b"}"
    for ch in text:
        if ord(ch) > 0x7F:
            assert ch.encode("utf-8") in data


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # NFC and NFD forms are different strings: no normalisation happens.
        ({"k": "\u00e9"}, {"k": "e\u0301"}),
        ({"\u00e9": 1}, {"e\u0301": 1}),
    ],
)
def test_unicode_normal_forms_are_not_merged(a: Any, b: Any) -> None:
    assert canonical_bytes(a) != canonical_bytes(b)


def test_keys_sorted_by_code_point() -> None:
    value = {"b": 1, "B": 2, "a": 3, "é": 4, "z": 5, "🙂": 6, "\u00ff": 7}
    assert canonical_bytes(value) == '{"B":2,"a":3,"b":1,"z":5,"é":4,"ÿ":7,"🙂":6}'.encode()


def test_compact_separators_and_no_whitespace() -> None:
    assert canonical_bytes({"a": [1, 2.5, None, True], "b": {}}) == (
        b'{"a":[1,2.5,null,true],"b":{}}'
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        canonical_bytes({"x": [bad]})


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.canonical import canonical_bytes
from promptops.compile import compile_repository, read_index
from promptops.compile._format import assemble, locate_index
from promptops.errors import BundleError
from tests.compile.memrepo import mem_repo
from tests.helpers import MINIMAL_REPO

SOURCE = {"commit": "c" * 40, "tree": "t" * 40, "dirty": False}


def _entries(objects: dict[str, object]) -> list[tuple[str, bytes, str]]:
    return [
        (k, canonical_bytes(v), hashlib.sha256(canonical_bytes(v)).hexdigest())
        for k, v in objects.items()
    ]


def _objects() -> dict[str, object]:
    return {
        "b/two": {"z": 1, "a": ["é", "漢字", "\u2028"], "n": None},
        "a": {"template": "Hello {{ name }}", "x": 1.5},
        "a.b": {},
        "a-c": {"emoji": "🙂", "nested": {"k": [1, 2, {"y": True}]}},
    }


def test_assembled_bundle_equals_canonical_bytes_of_the_whole_object() -> None:
    objects = _objects()
    data, index = assemble(_entries(objects), SOURCE)
    whole = {
        "format": "promptops.bundle/v1",
        "index": {k: list(v) for k, v in index.items()},
        "prompts": objects,
        "source": SOURCE,
    }
    assert data == canonical_bytes(whole)
    assert json.loads(data) == whole


def test_ids_json_must_escape_still_give_canonical_bytes() -> None:
    # Ids are ASCII by ADR 0001, but assembly must stay canonical for any string.
    objects = {'q"uote': {}, "back\\slash": [1], "ctl\x01": None, "é/ü": "x", "del\x7f": 1}
    data, index = assemble(_entries(objects), SOURCE)
    whole = {
        "format": "promptops.bundle/v1",
        "index": {k: list(v) for k, v in index.items()},
        "prompts": objects,
        "source": SOURCE,
    }
    assert data == canonical_bytes(whole)


def test_top_level_keys_in_documented_order() -> None:
    data, _ = assemble(_entries(_objects()), SOURCE)
    assert data.startswith(b'{"format":"promptops.bundle/v1","index":{')
    assert list(json.loads(data)) == ["format", "index", "prompts", "source"]
    assert data.endswith(
        b',"source":{"commit":"' + b"c" * 40 + b'","dirty":false,"tree":"' + b"t" * 40 + b'"}}'
    )


def test_runtime_reading_method_of_adr_0002() -> None:
    """Read exactly as ADR 0002 tells the runtime to: raw_decode the index, expect
    ',"prompts":', slice by relative offset and check each slice's sha256."""
    objects = _objects()
    data, _ = assemble(_entries(objects), SOURCE)
    header = b'{"format":"promptops.bundle/v1","index":'
    text = data.decode("utf-8")
    index, end = json.JSONDecoder().raw_decode(text, len(header))
    assert text[end : end + len(',"prompts":')] == ',"prompts":'
    # The index is ASCII, so character and byte offsets agree up to here.
    base = end + len(',"prompts":')
    assert data[base : base + 1] == b"{"
    assert list(index) == sorted(objects)
    for prompt_id, (offset, length, digest) in index.items():
        piece = data[base + offset : base + offset + length]
        assert hashlib.sha256(piece).hexdigest() == digest
        assert json.loads(piece) == objects[prompt_id]
    assert read_index(data) == {k: tuple(v) for k, v in index.items()}
    assert locate_index(data)[1] == base


def test_empty_bundle() -> None:
    data, index = assemble([], SOURCE)
    assert index == {}
    assert data == canonical_bytes(
        {"format": "promptops.bundle/v1", "index": {}, "prompts": {}, "source": SOURCE}
    )
    assert read_index(data) == {}


def test_compiled_bundle_digests_match_the_index_and_bundle_prompts() -> None:
    bundle = compile_repository(mem_repo(MINIMAL_REPO), cache=False)
    index = read_index(bundle.data)
    assert bundle.prompts == {k: v[2] for k, v in index.items()}
    assert bundle.sha256 == hashlib.sha256(bundle.data).hexdigest()
    assert bundle.prompt("greet") == json.loads(bundle.data)["prompts"]["greet"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"format":"other","index":{}}',
            "not a promptops bundle: expected the file to start "
            'with \'{"format":"promptops.bundle/v1","index":\'',
        ),
        (
            b'{"format":"promptops.bundle/v1","index":{"a":[1,2,"x"]},"prompts":{}}',
            "bundle index entry for 'a' must be [offset, length, sha256hex]",
        ),
        (
            b'{"format":"promptops.bundle/v1","index":[],"prompts":{}}',
            "bundle index must be a JSON object",
        ),
        (
            b'{"format":"promptops.bundle/v1","index":{} ,"prompts":{}}',
            "bundle index must be followed by ',\"prompts\":'",
        ),
        (
            b'{"format":"promptops.bundle/v1","index":{"a":',
            "bundle index is not valid JSON: no prompts separator",
        ),
    ],
)
def test_malformed_index_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(BundleError) as info:
        read_index(data)
    assert str(info.value) == message


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
# Flat on purpose: nesting is covered by tests/test_canonical.py, and deep strategies are slow.
json_values = scalars | st.lists(scalars, max_size=3)
ids = st.text(alphabet="abz09/._-", min_size=1, max_size=12)


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(ids, st.dictionaries(st.text(max_size=6), json_values, max_size=4), max_size=6)
)
def test_assembly_matches_canonical_bytes_for_any_prompts(objects: dict[str, object]) -> None:
    data, index = assemble(_entries(objects), SOURCE)
    whole = {
        "format": "promptops.bundle/v1",
        "index": {k: list(v) for k, v in index.items()},
        "prompts": objects,
        "source": SOURCE,
    }
    assert data == canonical_bytes(whole)
    index_read, base = locate_index(data)
    for prompt_id, (offset, length, _) in index_read.items():
        assert json.loads(data[base + offset : base + offset + length]) == objects[prompt_id]

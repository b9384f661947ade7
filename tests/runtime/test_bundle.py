from __future__ import annotations

import pytest

from promptops.errors import BundleError
from promptops.runtime.bundle import Bundle
from tests.release.tamper_cases import make_bundle
from tests.runtime.fixtures import GREET, compiled

PROMPTS = {"prompts": compiled("prompts", [("user", "x", "text")]), "greet": GREET}


def test_index_is_decoded_and_prompts_parse_on_demand() -> None:
    data = make_bundle(PROMPTS, "a" * 40)
    bundle = Bundle.parse(data, max_prompts=10)
    assert bundle.ids == ("greet", "prompts")  # a prompt called "prompts" does not confuse it
    assert bundle.source == {"commit": "a" * 40, "dirty": False, "tree": None}
    assert bundle.load("greet", max_bytes=10**6) == GREET
    assert bundle.load("prompts", max_bytes=10**6)["id"] == "prompts"


def test_a_slice_that_does_not_hash_to_its_index_digest_is_refused() -> None:
    data = make_bundle(PROMPTS, None).replace(b"Say hello", b"Say HELLO")
    bundle = Bundle.parse(data, max_prompts=10)
    with pytest.raises(
        BundleError,
        match=r"^bundle: prompt 'greet' hashes to [0-9a-f]{64}, but "
        r"the index says [0-9a-f]{64}$",
    ):
        bundle.load("greet", max_bytes=10**6)


def test_oversized_prompt_is_refused() -> None:
    bundle = Bundle.parse(make_bundle(PROMPTS, None), max_prompts=10)
    with pytest.raises(BundleError, match=r"over the limit of 10 \(max_prompt_bytes\)$"):
        bundle.load("greet", max_bytes=10)


SOURCE = b',"source":{"commit":null,"dirty":false,"tree":null}}'
HEAD = b'{"format":"promptops.bundle/v1","index":'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"format":"promptops.bundle/v2"}', r"^bundle: expected the file to start with"),
        (HEAD + b'{"a":[1,2,"x"]]}' + SOURCE, r"right after the index$"),
        (HEAD + b'{"a":[1,2,"x"]]},"prompts":{}' + SOURCE, r"the index: not valid JSON"),
        (HEAD + b'{},"prompts":{}}', r"no 'source' object"),
    ],
)
def test_malformed_bundles(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        Bundle.parse(data, max_prompts=10)


def test_a_malformed_index_entry_is_refused_when_served() -> None:
    bundle = Bundle.parse(HEAD + b'{"a":[1,2]},"prompts":{}' + SOURCE, max_prompts=10)
    with pytest.raises(BundleError, match=r"^bundle: index entry for 'a' is malformed$"):
        bundle.load("a", max_bytes=100)


def test_every_served_prompt_must_match_the_signed_digest() -> None:
    data = make_bundle(PROMPTS, None)
    bundle = Bundle.parse(data, max_prompts=10, signed={"greet": "0" * 64, "prompts": "1" * 64})
    assert bundle.ids == ("greet", "prompts") and "greet" in bundle and "x" not in bundle
    with pytest.raises(
        BundleError,
        match=r"^bundle: prompt 'greet' is indexed with sha256 "
        r"[0-9a-f]{64}, but the release signs 0{64}; rebuild and re-release it$",
    ):
        bundle.load("greet", max_bytes=10**6)


def test_too_many_prompts() -> None:
    with pytest.raises(BundleError, match=r"^bundle: 2 prompts exceeds the limit of 1 "):
        Bundle.parse(make_bundle(PROMPTS, None), max_prompts=1)

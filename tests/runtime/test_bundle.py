from __future__ import annotations

import pytest

from promptops.errors import BundleError, FetchError
from promptops.runtime.bundle import Bundle
from promptops.runtime.pages import PageTable, cut_pages
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
    ],
)
def test_malformed_bundles(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        Bundle.parse(data, max_prompts=10)


def test_the_source_object_is_read_when_asked_for() -> None:
    # Only the unsigned preview reads it; a signed release's commit is the manifest's.
    bundle = Bundle.parse(HEAD + b'{},"prompts":{}}', max_prompts=10)
    with pytest.raises(BundleError, match=r"^bundle: no 'source' object at the end of the file$"):
        bundle.source  # noqa: B018


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


# --- a release/v2 manifest: the signed page table of the index (ADR 0019) ---


def _paged(n: int = 600) -> tuple[bytes, PageTable]:
    prompts = {f"p{i:04d}": compiled(f"p{i:04d}", [("user", f"x{i}", "text")]) for i in range(n)}
    data = make_bundle(prompts, "a" * 40)
    return data, cut_pages(data)


def test_a_paged_bundle_serves_prompts_through_their_checked_page() -> None:
    data, table = _paged()
    bundle = Bundle.parse(data, max_prompts=1000, signed=table)
    assert bundle.load("p0599", max_bytes=10**6)["messages"][0]["template"] == "x599"
    assert "p0300" in bundle and "p9999" not in bundle and "a" not in bundle
    assert bundle.ids == tuple(f"p{i:04d}" for i in range(600))
    assert len(bundle.digest("p0001")) == 64
    with pytest.raises(KeyError):
        bundle.load("p0600", max_bytes=10**6)


def test_the_signed_count_is_held_to_max_prompts() -> None:
    data, table = _paged(300)
    with pytest.raises(BundleError, match=r"^bundle: 300 prompts exceeds the limit of 299 "):
        Bundle.parse(data, max_prompts=299, signed=table)


def test_a_page_that_does_not_hash_to_its_signed_digest_is_refused() -> None:
    data, table = _paged()
    at = data.index(b'"p0300":[') + 40  # a digest inside page 1
    bad = data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :]
    bundle = Bundle.parse(bad, max_prompts=1000, signed=table)
    assert bundle.load("p0001", max_bytes=10**6)["id"] == "p0001"  # page 0 is intact
    with pytest.raises(
        BundleError,
        match=r"^bundle: index page 1 \(from 'p0256'\) does not hash to the digest the "
        r"release signs$",
    ):
        bundle.load("p0300", max_bytes=10**6)


def test_damaged_bytes_are_repaired_once_and_never_served() -> None:
    data, table = _paged()
    bad = data.replace(b'"x300"', b'"y300"')
    calls: list[int] = []

    def repair() -> bytes:
        calls.append(1)
        return data

    bundle = Bundle.parse(bad, max_prompts=1000, signed=table, repair=repair)
    assert bundle.load("p0300", max_bytes=10**6)["messages"][0]["template"] == "x300"
    assert bundle.load("p0301", max_bytes=10**6)["id"] == "p0301" and calls == [1]


def test_a_repair_that_fails_says_so_and_is_not_retried() -> None:
    data, table = _paged()
    bad = data.replace(b'"x300"', b'"y300"').replace(b'"x10"', b'"y10"')
    calls: list[int] = []

    def repair() -> bytes:
        calls.append(1)
        raise FetchError("source gone")

    bundle = Bundle.parse(bad, max_prompts=1000, signed=table, repair=repair)
    message = (
        r"^bundle: prompt 'p0300' hashes to [0-9a-f]{64}, but the index says [0-9a-f]{64} "
        r"\(the cached copy of the bundle is damaged; fetching it again failed: source gone\)$"
    )
    with pytest.raises(BundleError, match=message):
        bundle.load("p0300", max_bytes=10**6)
    # Later failures, of the same prompt or another one, still say why: not asked again.
    with pytest.raises(BundleError, match=message):
        bundle.load("p0300", max_bytes=10**6)
    with pytest.raises(BundleError, match=message.replace("p0300", "p0010")):
        bundle.load("p0010", max_bytes=10**6)
    assert calls == [1]
    assert bundle.load("p0011", max_bytes=10**6)["id"] == "p0011"  # intact ones still serve


def test_a_prompt_over_the_limit_is_not_a_reason_to_repair() -> None:
    data, table = _paged()

    def never() -> bytes:
        raise AssertionError("a limit of the application is not damage")

    bundle = Bundle.parse(data, max_prompts=1000, signed=table, repair=never)
    with pytest.raises(BundleError, match=r"over the limit of 10 \(max_prompt_bytes\)$"):
        bundle.load("p0300", max_bytes=10)

"""Attacks on a paged release (ADR 0019), through ``Registry.open`` as an application runs it.

A cached bundle is not hashed whole any more: each prompt is authenticated when served,
through its index page and its digest. So every edit of the cached file that keeps its
size must still end in the right prompt (the file fetched again, verified whole) or, with
no source to fetch from, in a ``BundleError``: never a wrong prompt, never a traceback. An
edit of the signed page table itself fails the signature, or, signed, the bundle check.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from promptops.errors import BundleError, FetchError, SignatureError
from promptops.release.manifest import sign_manifest
from promptops.runtime import Registry
from promptops.runtime.digest import sha256_hex
from tests.runtime.fixtures import CONFIG, KEY, TRUST, compiled, publish

N = 600  # three index pages of 256, 256 and 88 entries
PROMPTS = {f"p{i:04d}": compiled(f"p{i:04d}", [("user", f"text {i:04d}", "text")])
           for i in range(N)}  # fmt: skip


def _open(site: Path, cache: Path, **config: object) -> Registry:
    cfg = CONFIG._replace(**config)  # type: ignore[arg-type]
    return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=cfg)


def _text(reg: Registry, pid: str) -> str:
    return str(reg.prompt(pid).render().messages[0]["content"])


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :]


def _changed_page(data: bytes) -> bytes:
    return _flip(data, data.index(b'"p0300":[') + 40)  # inside the entry's digest


def _changed_body(data: bytes) -> bytes:
    return data.replace(b'"text 0300"', b'"TEXT 0300"')


def _reordered_index(data: bytes) -> bytes:
    # Two entries of the same page trade places: each id now names the other's prompt.
    a = re.search(rb'"p0300":\[[^\]]*\]', data)
    b = re.search(rb'"p0301":\[[^\]]*\]', data)
    assert a is not None and b is not None and a.end() + 1 == b.start()
    swapped = b.group().replace(b"p0301", b"p0300") + b"," + a.group().replace(b"p0300", b"p0301")
    return data[: a.start()] + swapped + data[b.end() :]


def _reordered_page_entries(data: bytes) -> bytes:
    # The index keeps its ids in order but two entries trade their offsets and digests.
    a = re.search(rb'"p0300":(\[[^\]]*\])', data)
    b = re.search(rb'"p0301":(\[[^\]]*\])', data)
    assert a is not None and b is not None
    out = data[: a.start(1)] + b.group(1) + data[a.end(1) : b.start(1)] + a.group(1)
    return out + data[b.end(1) :]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2] + b" " * (len(data) - len(data) // 2)


EDITS: dict[str, Callable[[bytes], bytes]] = {
    "changed_page": _changed_page,
    "changed_prompt_body": _changed_body,
    "reordered_index": _reordered_index,
    "reordered_entries": _reordered_page_entries,
    "truncated_in_place": _truncated,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_cached_bundle_is_fetched_again_and_the_right_prompt_served(
    tmp_path: Path, edit: str
) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site, PROMPTS)
    _open(site, cache)
    blob = cache / "blobs" / digest
    damaged = EDITS[edit](blob.read_bytes())
    assert len(damaged) == blob.stat().st_size and sha256_hex(damaged) != digest
    blob.write_bytes(damaged)
    reg = _open(site, cache)
    assert _text(reg, "p0300") == "text 0300" and _text(reg, "p0301") == "text 0301"
    assert sha256_hex(blob.read_bytes()) == digest  # replaced by the verified bytes


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_cached_bundle_offline_is_refused_never_served(tmp_path: Path, edit: str) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site, PROMPTS)
    _open(site, cache)
    blob = cache / "blobs" / digest
    blob.write_bytes(EDITS[edit](blob.read_bytes()))
    reg = _open(site, cache, offline=True)
    assert reg.status.from_cache
    assert _text(reg, "p0001") == "text 0001"  # page 0 and its prompt are intact
    message = r"^bundle: .* \(the cached copy of the bundle is damaged; fetching it again "
    with pytest.raises(BundleError, match=message + r"failed: offline: the source is not asked\)$"):
        reg.prompt("p0300")


def _statement(site: Path) -> dict[str, object]:
    envelope = json.loads((site / "releases" / "v1" / "release.dsse.json").read_bytes())
    statement: dict[str, object] = json.loads(base64.b64decode(envelope["payload"]))
    return statement


def _write_statement(site: Path, statement: dict[str, object], *, sign: bool) -> None:
    from promptops.canonical import canonical_bytes
    from promptops.runtime.dsse import STATEMENT_PAYLOAD_TYPE, sign_envelope

    path = site / "releases" / "v1" / "release.dsse.json"
    payload = canonical_bytes(statement)
    if sign:
        envelope = sign_envelope(payload, STATEMENT_PAYLOAD_TYPE, [KEY])
    else:  # the old signatures over an edited payload
        envelope = json.loads(path.read_bytes())
        envelope["payload"] = base64.b64encode(payload).decode()
    path.write_bytes(canonical_bytes(envelope))


def _drop_last_page(statement: dict[str, object]) -> None:
    predicate = statement["predicate"]
    assert isinstance(predicate, dict)
    predicate["prompts"]["pages"].pop()


def _reorder_pages(statement: dict[str, object]) -> None:
    predicate = statement["predicate"]
    assert isinstance(predicate, dict)
    pages = predicate["prompts"]["pages"]
    pages[0], pages[1] = pages[1], pages[0]


_STALE = (
    r"^envelope: 0 of 1 required signatures of the release role \(invalid signature by key "
    r"[0-9a-f]{12}\)$"
)


@pytest.mark.parametrize(
    ("edit", "sign", "error", "message"),
    [
        (_drop_last_page, False, SignatureError, _STALE),
        (_reorder_pages, False, SignatureError, _STALE),
        (_drop_last_page, True, BundleError, r"^bundle: its index is not the size the release "
         r"signs .*: release v1 signs this bundle with a page table that does not describe it; "
         r"re-release it$"),
        (_reorder_pages, True, BundleError,
         r"^manifest predicate: pages must be in ascending order of their first id$"),
    ],
)  # fmt: skip
def test_an_edited_page_table_is_refused(
    tmp_path: Path,
    edit: Callable[[dict[str, object]], None],
    sign: bool,
    error: type[Exception],
    message: str,
) -> None:
    site = tmp_path / "site"
    publish(site, PROMPTS)
    statement = _statement(site)
    edit(statement)
    _write_statement(site, statement, sign=sign)
    with pytest.raises(error, match=message):
        _open(site, tmp_path / "cache")


def test_a_page_table_re_signed_for_a_truncated_index_is_refused_from_the_cache_too(
    tmp_path: Path,
) -> None:
    # The release key signs a manifest whose table stops one page short, over the same
    # bundle: fetched, the whole bundle is checked and refused; it never reaches the cache.
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site, PROMPTS)
    _open(site, cache)
    statement = _statement(site)
    _drop_last_page(statement)
    _write_statement(site, statement, sign=True)
    with pytest.raises(BundleError, match=r"^bundle: its index is not the size the release signs "
                       r".*a page table that does not describe it; re-release it$"):  # fmt: skip
        _open(site, cache)
    served = _open(site, cache, offline=True)  # the last release that verified
    assert _text(served, "p0599") == "text 0599"


def test_sign_manifest_refuses_a_bundle_whose_index_is_not_canonical() -> None:
    from dataclasses import replace

    from tests.release.tamper_cases import make_bundle, make_world, prompt_digests

    bundle = make_bundle(PROMPTS, "a" * 40).replace(b'],"p0001":', b'], "p0001":')
    spec = replace(make_world().spec, prompts=prompt_digests(make_bundle(PROMPTS, "a" * 40)))
    with pytest.raises(BundleError, match=r"^bundle: the index is not canonical JSON; rebuild it$"):
        sign_manifest(spec, bundle, [KEY])


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_bundle_edited_in_place_after_a_cacheless_open_is_never_served(
    tmp_path: Path, edit: str
) -> None:
    # Without a cache a local bundle is hashed as it streams and then read where needed
    # (promptops verify's path): bytes changed after the hash fail their page or prompt
    # check; nothing can repair them.
    site = tmp_path / "site"
    publish(site, PROMPTS)
    reg = Registry.open(site, trust=TRUST, channel="production", config=CONFIG)
    assert _text(reg, "p0001") == "text 0001"
    path = site / "releases" / "v1" / "bundle.json"
    data = path.read_bytes()
    with path.open("r+b") as f:  # the same inode, as a careless copy would
        f.write(EDITS[edit](data))
    with pytest.raises(BundleError, match=r"^bundle: "):
        reg.prompt("p0300")
    assert _text(reg, "p0001") == "text 0001"  # checked before the edit


# --- the cache directory in an attacker's hands: whole-file swaps and odd files ----------
def _other_release_same_size(blob: Path) -> None:
    # Another release's bundle of exactly the same size, under this release's digest.
    other = {pid: compiled(pid, [("user", f"TEXT {pid[1:]}", "text")]) for pid in PROMPTS}
    from tests.release.tamper_cases import make_bundle

    data = make_bundle(other, "a" * 40)
    assert len(data) == blob.stat().st_size
    blob.write_bytes(data)


def _symlink_to_edited_copy(blob: Path) -> None:
    evil = blob.parent.parent / "evil.json"
    evil.write_bytes(_changed_body(blob.read_bytes()))
    blob.unlink()
    blob.symlink_to(evil)


def _blobs_dir_symlinked(blob: Path) -> None:
    moved = blob.parent.parent / "elsewhere"
    blob.parent.rename(moved)
    (moved / blob.name).write_bytes(_changed_body((moved / blob.name).read_bytes()))
    blob.parent.symlink_to(moved)


def _byte_after_index(blob: Path) -> None:
    data = blob.read_bytes()
    at = data.index(b'},"prompts":') + 1
    blob.write_bytes(data[:at] + b";" + data[at + 1 :])


def _fifo(blob: Path) -> None:
    blob.unlink()
    os.mkfifo(blob)  # opened without O_NONBLOCK it would hang the open


SWAPS: dict[str, Callable[[Path], None]] = {
    "other_release_same_size": _other_release_same_size,
    "symlink_to_edited_copy": _symlink_to_edited_copy,
    "blobs_dir_symlinked": _blobs_dir_symlinked,
    "appended_garbage": lambda b: b.write_bytes(b.read_bytes() + b"garbage"),
    "truncated": lambda b: b.write_bytes(b.read_bytes()[:-100]),
    "truncated_inside_index": lambda b: b.write_bytes(b.read_bytes()[:5000]),
    "emptied": lambda b: b.write_bytes(b""),
    "byte_after_index": _byte_after_index,
    "a_directory": lambda b: (b.unlink(), b.mkdir()),
    "a_fifo": _fifo,
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs or symlinks on this OS")
@pytest.mark.parametrize("swap", sorted(SWAPS))
def test_a_cached_bundle_swapped_is_never_served(tmp_path: Path, swap: str) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site, PROMPTS)
    _open(site, cache)
    SWAPS[swap](cache / "blobs" / digest)
    try:  # offline: what fails the open checks is discarded, then nothing is left
        reg = _open(site, cache, offline=True)
    except FetchError as exc:
        assert str(exc).startswith("offline: the cache holds no verified release for ")
    else:
        for pid in ("p0000", "p0300", "p0599"):  # each page: the signed prompt, or refused
            try:
                assert _text(reg, pid) == f"text {pid[1:]}"
            except BundleError as exc:
                assert "does not hash to the digest the release signs" in str(exc)
    online = _open(site, cache)  # fetched again and verified whole
    assert [_text(online, p) for p in ("p0000", "p0300", "p0599")] == [
        "text 0000", "text 0300", "text 0599",
    ]  # fmt: skip


def test_a_signed_index_entry_pointing_outside_the_bundle_is_refused(tmp_path: Path) -> None:
    # A careless signer: the page table describes the index, but one entry's offset points
    # past the end of the file (another at another prompt's bytes): refused, never served.
    import datetime as dt

    from promptops.fsutil import atomic_write_bytes
    from promptops.release.manifest import ReleaseSpec
    from tests.release.tamper_cases import make_bundle, prompt_digests
    from tests.runtime.fixtures import EXPIRES, NOW

    data = make_bundle(PROMPTS, "a" * 40)
    offsets = {
        pid: re.search(rb'"' + pid + rb'":\[(\d+),', data) for pid in (b"p0300", b"p0301", b"p0302")
    }
    out, over, under = offsets.values()
    assert out is not None and over is not None and under is not None
    assert len(over.group(1)) == len(under.group(1))
    data = (
        data[: out.start(1)] + b"9" * len(out.group(1)) + data[out.end(1) : over.start(1)]
        + under.group(1) + data[over.end(1) :]
    )  # fmt: skip
    spec = ReleaseSpec(
        release="v1", serial=1, commit="a" * 40, tree="c" * 40, prompts=prompt_digests(data),
        models={}, created=NOW - dt.timedelta(days=1), expires=EXPIRES,
    )  # fmt: skip
    site = tmp_path / "site"
    publish(site, PROMPTS)
    atomic_write_bytes(site / "releases" / "v1" / "bundle.json", data)
    atomic_write_bytes(
        site / "releases" / "v1" / "release.dsse.json", sign_manifest(spec, data, [KEY])
    )
    reg = Registry.open(site / "releases" / "v1", trust=TRUST, config=CONFIG)
    assert _text(reg, "p0299") == "text 0299"
    for pid in ("p0300", "p0301"):
        with pytest.raises(BundleError, match=rf"^bundle: prompt '{pid}' hashes to [0-9a-f]{{64}}"):
            reg.prompt(pid)

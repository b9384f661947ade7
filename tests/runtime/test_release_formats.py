"""Both manifest forms load, and a warm open reads the same few bytes at any size (ADR 0019).

Releases published before ``release/v2`` list every prompt's digest (``release/v1``); the
runtime still reads them, from a source and from its cache, and checks every prompt it
serves against the signed digest of its id.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import promptops.runtime.blob as blob_module
from promptops.runtime import Registry
from promptops.runtime.trust import PREDICATE_TYPE_V1
from tests.runtime.fixtures import CONFIG, TRUST, compiled, publish


def _open(site: Path, cache: Path, **config: object) -> Registry:
    cfg = CONFIG._replace(**config)  # type: ignore[arg-type]
    return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=cfg)


def test_a_release_v1_is_served_from_its_source_and_from_the_cache(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site, predicate_type=PREDICATE_TYPE_V1)
    assert _open(site, cache).prompt("greet").render(name="A").messages[1]["content"] == (
        "Say hello to A."
    )
    offline = _open(site, cache, offline=True)
    assert offline.status.from_cache and offline.ids == ("greet", "support/loop")
    assert offline.prompt("greet").render(name="B").messages[1]["content"] == "Say hello to B."


def test_a_damaged_cached_release_v1_is_fetched_again_never_served(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site, predicate_type=PREDICATE_TYPE_V1)
    _open(site, cache)
    blob = cache / "blobs" / digest
    blob.write_bytes(blob.read_bytes().replace(b"Say hello", b"Say HELLO"))
    reg = _open(site, cache)
    assert reg.prompt("greet").render(name="A").messages[1]["content"] == "Say hello to A."
    assert b"Say hello" in blob.read_bytes()


def _bytes_read_by_a_warm_open(tmp_path: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    site, cache = tmp_path / f"site{n}", tmp_path / f"cache{n}"
    prompts = {f"p{i:05d}": compiled(f"p{i:05d}", [("user", "x" * 500, "text")])
               for i in range(n)}  # fmt: skip
    publish(site, prompts)
    _open(site, cache)  # fills the cache
    read: list[int] = []
    real = os.pread
    monkeypatch.setattr(
        blob_module.os, "pread", lambda fd, k, at: read.append(k) or real(fd, k, at)
    )
    reg = _open(site, cache)
    assert reg.prompt(f"p{n - 1:05d}").render().messages[0]["content"] == "x" * 500
    monkeypatch.undo()
    return sum(read)


def test_a_warm_open_reads_the_same_few_bytes_of_a_small_and_a_large_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _bytes_read_by_a_warm_open(tmp_path, 300, monkeypatch)
    large = _bytes_read_by_a_warm_open(tmp_path, 6000, monkeypatch)  # a 4 MB bundle
    assert small < 40_000 and large < 40_000  # the header, the tail, one page, one prompt


def test_a_bundle_over_the_old_64_mib_cap_loads_with_the_default_limits(tmp_path: Path) -> None:
    # A 50,000-prompt release is ~77 MB; the default max_bundle_bytes was 64 MiB.
    site, cache = tmp_path / "site", tmp_path / "cache"
    big = "x" * 3_500_000
    prompts = {f"p{i:02d}": compiled(f"p{i:02d}", [("user", big, "text")]) for i in range(20)}
    publish(site, prompts)
    assert (site / "releases" / "v1" / "bundle.json").stat().st_size > 64 * 1024 * 1024
    assert _open(site, cache).prompt("p19").render().messages[0]["content"] == big
    offline = _open(site, cache, offline=True)  # and from the cache
    assert (
        offline.status.from_cache and offline.prompt("p00").render().messages[0]["content"] == big
    )

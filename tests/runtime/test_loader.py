"""Every tamper case of the release table, run through the runtime loader: refused with the
same error as ``promptops verify``, and nothing unverified lands in the cache."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from promptops.canonical import sha256_hex
from promptops.runtime import Registry, RuntimeConfig
from promptops.runtime.cache import Cache, cache_key
from tests.release.tamper_cases import CASES, Artifacts, TamperCase, make_world
from tests.runtime.conftest import Served
from tests.runtime.fixtures import cache_files


def _pointed_release(pointer: bytes) -> str:
    # The attacker serves the artifacts wherever the pointer sends the loader.
    try:
        payload = json.loads(base64.b64decode(json.loads(pointer)["payload"]))
    except (ValueError, RecursionError):
        return "v1"
    return str(payload["release"])


def _write(root: Path, a: Artifacts) -> None:
    name = "v1" if a.pointer is None else _pointed_release(a.pointer)
    release = root / "releases" / name
    release.mkdir(parents=True)
    (release / "bundle.json").write_bytes(a.bundle)
    (release / "release.dsse.json").write_bytes(a.envelope)
    (root / "digests").mkdir()
    (root / "digests" / sha256_hex(a.bundle)).write_text("v1\n")
    if a.pointer is not None:
        (root / "channels").mkdir()
        (root / "channels" / "production.json").write_bytes(a.pointer)


def _open(source: str | Path, a: Artifacts, cache: Path) -> Registry:
    config = RuntimeConfig(clock=lambda: a.now, http_timeout=5.0)
    if a.pointer is None:
        target = f"{source}releases/v1" if isinstance(source, str) else source / "releases/v1"
        return Registry.open(target, trust=a.trust, cache_dir=cache, config=config)
    return Registry.open(source, trust=a.trust, channel="production", cache_dir=cache,
                         config=config)  # fmt: skip


def _seed_serial(cache: Path, a: Artifacts) -> set[str]:
    if a.highest_seen is not None:
        key = cache_key(a.trust.chain, "channel", "production")
        Cache(cache).record_serial(key, a.highest_seen, tuple(a.trust.release.keys))
    return cache_files(cache) if cache.exists() else set()


def test_the_untampered_world_opens(tmp_path: Path) -> None:
    a = make_world().good()
    _write(tmp_path / "pub", a)
    reg = _open(tmp_path / "pub", a, tmp_path / "c")
    assert reg.status.release == "v1"
    assert any(f.startswith("blobs/") for f in cache_files(tmp_path / "c"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampered_release_is_refused_from_a_directory(tmp_path: Path, case: TamperCase) -> None:
    a = case.mutate(make_world())
    _write(tmp_path / "pub", a)
    before = _seed_serial(tmp_path / "c", a)
    with pytest.raises(case.error) as info:
        _open(tmp_path / "pub", a, tmp_path / "c")
    assert type(info.value) is case.error
    assert re.search(case.message, str(info.value)), str(info.value)
    assert cache_files(tmp_path / "c") == before


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampered_release_is_refused_over_http(
    tmp_path: Path, http_root: Served, case: TamperCase
) -> None:
    a = case.mutate(make_world())
    _write(http_root.root, a)
    before = _seed_serial(tmp_path / "c", a)
    with pytest.raises(case.error) as info:
        _open(http_root.url, a, tmp_path / "c")
    assert re.search(case.message, str(info.value)), str(info.value)
    assert cache_files(tmp_path / "c") == before

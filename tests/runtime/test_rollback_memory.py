"""Rollback memory: release directories bound to their signed names, serials remembered
per trust chain (not per URL), and the memory of a fast-forwarded serial dropped once the
key that signed it is revoked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promptops.errors import BundleError, RollbackError
from promptops.runtime import Registry, TrustRoot
from tests.runtime.conftest import Served
from tests.runtime.fixtures import (
    ALICE,
    BOB,
    CI,
    CONFIG,
    TRUST,
    compiled,
    policy,
    publish,
    write_chain,
)


def _greet(text: str) -> dict[str, object]:
    return {"greet": compiled("greet", [("user", text + " {{ name }}", "substitute")],
                              properties={"name": {"type": "string"}})}  # fmt: skip


def test_an_old_release_copied_into_a_newer_release_directory_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish(site, _greet("old"), release="v1", serial=1)
    publish(site, _greet("new"), release="v3", serial=3, commit="b" * 40)
    shutil.rmtree(site / "releases" / "v3")
    shutil.copytree(site / "releases" / "v1", site / "releases" / "v3")  # a malicious mirror
    with pytest.raises(
        BundleError,
        match=r"^releases/v3 holds the signed manifest of release v1 \(serial 1\): a release "
        r"directory must hold the release it is named after",
    ):
        Registry.open(site / "releases" / "v3", trust=TRUST, config=CONFIG)


def test_a_release_directory_remembers_its_serial(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site, _greet("a"), release="v3", serial=3)
    Registry.open(site / "releases" / "v3", trust=TRUST, cache_dir=cache, config=CONFIG)
    # The same name signed again with a lower serial (a re-signed old manifest).
    publish(site, _greet("b"), release="v3", serial=2, commit="b" * 40)
    with pytest.raises(
        RollbackError, match=r"^releases/v3: serial 2 is lower than serial 3 already seen"
    ):
        Registry.open(site / "releases" / "v3", trust=TRUST, cache_dir=cache, config=CONFIG)


def test_rollback_memory_follows_the_trust_root_not_the_url(
    tmp_path: Path, http_root: Served
) -> None:
    cache = tmp_path / "cache"
    publish(http_root.root, _greet("two"), release="v2", serial=2, commit="b" * 40)
    Registry.open(http_root.url, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)
    # The same releases reached another way (a local mirror, another host name)...
    mirror = tmp_path / "mirror"
    shutil.copytree(http_root.root, mirror)
    publish(mirror, _greet("one"), release="v1", serial=1)  # ...re-pointed at an old serial
    with pytest.raises(RollbackError, match="serial 1 is lower than serial 2 already seen"):
        Registry.open(mirror, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)


def test_revoking_the_key_behind_a_fast_forwarded_serial_lifts_it(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    shipped = TrustRoot.from_dict(policy(("alice", "bob")))
    open_ = lambda: Registry.open(  # noqa: E731
        site, trust=shipped, channel="production", cache_dir=cache, config=CONFIG
    )
    # A stolen release key (alice) signs serial 1,000,000 and the channel key points at it.
    publish(site, _greet("evil"), release="evil", serial=1_000_000, keys=(ALICE,),
            pointer_keys=(CI,))  # fmt: skip
    open_()
    publish(site, _greet("good"), release="v5", serial=5, keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(RollbackError, match="serial 5 is lower than serial 1000000"):
        open_()
    # The owners revoke alice: the memory of what only she signed no longer holds.
    write_chain(site, shipped, policy(("bob",), revoked=("alice",)))
    assert open_().status.release == "v5"

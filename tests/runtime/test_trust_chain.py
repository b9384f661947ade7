"""The trust chain, walked by the runtime from the trust root an application ships with:
key rotation reaches applications without a redeploy, and every way to forge or skip a
trust version is refused (through ``Registry.open``, as an application meets it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promptops.errors import BundleError, SignatureError
from promptops.release.trust_versions import next_root, sign_trust
from promptops.runtime import Registry, TrustRoot
from promptops.runtime.policy import trust_document
from tests.runtime.conftest import Served
from tests.runtime.fixtures import (
    ALICE,
    BOB,
    CI,
    CONFIG,
    ROOT_KEY,
    cache_files,
    policy,
    publish,
    write_chain,
)

SHIPPED = TrustRoot.from_dict(policy())  # version 1: root, release alice, channel ci
ROTATED = policy(("bob",), revoked=("alice",))  # alice revoked, bob releases


def _open(site: Path | str, cache: Path | None = None, trust: object = SHIPPED) -> Registry:
    return Registry.open(site, trust=trust, channel="production", cache_dir=cache, config=CONFIG)  # type: ignore[arg-type]


def test_an_app_walks_the_chain_and_accepts_the_rotated_release_key(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_chain(site, SHIPPED, ROTATED, policy(("bob",), revoked=("alice",), channel=("ci",)))
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    reg = _open(site)
    assert (reg.status.release, reg.status.trust_version) == ("v1", 3)


def test_without_the_chain_the_new_key_is_not_trusted(tmp_path: Path) -> None:
    publish(tmp_path / "site", keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(SignatureError, match=r"0 of 1 required signatures of the release role"):
        _open(tmp_path / "site")


def test_a_revoked_key_is_refused_once_the_app_walked_past_its_revocation(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_chain(site, SHIPPED, ROTATED)
    publish(site, keys=(ALICE,), pointer_keys=(CI,))
    with pytest.raises(SignatureError, match=r"\(alice\) is revoked"):
        _open(site)


def test_the_newest_trust_version_is_remembered_in_the_cache(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    write_chain(site, SHIPPED, ROTATED)
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    _open(site, cache)
    # A mirror that withholds the trust chain and serves a release by the revoked key:
    # the app still ships version 1, but remembers version 2.
    shutil.rmtree(site / "trust")
    publish(site, release="v2", serial=2, commit="b" * 40, keys=(ALICE,), pointer_keys=(CI,))
    with pytest.raises(SignatureError, match=r"\(alice\) is revoked"):
        _open(site, cache)
    assert any(f.startswith("trust/") for f in cache_files(cache))


def test_a_tampered_cached_trust_version_is_dropped_and_fetched_again(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    write_chain(site, SHIPPED, ROTATED)
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    _open(site, cache)
    (stored,) = (cache / "trust").glob("*/2.json")
    stored.write_bytes(stored.read_bytes().replace(b'"sig":"', b'"sig":"AAAA'))
    assert _open(site, cache).status.trust_version == 2
    assert b'"sig":"AAAA' not in stored.read_bytes()


def test_a_version_signed_without_the_previous_root_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # The attacker's root takes over: version 2 is signed by its own root only.
    hijack = next_root(SHIPPED, policy(("bob",), root=("bob",)))
    (site / "trust").mkdir(parents=True)
    (site / "trust" / "2.json").write_bytes(sign_trust(hijack, [BOB]))
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(
        SignatureError,
        match=r"^trust/2.json \(root of version 1\): 0 of 1 required signatures of the root "
        r"role \(signature by untrusted key [0-9a-f]{12}\)$",
    ):
        _open(site)


def test_a_version_not_signed_by_its_own_new_root_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    handover = next_root(SHIPPED, policy(root=("bob",), release=("alice",)))
    (site / "trust").mkdir(parents=True)
    (site / "trust" / "2.json").write_bytes(sign_trust(handover, [ROOT_KEY]))
    publish(site, keys=(ALICE,), pointer_keys=(CI,))
    with pytest.raises(
        SignatureError, match=r"^trust/2.json \(its own root\): 0 of 1 required signatures"
    ):
        _open(site)


def test_a_downgrade_or_replay_of_a_version_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_chain(site, SHIPPED, ROTATED)
    shutil.copy(site / "trust" / "2.json", site / "trust" / "3.json")  # version 2 replayed as 3
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(
        BundleError,
        match=r"^trust/3.json: holds version 2, expected 3; refusing a trust version out of "
        r"order \(a downgrade or a replay\)$",
    ):
        _open(site)


def test_a_gap_ends_the_walk(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_chain(site, SHIPPED, policy(), ROTATED)
    (site / "trust" / "2.json").unlink()  # version 3 (bob) is unreachable past the gap
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(SignatureError, match=r"0 of 1 required signatures of the release role"):
        _open(site)


def test_a_version_of_another_chain_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    other = TrustRoot.from_dict(policy(("bob",)))  # another organisation's chain, same root key
    foreign = next_root(other, policy(("bob",)))
    (site / "trust").mkdir(parents=True)
    (site / "trust" / "2.json").write_bytes(sign_trust(foreign, [ROOT_KEY]))
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    with pytest.raises(BundleError, match=r"^trust/2.json: belongs to trust chain [0-9a-f]{12}, "):
        _open(site)


def test_the_walk_works_over_http_and_from_a_release_directory(
    tmp_path: Path, http_root: Served
) -> None:
    write_chain(http_root.root, SHIPPED, ROTATED)
    publish(http_root.root, keys=(BOB,), pointer_keys=(CI,))
    assert _open(http_root.url).status.trust_version == 2
    direct = Registry.open(http_root.url + "releases/v1", trust=SHIPPED, config=CONFIG)
    assert direct.status.trust_version == 2
    local = Registry.open(http_root.root / "releases" / "v1", trust=SHIPPED, config=CONFIG)
    assert local.status.trust_version == 2


def test_an_app_may_ship_a_signed_trust_version_as_its_root(tmp_path: Path) -> None:
    site = tmp_path / "site"
    chain = write_chain(site, SHIPPED, ROTATED)
    publish(site, keys=(BOB,), pointer_keys=(CI,))
    shipped = tmp_path / "trust-1.json"
    shipped.write_bytes(sign_trust(SHIPPED, [ROOT_KEY]))
    assert _open(site, trust=shipped).status.trust_version == 2
    assert trust_document(chain[1])["chain"] == SHIPPED.chain
    forged = tmp_path / "forged.json"
    forged.write_bytes(sign_trust(SHIPPED, [BOB]))
    with pytest.raises(SignatureError, match=r"forged.json: trust/1.json: 0 of 1 required"):
        _open(site, trust=forged)


def test_the_same_policy_spelt_two_ways_is_one_chain() -> None:
    doc = policy()
    as_yaml_json = {**doc, "signers": [{**s, "not_after": "2030-01-01 00:00:00+00:00"}
                                       for s in doc["signers"]]}  # fmt: skip
    rfc3339 = {**doc, "signers": [{**s, "not_after": "2030-01-01T00:00:00Z"}
                                  for s in doc["signers"]]}  # fmt: skip
    assert TrustRoot.from_dict(as_yaml_json).chain == TrustRoot.from_dict(rfc3339).chain
    assert TrustRoot.from_dict(doc).chain != TrustRoot.from_dict(policy(("bob",))).chain

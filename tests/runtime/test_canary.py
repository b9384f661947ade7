"""A channel split between two releases (ADR 0018): both verified and cached, sticky
assignment by key, provenance naming the arm, rollback memory by pointer version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from promptops.errors import (
    BundleError,
    ExpiredError,
    ExpiredReleaseWarning,
    RollbackError,
    UsageError,
)
from promptops.runtime import Registry
from promptops.runtime.assign import Split, bucket
from tests.runtime.fixtures import CONFIG, NOW, TRUST, point, publish, two_releases

KEYS = [f"user-{i}" for i in range(100_000)]


def _open(site: Path, cache: Path | None = None, **config: Any) -> Registry:
    cfg = CONFIG._replace(**config) if config else CONFIG
    return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=cfg)


def _key_in(reg: Registry, arm: str) -> str:
    return next(k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == arm)


def _greeting(reg: Registry, key: object = None) -> str:
    req = reg.prompt("greet", key=key).render(name="Ada")  # type: ignore[arg-type]
    content: str = req.messages[-1]["content"]
    return content


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    two_releases(root)
    point(root, "v5", canary="v6", weight=1000, version=2)
    return root


def test_both_releases_are_served_and_provenance_names_release_and_arm(site: Path) -> None:
    reg = _open(site)
    status = reg.status
    assert (status.release, status.serial) == ("v5", 5)
    assert (status.canary, status.canary_serial, status.canary_weight) == ("v6", 6, 1000)
    seen = {}
    for key in KEYS[:200]:
        p = reg.prompt("greet", key=key)
        seen[p.provenance.arm] = (p.provenance.release, p.provenance.serial, _greeting(reg, key))
    assert seen == {
        "stable": ("v5", 5, "Say hello to Ada."),
        "canary": ("v6", 6, "Say hi to Ada."),
    }


def test_assignment_is_sticky_and_within_half_a_percent_of_the_weight(site: Path) -> None:
    # The "done when" figure: 100,000 keys, 10% canary, within 0.5 percentage points.
    reg = _open(site)
    in_canary = {k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == "canary"}
    assert abs(len(in_canary) / len(KEYS) - 0.10) < 0.005
    again = _open(site)  # another process, same signed salt: the same answer
    assert all(again.prompt("greet", key=k).provenance.arm == "canary" for k in in_canary)
    # Moving the weight keeps the salt: everyone in the 10% canary is in the 50% one.
    point(site, "v5", canary="v6", weight=5000, version=3)
    assert reg.refresh().canary_weight == 5000
    half = {k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == "canary"}
    assert in_canary <= half and abs(len(half) / len(KEYS) - 0.50) < 0.005


def test_assignment_is_a_hash_of_the_signed_salt_and_the_key() -> None:
    salt = bytes.fromhex("5a17" * 8)
    split = Split(salt, ("stable", "canary"), (9000, 1000))
    for key in KEYS[:1000]:
        assert split.choose(key) == ("stable" if bucket(salt, key) < 9000 else "canary")
    other = Split(bytes(16), ("stable", "canary"), (9000, 1000))
    assert [split.choose(k) for k in KEYS[:2000]] != [other.choose(k) for k in KEYS[:2000]]
    assert split.choose(17) == split.choose("17")  # an int key is its decimal text


def test_keys_are_str_or_int(site: Path) -> None:
    reg = _open(site)
    with pytest.raises(UsageError, match="an assignment key is a str or an int, not bytes"):
        reg.prompt("greet", key=b"user-1")  # type: ignore[arg-type]


def test_without_a_key_each_request_is_assigned_on_its_own(site: Path) -> None:
    reg = _open(site)
    arms = [reg.prompt("greet").provenance.arm for _ in range(20_000)]
    assert abs(arms.count("canary") / len(arms) - 0.10) < 0.01
    assert set(arms) == {"stable", "canary"}


def test_the_configured_assignment_key_decides_every_request(site: Path) -> None:
    stable_key = next(
        k for k in KEYS if _open(site).prompt("greet", key=k).provenance.arm == "stable"
    )
    reg = _open(site, assignment_key=stable_key)
    assert {reg.prompt("greet").provenance.arm for _ in range(500)} == {"stable"}
    canary_key = next(k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == "canary")
    assert reg.prompt("greet", key=canary_key).provenance.arm == "canary"  # key= wins


def test_the_tool_policy_checked_is_that_of_the_assigned_release(site: Path) -> None:
    reg = _open(site)
    stable_key = next(k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == "stable")
    canary_key = next(k for k in KEYS if reg.prompt("greet", key=k).provenance.arm == "canary")
    # v5's greet lists the lookup tool; v6's lists none.
    assert (
        reg.check_tool_call("greet", "lookup", {"user": "u"}, key=stable_key).verdict == "allowed"
    )
    assert reg.check_tool_call("greet", "lookup", {"user": "u"}, key=canary_key).verdict == "denied"


def test_both_releases_are_cached_and_served_offline(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    online = _open(site, cache)
    offline = _open(site, cache, offline=True)
    assert offline.status.from_cache and offline.status.canary == "v6"
    for key in KEYS[:300]:
        assert (
            offline.prompt("greet", key=key).provenance.arm
            == online.prompt("greet", key=key).provenance.arm
        )
    assert offline.prompt("greet", key=KEYS[0]).provenance.from_cache


def test_an_older_pointer_version_is_refused_across_processes(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old = (site / "channels" / "production.json").read_bytes()  # version 2, 10%
    point(site, "v5", canary="v6", weight=5000, version=3)
    _open(site, cache)
    (site / "channels" / "production.json").write_bytes(old)  # a mirror replays yesterday's
    with pytest.raises(RollbackError, match="pointer version 2 is older than pointer version 3"):
        _open(site, cache)


def test_an_abort_cannot_be_undone_by_replaying_the_canary_pointer(site: Path) -> None:
    reg = _open(site)
    canary_pointer = (site / "channels" / "production.json").read_bytes()
    point(site, "v5", version=3)  # abort: everything back to v5, a higher version
    status = reg.refresh()
    assert (status.release, status.canary) == ("v5", None)
    assert reg.prompt("greet", key=KEYS[0]).provenance.arm is None
    (site / "channels" / "production.json").write_bytes(canary_pointer)
    with pytest.raises(RollbackError, match="pointer version 2 is older"):
        reg.refresh()
    assert reg.status.canary is None and reg.status.stale  # v5 alone stays served


def test_promoting_the_canary_raises_the_floor_for_both_arms(site: Path) -> None:
    reg = _open(site)
    point(site, "v6", version=3)  # v6 to 100%
    assert reg.refresh().release == "v6"
    point(site, "v5", canary="v6", weight=1000, version=4)  # a stable arm below serial 6
    with pytest.raises(RollbackError, match="serial 5 is lower than serial 6 already seen"):
        reg.refresh()


def test_an_unversioned_pointer_is_refused_once_versions_were_seen(site: Path) -> None:
    reg = _open(site)
    point(site, "v5", version=None)  # written the old way, same stable release
    with pytest.raises(RollbackError, match="an unversioned pointer"):
        reg.refresh()


def test_a_canary_pointer_follows_an_unversioned_one(tmp_path: Path) -> None:
    root = tmp_path / "site"
    two_releases(root)
    point(root, "v5", version=None)  # a site published before this version of promptops
    reg = _open(root)
    assert reg.status.canary is None
    point(root, "v5", canary="v6", version=1)
    assert reg.refresh().canary == "v6"


def test_the_earliest_expiry_of_pointer_and_both_releases_counts(tmp_path: Path) -> None:
    root = tmp_path / "site"
    publish(root, release="v5", serial=5, channel=None)
    soon = NOW + dt.timedelta(days=2)
    publish(root, release="v6", serial=6, channel=None, expires=soon, commit="b" * 40)
    point(root, "v5", canary="v6", version=1)
    cache = tmp_path / "cache"
    assert _open(root, cache).status.expires == soon
    later = soon + dt.timedelta(days=1)
    with pytest.raises(ExpiredError, match=r"release v6 \(serial 6\) expired at"):
        _open(root, clock=lambda: later)
    with pytest.warns(ExpiredReleaseWarning, match="expired at"):
        cached = _open(root, cache, clock=lambda: later)
    assert cached.status.expired and cached.status.canary == "v6"
    assert cached.prompt("greet", key=KEYS[0]).provenance.expired


def test_a_canary_release_that_is_not_published_fails_the_load(tmp_path: Path) -> None:
    root = tmp_path / "site"
    two_releases(root)
    point(root, "v5", canary="v6", version=1)
    (root / "releases" / "v6" / "bundle.json").write_bytes(b"{}")
    with pytest.raises(BundleError, match="bundle"):
        _open(root)

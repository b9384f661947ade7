"""``promote --canary``, ``promote --abort`` and ``publish --refresh`` of canary pointers
(ADR 0018), on a static tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.release import (
    abort_canary,
    canary_weight,
    create_release,
    promote,
    publish,
    refresh_pointers,
)
from promptops.runtime.pointer import ChannelPointer, verify_channel_pointer
from tests.helpers import commit_all
from tests.release.conftest import DAYS_90, NOW, Signed

DAY = dt.timedelta(days=1)


def _releases(s: Signed, *names: str) -> None:
    for i, name in enumerate(names):
        if i:
            greet = s.root / "prompts" / "greet.yaml"
            greet.write_text(greet.read_text().replace("Say hello", f"Say hello ({name})"))
            commit_all(s.root, name)
        create_release(s.root, name, [s.key], now=NOW, expires_in=DAYS_90, out=s.dist)


def _pointer(s: Signed) -> ChannelPointer:
    data = (s.dist / "channels" / "production.json").read_bytes()
    return verify_channel_pointer(data, s.trust, now=NOW)


def _promote(s: Signed, name: str, canary: float | None = None) -> None:
    weight = canary_weight(canary) if canary is not None else None
    promote(s.dist, name, "production", [s.key], now=NOW, expires_in=DAY, trust=s.trust,
            canary=weight)  # fmt: skip


def test_a_canary_from_10_to_50_to_100_percent(signed: Signed) -> None:
    _releases(signed, "v1", "v2")
    _promote(signed, "v1")
    assert _pointer(signed).version == 1
    _promote(signed, "v2", 10)
    p10 = _pointer(signed)
    assert (p10.release, p10.canary and p10.canary.release) == ("v1", "v2")
    assert (p10.stable_weight, p10.version) == (9000, 2)
    _promote(signed, "v2", 50)
    p50 = _pointer(signed)
    assert (p50.stable_weight, p50.version, p50.salt) == (5000, 3, p10.salt)  # same salt
    _promote(signed, "v2")
    p100 = _pointer(signed)
    assert (p100.release, p100.canary, p100.version) == ("v2", None, 4)


def test_abort_sends_everything_back_to_the_stable_release(signed: Signed) -> None:
    _releases(signed, "v1", "v2")
    _promote(signed, "v1")
    _promote(signed, "v2", 10)
    result = abort_canary(signed.dist, "production", [signed.key], now=NOW, expires_in=DAY,
                          trust=signed.trust)  # fmt: skip
    assert (result.release, result.canary, result.previous_canary) == ("v1", None, "v2")
    pointer = _pointer(signed)
    assert (pointer.release, pointer.canary, pointer.version) == ("v1", None, 3)
    with pytest.raises(UsageError, match=r"channel 'production' has no canary to abort \(it "):
        abort_canary(signed.dist, "production", [signed.key], now=NOW, expires_in=DAY)


def test_a_new_canary_release_gets_a_new_salt(signed: Signed) -> None:
    _releases(signed, "v1", "v2", "v3")
    _promote(signed, "v1")
    _promote(signed, "v2", 10)
    first = _pointer(signed).salt
    _promote(signed, "v3", 10)
    pointer = _pointer(signed)
    assert pointer.canary is not None and pointer.canary.release == "v3"
    assert pointer.salt != first  # not the same 10% of users as guinea pigs every time


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "--canary takes a percentage above 0 and below 100 in steps of 0.01, not 0"),
        (100, "not 100; to send the whole channel to the release, promote it without --canary"),
        (-5, "not -5"),
        (12.345, "not 12.345"),
    ],
)
def test_canary_percentages_are_checked(value: float, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        canary_weight(value)


def test_percentages_become_basis_points() -> None:
    assert [canary_weight(v) for v in (10, 0.5, 12.25, 99.99)] == [1000, 50, 1225, 9999]


def test_a_canary_needs_a_stable_release_older_than_itself(signed: Signed) -> None:
    _releases(signed, "v1", "v2")
    with pytest.raises(UsageError, match="serves no release yet, so there is nothing to split"):
        _promote(signed, "v2", 10)
    _promote(signed, "v2")
    with pytest.raises(UsageError, match="a canary tries a newer release, and v2 has serial 2"):
        _promote(signed, "v2", 10)


def test_refresh_re_signs_a_canary_with_a_higher_version_and_the_same_split(
    signed: Signed, tmp_path: Path
) -> None:
    _releases(signed, "v1", "v2")
    _promote(signed, "v1")
    _promote(signed, "v2", 10)
    before = _pointer(signed)
    later = NOW + dt.timedelta(hours=20)
    result = refresh_pointers(signed.dist, [signed.key], now=later, expires_in=DAY,
                              trust=signed.trust)  # fmt: skip
    assert [r.describe() for r in result.refreshed] == [
        "v1 (serial 1), canary v2 (serial 2) at 10%"
    ]
    after = _pointer(signed)
    assert after._replace(version=0, expires=NOW, signed=None) == before._replace(
        version=0, expires=NOW, signed=None
    )
    assert (after.version, after.expires) == (before.version + 1, later + DAY)


def test_publish_copies_a_pointer_only_if_it_is_newer(signed: Signed, tmp_path: Path) -> None:
    _releases(signed, "v1", "v2")
    _promote(signed, "v1")
    site = tmp_path / "site"
    publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=DAY)
    # The site re-signs its pointer a few times: its version runs ahead of dist's.
    for _ in range(3):
        refresh_pointers(site, [signed.key], now=NOW, expires_in=DAY, trust=signed.trust)
    site_pointer = (site / "channels" / "production.json").read_bytes()
    publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=DAY)
    assert (site / "channels" / "production.json").read_bytes() == site_pointer  # dist's is older
    _promote(signed, "v2")  # dist version 2 < site version 4, but a newer release
    publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=DAY)
    pointer = verify_channel_pointer(
        (site / "channels" / "production.json").read_bytes(), signed.trust, now=NOW
    )
    assert (pointer.release, pointer.version) == ("v2", 2)

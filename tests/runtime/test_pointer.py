"""Channel pointers v1 and v2 (canary): the trusted core's parsing and ordering (ADR 0018)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from promptops.canonical import canonical_bytes
from promptops.errors import BundleError, RollbackError, SignatureError
from promptops.release.manifest import PointerSpec, envelope_bytes, sign_pointer
from promptops.runtime.pointer import (
    CHANNEL_PAYLOAD_TYPE,
    CanaryArm,
    check_pointer_matches,
    check_pointer_version,
    pointer_order,
    read_pointer_unverified,
    verify_channel_pointer,
)
from tests.runtime.fixtures import EXPIRES, KEY, NOW, SALT, TRUST, release_files

A, B = "a" * 64, "b" * 64


def _spec(**change: Any) -> PointerSpec:
    fields: dict[str, Any] = {
        "channel": "production",
        "release": "v5",
        "serial": 5,
        "bundle_sha256": A,
        "bundle_size": 100,
        "expires": EXPIRES,
        "version": 3,
        "canary": CanaryArm("v6", 6, B, 200, 1000),
        "salt": SALT,
    }
    fields.update(change)
    return PointerSpec(**fields)


def _payload(spec: PointerSpec) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(spec.payload())
    return value


def _signed(payload: dict[str, Any]) -> bytes:
    return envelope_bytes(canonical_bytes(payload), CHANNEL_PAYLOAD_TYPE, [KEY])


def test_a_canary_pointer_round_trips() -> None:
    pointer = verify_channel_pointer(sign_pointer(_spec(), [KEY]), TRUST, now=NOW)
    assert (pointer.release, pointer.serial, pointer.bundle_sha256) == ("v5", 5, A)
    assert pointer.canary == CanaryArm("v6", 6, B, 200, 1000)
    assert (pointer.version, pointer.salt, pointer.stable_weight) == (3, SALT, 9000)
    assert pointer.describe() == "release v5, serial 5; canary v6, serial 6 at 10%"


def test_the_canary_payload_is_canonical_json_of_a_new_type() -> None:
    payload = _payload(_spec())
    assert payload["_type"] == "https://promptops.dev/channel/v2"
    assert [(a["arm"], a["release"], a["weight"]) for a in payload["arms"]] == [
        ("stable", "v5", 9000),
        ("canary", "v6", 1000),
    ]
    assert canonical_bytes(payload) == _spec().payload()


def test_a_pointer_of_one_release_stays_v1_and_readable_without_a_version() -> None:
    old = PointerSpec("production", "v5", 5, A, 100, EXPIRES)  # as written before versions
    assert "version" not in _payload(old) and "_type" not in _payload(old)
    assert verify_channel_pointer(sign_pointer(old, [KEY]), TRUST, now=NOW).version == 0
    new = _spec(canary=None, salt=None)
    payload = _payload(new)
    assert (payload["_type"], payload["version"]) == ("https://promptops.dev/channel/v1", 3)
    pointer = verify_channel_pointer(sign_pointer(new, [KEY]), TRUST, now=NOW)
    assert (pointer.version, pointer.canary, pointer.salt) == (3, None, None)


def _arms(payload: dict[str, Any], index: int, **change: Any) -> dict[str, Any]:
    arms = [dict(a) for a in payload["arms"]]
    arms[index].update(change)
    return {**payload, "arms": arms}


CANARY = _payload(_spec())
TWO = "a canary pointer has exactly two arms, stable and canary"
WEIGHT = "arm 1: weight must be an integer from 1 to 9999 (basis points), found 0"
VERSION = "version must be an integer from 1 to 999999999, found None"
NO_VERSION = {k: v for k, v in CANARY.items() if k != "version"}
V3 = "https://promptops.dev/channel/v3"
BAD_CANARY_POINTERS = [
    ({**CANARY, "arms": CANARY["arms"][:1]}, TWO),
    ({**CANARY, "arms": [*CANARY["arms"], CANARY["arms"][1]]}, TWO),
    ({**CANARY, "arms": CANARY["arms"][::-1]}, "arm 0: expected arm 'stable', found 'canary'"),
    (_arms(CANARY, 0, weight=8000), "arm weights sum to 9000, not 10000"),
    (_arms(CANARY, 1, weight=0), WEIGHT),
    (_arms(CANARY, 1, weight=10.5), "found 10.5"),
    (_arms(CANARY, 1, serial=5), "the canary arm's serial 5 must be higher than the stable arm's"),
    (_arms(CANARY, 1, serial=4), "the canary arm's serial 4 must be higher"),
    (_arms(CANARY, 1, release="../v6"), "release name must match"),
    ({**CANARY, "salt": "00"}, "salt must be 32 lowercase hex digits, found '00'"),
    ({**CANARY, "salt": None}, "salt must be 32 lowercase hex digits, found None"),
    (NO_VERSION, VERSION),
    ({**CANARY, "version": 0}, "found 0"),
    ({**CANARY, "version": 10**9}, "found 1000000000"),
    ({**CANARY, "version": True}, "found True"),
    ({**CANARY, "_type": V3}, "a format this promptops does not read"),
]


@pytest.mark.parametrize(("payload", "message"), BAD_CANARY_POINTERS)
def test_malformed_canary_pointers_are_refused(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(BundleError, match=re.escape(message)):
        verify_channel_pointer(_signed(payload), TRUST, now=NOW)


def test_a_salt_changed_after_signing_breaks_the_signature() -> None:
    envelope = json.loads(sign_pointer(_spec(), [KEY]))
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["salt"] = "0" * 32  # a mirror picking which users get the canary
    envelope["payload"] = base64.b64encode(canonical_bytes(payload)).decode()
    with pytest.raises(SignatureError, match=r"0 of 1 required signatures of the channel role"):
        verify_channel_pointer(json.dumps(envelope).encode(), TRUST, now=NOW)


def test_unverified_reading_is_for_authoring_tools_only() -> None:
    pointer = read_pointer_unverified(sign_pointer(_spec(), [KEY]))
    assert pointer.signers == () and pointer.canary is not None


def test_the_canary_arm_must_match_the_canary_release() -> None:
    _, envelope = release_files(release="v6", serial=6)
    from promptops.runtime.trust import verify_manifest

    manifest = verify_manifest(envelope, TRUST, now=NOW)
    pointer = verify_channel_pointer(sign_pointer(_spec(), [KEY]), TRUST, now=NOW)
    with pytest.raises(
        BundleError,
        match=r"the canary arm of channel 'production' names bundle sha256 b{64}, but the "
        r"release manifest says",
    ):
        check_pointer_matches(pointer, manifest, canary=True)
    arm = CanaryArm("v6", 6, manifest.bundle_sha256, manifest.bundle_size, 1000)
    good = verify_channel_pointer(sign_pointer(_spec(canary=arm), [KEY]), TRUST, now=NOW)
    check_pointer_matches(good, manifest, canary=True)
    with pytest.raises(BundleError, match="names release v5, but the release manifest says v6"):
        check_pointer_matches(good, manifest)  # the stable arm is v5


def _pointer(**change: Any) -> Any:
    return verify_channel_pointer(sign_pointer(_spec(**change), [KEY]), TRUST, now=NOW)


def test_pointers_are_ordered_by_stable_serial_then_version() -> None:
    assert pointer_order(_pointer(version=9)) < pointer_order(_pointer(version=10))
    newer_release = _pointer(release="v6", serial=6, version=1, canary=None, salt=None)
    assert pointer_order(_pointer(version=999)) < pointer_order(newer_release)


def test_an_older_pointer_version_of_the_same_release_is_refused() -> None:
    seen = pointer_order(_pointer(version=4))
    check_pointer_version(_pointer(version=4), seen)
    check_pointer_version(_pointer(version=5), seen)
    with pytest.raises(
        RollbackError,
        match=r"channel 'production': pointer version 3 is older than pointer version 4 of "
        r"serial 5 already seen \(release v5, serial 5; canary v6, serial 6 at 10%\)",
    ):
        check_pointer_version(_pointer(version=3), seen)
    unversioned = verify_channel_pointer(
        sign_pointer(PointerSpec("production", "v5", 5, A, 100, EXPIRES), [KEY]), TRUST, now=NOW
    )
    with pytest.raises(RollbackError, match=r"an unversioned pointer .* is older than"):
        check_pointer_version(unversioned, seen)

"""The trust policy: roles, the single-role form, and the refusals that keep it one
meaning (a key listed twice, a threshold below one, a role that could never sign)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import SignatureError
from promptops.release.manifest import sign_manifest
from promptops.runtime.dsse import STATEMENT_PAYLOAD_TYPE, Role, sign_envelope, verify_envelope
from promptops.runtime.policy import TrustRoot
from promptops.runtime.trust import verify_manifest
from tests.release.tamper_cases import make_world, signer
from tests.runtime.fixtures import ALICE, BOB, CI, NOW, policy

W = make_world()


def test_roles_are_separate() -> None:
    root = TrustRoot.from_dict(policy(("alice", "bob")))
    assert not root.single_role
    assert {k.name for k in root.release.keys.values()} == {"alice", "bob"}
    assert {k.name for k in root.channel.keys.values()} == {"ci"}
    assert {k.name for k in root.root.keys.values()} == {"root"}


def test_the_single_role_form_serves_all_three_roles() -> None:
    root = TrustRoot.from_dict({"threshold": 1, "signers": [signer("alice", ALICE)]})
    assert root.single_role and root.root == root.release._replace(name="root")
    assert verify_manifest(W.manifest([W.alice]), W.trust(), now=NOW).release == "v1"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"threshold": 1, "signers": [signer("alice", ALICE), signer("again", ALICE)]},
            r"key id [0-9a-f]{12} is listed twice \(signers 'alice' and 'again'\)",
        ),
        (
            {"signers": [signer("alice", ALICE), {**signer("alice", ALICE), "revoked": True}]},
            r"key id [0-9a-f]{12} is listed twice",
        ),
        (
            {"signers": [signer("alice", ALICE), signer("alice", BOB)]},
            r"signer name 'alice' is used by two keys",
        ),
        (
            {"threshold": 0, "signers": [signer("alice", ALICE)]},
            r"threshold must be an integer >= 1",
        ),
        ({**policy(), "threshold": 1}, r"a top-level 'threshold' and 'roles' together"),
        (
            {**policy(), "roles": {**policy()["roles"], "channel": None}},
            r"role 'channel' is missing",
        ),
        (
            {**policy(), "roles": {**policy()["roles"], "admin": {"signers": []}}},
            r"unknown role 'admin'",
        ),
        (
            {
                **policy(),
                "roles": {**policy()["roles"], "release": {"threshold": 1, "signers": ["eve"]}},
            },
            r"role 'release' names signer 'eve', which 'signers' does not list",
        ),
        (
            {
                **policy(),
                "roles": {**policy()["roles"], "release": {"threshold": 2, "signers": ["alice"]}},
            },
            r"role 'release' needs 2 signatures but lists 1 signer\(s\); it could never sign: "
            r"name at least 2 of 'signers' in roles.release.signers$",
        ),
        ({**policy(), "version": 2}, r"version 2 must name its chain"),
        ({**policy(), "chain": "0" * 64}, r"version 1 starts a chain"),
        ({"signers": [{**signer("a", ALICE), "scheme": "rsa"}]}, r"only 'ed25519' is supported"),
    ],
)
def test_malformed_policies_are_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        TrustRoot.from_dict(doc)


def test_a_threshold_below_one_is_refused_everywhere() -> None:
    with pytest.raises(SignatureError, match=r"threshold must be an integer >= 1, not 0"):
        TrustRoot.from_keys([ALICE.public_key()], threshold=0)
    # A role built by hand with threshold 0 still needs one good signature.
    hollow = Role("release", {}, 0)
    env = json.dumps(sign_envelope(b"{}", STATEMENT_PAYLOAD_TYPE, [BOB])).encode()
    with pytest.raises(SignatureError, match=r"0 of 1 required signatures"):
        verify_envelope(env, hollow, expected_type=STATEMENT_PAYLOAD_TYPE, now=NOW)


def test_a_channel_key_never_makes_a_release() -> None:
    root = TrustRoot.from_dict(policy(("alice",)))
    spec = W.spec
    with pytest.raises(SignatureError, match=r"\(ci\), which the release role does not list"):
        verify_manifest(sign_manifest(spec, W.bundle, [CI]), root, now=NOW)
    assert verify_manifest(sign_manifest(spec, W.bundle, [ALICE]), root, now=NOW).serial == 1


def test_key_windows_apply_at_verification_time() -> None:
    late = NOW + dt.timedelta(days=400)
    doc = {"signers": [{**signer("alice", ALICE), "not_after": NOW.isoformat()}]}
    root = TrustRoot.from_dict(doc)
    env = sign_manifest(W.spec, W.bundle, [ALICE])
    assert verify_manifest(env, root, now=NOW, check_expiry=False)
    with pytest.raises(SignatureError, match="is not valid after"):
        verify_manifest(env, root, now=late, check_expiry=False)


def test_an_unused_stranger_key_is_still_untrusted() -> None:
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureError, match="signature by untrusted key"):
        verify_manifest(sign_manifest(W.spec, W.bundle, [stranger]), W.trust(), now=NOW)

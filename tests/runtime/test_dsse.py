from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.errors import BundleError, SignatureError
from promptops.release.manifest import sign_manifest
from promptops.runtime.dsse import (
    STATEMENT_PAYLOAD_TYPE,
    TrustRoot,
    keyid_of,
    pae,
    sign_envelope,
    verify_envelope,
)
from promptops.runtime.pages import check_pages, cut_pages
from promptops.runtime.trust import PREDICATE_TYPE_V1, verify_release
from tests.release.tamper_cases import make_bundle, make_world, prompt_digests

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
_KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
_TRUST = TrustRoot.from_keys([_KEY.public_key()])


def test_pae_matches_the_dsse_spec_example() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_same_key_twice_counts_once() -> None:
    key = Ed25519PrivateKey.generate()
    env = json.dumps(sign_envelope(b"{}", STATEMENT_PAYLOAD_TYPE, [key, key])).encode()
    trust = TrustRoot.from_keys([key.public_key()], threshold=2)
    with pytest.raises(SignatureError, match="1 of 2 required signatures of the release role"):
        verify_envelope(env, trust.release, expected_type=STATEMENT_PAYLOAD_TYPE, now=NOW)


# --- interoperability with securesystemslib's DSSE (the signing side's library) ---
# Key ids differ by convention: securesystemslib hashes its JSON key dict, promptops the
# raw public key. The mapping is explicit: sslib keys are built with promptops' key id.


def _sslib_key(key: Ed25519PrivateKey) -> Any:
    from securesystemslib.signer import SSlibKey

    return SSlibKey.from_crypto(key.public_key(), keyid=keyid_of(key.public_key()))


def test_promptops_verifies_a_securesystemslib_envelope() -> None:
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import CryptoSigner

    key = Ed25519PrivateKey.generate()
    envelope = Envelope(b'{"hello":"world"}', STATEMENT_PAYLOAD_TYPE, {})
    envelope.sign(CryptoSigner(key, _sslib_key(key)))
    data = json.dumps(envelope.to_dict()).encode()
    role = TrustRoot.from_keys([key.public_key()]).release
    verified = verify_envelope(data, role, expected_type=STATEMENT_PAYLOAD_TYPE, now=NOW)
    assert verified.payload == b'{"hello":"world"}'
    assert verified.signers == (keyid_of(key.public_key()),)


def test_securesystemslib_verifies_a_promptops_envelope() -> None:
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError

    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    env = sign_envelope(b'{"hello":"world"}', STATEMENT_PAYLOAD_TYPE, [key])
    accepted = Envelope.from_dict(json.loads(json.dumps(env))).verify([_sslib_key(key)], 1)
    assert list(accepted) == [keyid_of(key.public_key())]
    with pytest.raises(VerificationError):
        Envelope.from_dict(json.loads(json.dumps(env))).verify([_sslib_key(other)], 1)


@settings(max_examples=40, deadline=None)
@given(payload=st.binary(max_size=2048), payload_type=st.text(min_size=1, max_size=40))
def test_sign_verify_round_trip(payload: bytes, payload_type: str) -> None:
    env = json.dumps(sign_envelope(payload, payload_type, [_KEY])).encode()
    verified = verify_envelope(env, _TRUST.release, expected_type=payload_type, now=NOW)
    assert verified.payload == payload


@settings(max_examples=40, deadline=None)
@given(bundle=st.binary(max_size=4096), flip=st.integers(min_value=0))
def test_release_round_trip_and_any_flipped_bit_is_refused(bundle: bytes, flip: int) -> None:
    # Any bytes at all: a release/v1 manifest, which signs digests rather than reading
    # the bundle's index (the subject check is the same for both forms).
    spec = replace(make_world().spec, predicate_type=PREDICATE_TYPE_V1)
    envelope = sign_manifest(spec, bundle, [_KEY])
    manifest = verify_release(envelope, bundle, _TRUST, now=NOW)
    assert manifest.bundle_size == len(bundle)
    if bundle:
        at = flip % len(bundle)
        tampered = bundle[:at] + bytes([bundle[at] ^ 0x80]) + bundle[at + 1 :]
        with pytest.raises(BundleError, match="modified after signing"):
            verify_release(envelope, tampered, _TRUST, now=NOW)


_IDS = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,12}(/[a-z0-9][a-z0-9_.-]{0,8}){0,2}", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(
    ids=st.sets(_IDS, max_size=700),
    page=st.integers(min_value=1, max_value=300),
    flip=st.integers(min_value=0),
)
def test_a_v2_release_signs_pages_that_describe_its_bundle_and_any_flipped_bit_is_refused(
    ids: set[str], page: int, flip: int
) -> None:
    bundle = make_bundle({i: {"id": i, "n": len(i)} for i in ids}, "a" * 40)
    table = cut_pages(bundle, page)
    assert table.prompt_count == len(ids) and len(table.firsts) == -(-len(ids) // page)
    assert check_pages(table, bundle) == bundle.index(b',"prompts":') + len(b',"prompts":')
    spec = replace(make_world().spec, prompts=prompt_digests(bundle))
    envelope = sign_manifest(spec, bundle, [_KEY])
    manifest = verify_release(envelope, bundle, _TRUST, now=NOW)
    assert manifest.prompt_count == len(ids)
    at = flip % len(bundle)
    tampered = bundle[:at] + bytes([bundle[at] ^ 0x80]) + bundle[at + 1 :]
    with pytest.raises(BundleError):
        verify_release(envelope, tampered, _TRUST, now=NOW)

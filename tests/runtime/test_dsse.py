from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import SignatureError
from promptops.runtime.dsse import (
    STATEMENT_PAYLOAD_TYPE,
    TrustRoot,
    pae,
    sign_envelope,
    verify_envelope,
)

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def test_pae_matches_the_dsse_spec_example() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_same_key_twice_counts_once() -> None:
    key = Ed25519PrivateKey.generate()
    env = json.dumps(sign_envelope(b"{}", STATEMENT_PAYLOAD_TYPE, [key, key])).encode()
    trust = TrustRoot.from_keys([key.public_key()], threshold=2)
    with pytest.raises(SignatureError, match="1 of 2 required trusted signatures"):
        verify_envelope(env, trust, expected_type=STATEMENT_PAYLOAD_TYPE, now=NOW)

"""The runtime's SHA-256 (from cryptography)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from promptops.runtime.digest import sha256_hex


@given(st.binary(max_size=4096))
def test_sha256_hex_is_hashlibs_sha256(data: bytes) -> None:
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()

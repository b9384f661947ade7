"""The runtime's SHA-256 (from cryptography) and the background read of a cached bundle."""

from __future__ import annotations

import hashlib
import threading

from hypothesis import given
from hypothesis import strategies as st

from promptops.runtime.digest import BackgroundRead, sha256_hex


@given(st.binary(max_size=4096))
def test_sha256_hex_is_hashlibs_sha256(data: bytes) -> None:
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_background_read_returns_the_bytes_and_their_digest_from_another_thread() -> None:
    seen: list[str] = []

    def read() -> tuple[bytes, str]:
        seen.append(threading.current_thread().name)
        return b"bundle", sha256_hex(b"bundle")

    job = BackgroundRead("key", read)
    assert job.result() == (b"bundle", hashlib.sha256(b"bundle").hexdigest())
    assert job.result() == (b"bundle", hashlib.sha256(b"bundle").hexdigest())  # idempotent
    assert job.key == "key" and seen == ["promptops-hash"]


def test_background_read_reports_nothing_read_when_the_read_fails() -> None:
    def missing() -> tuple[bytes, str] | None:
        return None

    def broken() -> tuple[bytes, str]:
        raise OSError("disk gone")

    assert BackgroundRead("k", missing).result() == (None, None)
    assert BackgroundRead("k", broken).result() == (None, None)

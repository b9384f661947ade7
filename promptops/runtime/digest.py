"""SHA-256 for the runtime, computed by ``cryptography``.

``cryptography`` is loaded for Ed25519 anyway and carries its own OpenSSL; ``hashlib`` would
load the system's libcrypto next to it, about 3 ms of every cold start for the same
SHA-256. Hashing releases the GIL, which :class:`BackgroundRead` uses to hash a large cached
bundle on a second core while the release manifest is verified on the first.
"""

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.hashes import SHA256, Hash

__all__ = ["BackgroundRead", "Blob", "sha256_hex"]

if TYPE_CHECKING:
    from promptops.runtime.blob import FileBlob

    Blob = bytes | FileBlob
else:
    # At run time only an annotation (a typing.Union with a forward reference costs ~0.8 ms
    # of every cold start); FileBlob values are accepted all the same.
    Blob = bytes
"""A bundle's bytes: in memory (fetched), or a cached file hashed once and read where
needed (:class:`~promptops.runtime.blob.FileBlob`). Never mapped: a mapped file truncated
by someone else kills the process with SIGBUS."""


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    h = Hash(SHA256())
    h.update(data)
    return h.finalize().hex()


class BackgroundRead:
    """``read()`` (bytes and their SHA-256, or None), run on another thread.

    ``read`` must not raise (a cache read returns ``None`` for anything missing or
    damaged); if it does anyway, the result is ``(None, None)`` and the caller falls back
    to reading in the foreground.
    """

    def __init__(self, key: str, read: Callable[[], tuple[Blob, str] | None]) -> None:
        self.key = key
        self._read = read
        self._result: tuple[Blob | None, str | None] = (None, None)
        self._thread = threading.Thread(target=self._run, name="promptops-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._read() or (None, None)
        except Exception:  # reported as "nothing read", never raised on this thread
            self._result = (None, None)

    def result(self) -> tuple[Blob | None, str | None]:
        """``(data, sha256 hex)``, or ``(None, None)``; waits for the thread."""
        self._thread.join()
        return self._result

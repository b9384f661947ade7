"""SHA-256 for the runtime, computed by ``cryptography``.

``cryptography`` is loaded for Ed25519 anyway and carries its own OpenSSL; ``hashlib`` would
load the system's libcrypto next to it, about 3 ms of every cold start for the same
SHA-256.
"""

from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.hashes import SHA256, Hash

__all__ = ["Blob", "sha256_hex"]

if TYPE_CHECKING:
    from promptops.runtime.blob import FileBlob

    Blob = bytes | FileBlob
else:
    # At run time only an annotation (a typing.Union with a forward reference costs ~0.8 ms
    # of every cold start); FileBlob values are accepted all the same.
    Blob = bytes
"""A bundle's bytes: in memory (fetched), or a cached file read where needed
(:class:`~promptops.runtime.blob.FileBlob`). Never mapped: a mapped file truncated by
someone else kills the process with SIGBUS."""


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    h = Hash(SHA256())
    h.update(data)
    return h.finalize().hex()

"""Canonical JSON: sorted keys, compact separators, UTF-8, no NaN.

Standard library only: the compiler writes it and the runtime hashes it, so both
sides must agree byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_bytes", "sha256_hex"]

# One encoder for every call: ``json.dumps`` with these options builds a new one each time,
# which costs about as much as encoding a small object (an eval hashes one per case).
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def canonical_bytes(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON bytes.

    Raises:
        ValueError: if ``value`` holds a float NaN or infinity.
        TypeError: if ``value`` holds something JSON cannot encode.
    """
    return _ENCODER.encode(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()

"""Canonical JSON: sorted keys, compact separators, UTF-8, no NaN.

Standard library only: the compiler writes it and the runtime hashes it, so both
sides must agree byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_bytes", "sha256_hex"]


def canonical_bytes(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON bytes.

    Raises:
        ValueError: if ``value`` holds a float NaN or infinity.
        TypeError: if ``value`` holds something JSON cannot encode.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()

"""Build and sign release manifests and channel pointers (ADR 0003).

The inverse of ``promptops.runtime.trust``: what is written here is exactly what the
trusted core parses, and the tests round-trip one through the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops import __version__
from promptops.canonical import canonical_bytes
from promptops.runtime.dsse import STATEMENT_PAYLOAD_TYPE, sign_envelope
from promptops.runtime.trust import (
    CHANNEL_PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    SUBJECT_NAME,
    format_time,
)

__all__ = ["PointerSpec", "ReleaseSpec", "envelope_bytes", "sign_manifest", "sign_pointer"]


@dataclass(frozen=True)
class ReleaseSpec:
    """Everything a release manifest states besides the bundle's own digest and size."""

    release: str
    serial: int
    commit: str | None
    tree: str | None
    prompts: Mapping[str, str]
    models: Mapping[str, str]
    created: dt.datetime
    expires: dt.datetime
    promptops_version: str = field(default=__version__)

    def statement(self, bundle: bytes) -> bytes:
        """The in-toto Statement v1 payload, canonical JSON."""
        return canonical_bytes(
            {
                "_type": STATEMENT_TYPE,
                "subject": [
                    {
                        "name": SUBJECT_NAME,
                        "digest": {"sha256": hashlib.sha256(bundle).hexdigest()},
                        "annotations": {"size": len(bundle)},
                    }
                ],
                "predicateType": PREDICATE_TYPE,
                "predicate": {
                    "release": self.release,
                    "serial": self.serial,
                    "commit": self.commit,
                    "tree": self.tree,
                    "prompts": dict(self.prompts),
                    "models": dict(self.models),
                    "promptops_version": self.promptops_version,
                    "created": format_time(self.created),
                    "expires": format_time(self.expires),
                },
            }
        )


@dataclass(frozen=True)
class PointerSpec:
    """A channel pointer: this channel serves this release until ``expires``."""

    channel: str
    release: str
    serial: int
    bundle_sha256: str
    bundle_size: int
    expires: dt.datetime

    def payload(self) -> bytes:
        """The pointer payload, canonical JSON."""
        return canonical_bytes(
            {
                "channel": self.channel,
                "release": self.release,
                "serial": self.serial,
                "bundle": {"sha256": self.bundle_sha256, "size": self.bundle_size},
                "expires": format_time(self.expires),
            }
        )


def envelope_bytes(payload: bytes, payload_type: str, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    """A signed DSSE envelope as canonical JSON plus a newline."""
    return canonical_bytes(sign_envelope(payload, payload_type, keys)) + b"\n"


def sign_manifest(spec: ReleaseSpec, bundle: bytes, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    """``release.dsse.json`` for ``bundle``, signed by every key in ``keys``."""
    return envelope_bytes(spec.statement(bundle), STATEMENT_PAYLOAD_TYPE, keys)


def sign_pointer(spec: PointerSpec, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    """``channels/<channel>.json``, signed by every key in ``keys``."""
    return envelope_bytes(spec.payload(), CHANNEL_PAYLOAD_TYPE, keys)

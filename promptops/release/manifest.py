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
from promptops.runtime.pages import cut_pages
from promptops.runtime.pointer import CANARY_TYPE, CHANNEL_TYPE, TOTAL_WEIGHT, CanaryArm
from promptops.runtime.trust import (
    CHANNEL_PAYLOAD_TYPE,
    PREDICATE_TYPE,
    PREDICATE_TYPE_V1,
    STATEMENT_TYPE,
    SUBJECT_NAME,
    format_time,
)

__all__ = ["PointerSpec", "ReleaseSpec", "envelope_bytes", "sign_manifest", "sign_pointer"]


@dataclass(frozen=True)
class ReleaseSpec:
    """Everything a release manifest states besides the bundle's own digest and size.

    ``predicate_type``: the manifest format. New releases are ``release/v2`` (the page
    table of the bundle's index, ADR 0019); ``release/v1`` (every prompt's digest) is
    written only to re-assemble what a release tag made before v2 was signed over.
    """

    release: str
    serial: int
    commit: str | None
    tree: str | None
    prompts: Mapping[str, str]
    models: Mapping[str, str]
    created: dt.datetime
    expires: dt.datetime
    promptops_version: str = field(default=__version__)
    predicate_type: str = PREDICATE_TYPE

    def statement(self, bundle: bytes) -> bytes:
        """The in-toto Statement v1 payload, canonical JSON.

        Raises:
            ValueError: if the bundle's index does not list exactly ``prompts``.
        """
        if self.predicate_type == PREDICATE_TYPE_V1:
            prompts: dict[str, object] = dict(self.prompts)
        elif self.predicate_type == PREDICATE_TYPE:
            table = cut_pages(bundle)
            if table.prompt_count != len(self.prompts):
                raise ValueError(
                    f"the bundle holds {table.prompt_count} prompts, not {len(self.prompts)}"
                )
            prompts = table.document()
        else:
            raise ValueError(f"unknown release manifest format {self.predicate_type!r}")
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
                "predicateType": self.predicate_type,
                "predicate": {
                    "release": self.release,
                    "serial": self.serial,
                    "commit": self.commit,
                    "tree": self.tree,
                    "prompts": prompts,
                    "models": dict(self.models),
                    "promptops_version": self.promptops_version,
                    "created": format_time(self.created),
                    "expires": format_time(self.expires),
                },
            }
        )


@dataclass(frozen=True)
class PointerSpec:
    """A channel pointer: this channel serves this release until ``expires``; with
    ``canary``, it sends ``canary.weight`` basis points of the traffic to that release
    instead, assigned by hashing keys with ``salt`` (ADR 0018).

    ``version`` orders the pointers of a channel: every new pointer gets a higher one
    (``None`` leaves it out, as pointers written before versions existed did).
    """

    channel: str
    release: str
    serial: int
    bundle_sha256: str
    bundle_size: int
    expires: dt.datetime
    version: int | None = None
    canary: CanaryArm | None = None
    salt: str | None = None

    def payload(self) -> bytes:
        """The pointer payload, canonical JSON (v1 for one release, v2 for a canary)."""
        bundle = {"sha256": self.bundle_sha256, "size": self.bundle_size}
        if self.canary is None:
            body: dict[str, object] = {
                "channel": self.channel,
                "release": self.release,
                "serial": self.serial,
                "bundle": bundle,
                "expires": format_time(self.expires),
            }
            if self.version is not None:
                body["_type"] = CHANNEL_TYPE
                body["version"] = self.version
            return canonical_bytes(body)
        c = self.canary
        return canonical_bytes(
            {
                "_type": CANARY_TYPE,
                "channel": self.channel,
                "version": self.version,
                "expires": format_time(self.expires),
                "salt": self.salt,
                "arms": [
                    {
                        "arm": "stable",
                        "release": self.release,
                        "serial": self.serial,
                        "bundle": bundle,
                        "weight": TOTAL_WEIGHT - c.weight,
                    },
                    {
                        "arm": "canary",
                        "release": c.release,
                        "serial": c.serial,
                        "bundle": {"sha256": c.bundle_sha256, "size": c.bundle_size},
                        "weight": c.weight,
                    },
                ],
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

"""Write the trust chain: ``policies/trust/N.json``, each a signed version of the policy.

The inverse of ``promptops.runtime.trust_chain``: what is signed here is exactly what the
runtime walks, and the tests walk what this writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.canonical import canonical_bytes
from promptops.errors import BundleError, SignatureError, UsageError
from promptops.release.manifest import envelope_bytes
from promptops.runtime.dsse import (
    Signature,
    VerifiedEnvelope,
    canonical_envelope,
    parse_envelope,
    sign_envelope,
)
from promptops.runtime.policy import TrustRoot, keyid_of
from promptops.runtime.trust_chain import (
    MAX_TRUST_BYTES,
    TRUST_PAYLOAD_TYPE,
    trust_payload,
)

__all__ = ["add_signatures", "next_root", "sign_trust", "trust_bytes"]


def trust_bytes(root: TrustRoot) -> bytes:
    """The canonical payload of ``root``'s trust version."""
    return canonical_bytes(trust_payload(root))


def sign_trust(root: TrustRoot, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    """``trust/<root.version>.json``: ``root`` signed by every key in ``keys``."""
    return envelope_bytes(trust_bytes(root), TRUST_PAYLOAD_TYPE, keys)


def add_signatures(envelope: bytes, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    """``envelope`` (a trust version) with signatures by ``keys`` added; a key that already
    signed is not added twice.

    Raises:
        UsageError: if ``envelope`` is not a trust version envelope.
    """
    try:
        parsed = parse_envelope(
            envelope, expected_type=TRUST_PAYLOAD_TYPE, max_bytes=MAX_TRUST_BYTES
        )
    except BundleError as exc:
        raise UsageError(f"not a trust version: {exc}") from None
    have = {str(s.keyid) for s in parsed.signatures}
    fresh = [k for k in keys if keyid_of(k.public_key()) not in have]
    added = sign_envelope(parsed.payload, TRUST_PAYLOAD_TYPE, fresh)["signatures"]
    signatures = [*parsed.signatures]
    for entry in added:
        signatures.append(Signature(entry["keyid"], b"", entry["sig"]))
    verified = VerifiedEnvelope(
        TRUST_PAYLOAD_TYPE,
        parsed.payload,
        tuple(str(s.keyid) for s in signatures),
        tuple(signatures),
    )
    return canonical_envelope(verified)


def next_root(previous: TrustRoot, document: Mapping[str, Any]) -> TrustRoot:
    """The trust root ``document`` (the shape of ``signers.yaml``) as the version after
    ``previous``, in ``previous``'s chain.

    Raises:
        UsageError: if ``document`` is not a valid trust policy.
    """
    doc = {
        k: v for k, v in json.loads(json.dumps(dict(document), default=str)).items()
        if k not in ("version", "chain")
    }  # fmt: skip
    doc.update(version=previous.version + 1, chain=previous.chain)
    try:
        return TrustRoot.from_dict(doc)
    except SignatureError as exc:
        raise UsageError(str(exc)) from None

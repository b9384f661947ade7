"""The trust chain: ``trust/N.json``, each version of the trust policy signed by the root
role of the version before it (and by its own), walked from the root an application ships
with, as TUF walks ``root.json`` versions.

Trusted core, no I/O: the I/O shell fetches ``trust/<N+1>.json`` and hands the bytes to
:func:`verify_next_version`; a gap ends the walk (the next file is missing), a version
signed by the wrong keys, a version number other than N+1 (downgrade, replay, skip) or a
version of another chain is refused.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from promptops.errors import BundleError, SignatureError
from promptops.runtime.dsse import (
    Envelope,
    VerifiedEnvelope,
    canonical_envelope,
    count_signatures,
    parse_envelope,
    require_threshold,
)
from promptops.runtime.jsonparse import parse_canonical
from promptops.runtime.policy import MAX_TRUST_BYTES, TrustRoot, trust_document

__all__ = [
    "MAX_TRUST_BYTES",
    "TRUST_PAYLOAD_TYPE",
    "TRUST_TYPE",
    "ChainWalk",
    "TrustVersion",
    "read_trust_unverified",
    "trust_payload",
    "verify_next_version",
    "verify_trust_root",
    "walk_chain",
    "walk_from",
]

TRUST_PAYLOAD_TYPE = "application/vnd.promptops.trust+json"
TRUST_TYPE = "https://promptops.dev/trust/v1"


class TrustVersion(NamedTuple):
    """A verified trust version, and what verified (see :attr:`envelope`)."""

    root: TrustRoot
    signed: VerifiedEnvelope

    @property
    def envelope(self) -> bytes:
        """The canonical envelope: the payload and the signatures that counted (what the
        cache stores). Computed on demand: a walk through cached versions stores nothing."""
        return canonical_envelope(self.signed)


def trust_payload(root: TrustRoot) -> dict[str, Any]:
    """The payload of ``trust/N.json`` for ``root``: its normalised document plus ``_type``."""
    return {"_type": TRUST_TYPE, **trust_document(root)}


def _parse(envelope: Envelope, where: str) -> TrustRoot:
    doc = parse_canonical(envelope.payload, where=where, max_bytes=MAX_TRUST_BYTES)
    if not isinstance(doc, dict):
        raise BundleError(f"{where}: signed payload is not a JSON object")
    if doc.get("_type") != TRUST_TYPE:
        raise BundleError(
            f"{where}: _type is {doc.get('_type')!r}, expected {TRUST_TYPE!r} (a newer "
            "promptops may have written it: upgrade)"
        )
    try:
        return TrustRoot.from_dict(doc)
    except SignatureError as exc:
        raise SignatureError(f"{where}: {exc}") from None


def verify_next_version(current: TrustRoot, data: bytes) -> TrustVersion:
    """Verify ``data`` as version ``current.version + 1`` of ``current``'s chain.

    It must be signed by the threshold of ``current``'s root role (the keys trusted to
    change the policy) and of its own root role (so the new root can sign its successor).
    Validity windows are not applied: the chain is history, walked as it was signed.

    Raises:
        BundleError: if it is malformed, not canonical, of another chain, or not exactly
            the next version.
        SignatureError: if either root role's threshold is not met.
    """
    expected = current.version + 1
    where = f"trust/{expected}.json"
    envelope = parse_envelope(data, expected_type=TRUST_PAYLOAD_TYPE, max_bytes=MAX_TRUST_BYTES)
    checked: dict[tuple[str, bytes], bool] = {}
    old_good, problems = count_signatures(envelope, current.root, None, checked, current.signers)
    require_threshold(current.root, old_good, problems, f"{where} (root of version "
                      f"{current.version})")  # fmt: skip
    new = _parse(envelope, where)
    if new.version != expected:
        raise BundleError(
            f"{where}: holds version {new.version}, expected {expected}; refusing a trust "
            "version out of order (a downgrade or a replay)"
        )
    if new.chain != current.chain:
        raise BundleError(
            f"{where}: belongs to trust chain {new.chain[:12]}, not {current.chain[:12]}"
        )
    new_good, problems = count_signatures(envelope, new.root, None, checked, new.signers)
    require_threshold(new.root, new_good, problems, f"{where} (its own root)")
    kept = {str(s.keyid): s for s in (*old_good, *new_good)}
    verified = VerifiedEnvelope(
        envelope.payload_type, envelope.payload, tuple(kept), tuple(kept.values())
    )
    return TrustVersion(new, verified)


def read_trust_unverified(data: bytes) -> TrustRoot:
    """Parse a trust version WITHOUT checking its signatures: for the tool that is still
    collecting them (``promptops trust sign``), never for deciding what to trust.

    Raises:
        BundleError, SignatureError: if it is malformed.
    """
    envelope = parse_envelope(data, expected_type=TRUST_PAYLOAD_TYPE, max_bytes=MAX_TRUST_BYTES)
    return _parse(envelope, "trust version")


def verify_trust_root(data: bytes, *, now: dt.datetime | None = None) -> TrustVersion:
    """Verify a ``trust/N.json`` on its own: signed by the threshold of its own root role.

    For an application that ships a trust version file as its trust root: the file is
    the anchor (as a shipped ``root.json`` is in TUF); its self-signature proves it is
    whole and usable, not that it is the newest.

    Raises:
        BundleError, SignatureError: as :func:`verify_next_version`.
    """
    envelope = parse_envelope(data, expected_type=TRUST_PAYLOAD_TYPE, max_bytes=MAX_TRUST_BYTES)
    root = _parse(envelope, "trust version")
    good, problems = count_signatures(envelope, root.root, now)
    require_threshold(root.root, good, problems, f"trust/{root.version}.json")
    verified = VerifiedEnvelope(
        envelope.payload_type, envelope.payload, tuple(str(s.keyid) for s in good), tuple(good)
    )
    return TrustVersion(root, verified)


class ChainWalk(NamedTuple):
    """How far a stored chain verifies from version 1 (what authoring tools check)."""

    verified: tuple[TrustRoot, ...]  # versions 1, 2, ... that verify, in order
    stopped: int | None = None  # the version that does not verify or follows a gap
    problem: BundleError | None = None  # why; None for a gap

    @property
    def newest(self) -> TrustRoot | None:
        return self.verified[-1] if self.verified else None


def walk_chain(versions: Mapping[int, bytes]) -> ChainWalk:
    """Verify ``versions`` (number -> bytes) from version 1 on, stopping at the first that
    does not verify or does not follow its predecessor."""
    verified: list[TrustRoot] = []
    for number in sorted(versions):
        if number != len(verified) + 1:
            return ChainWalk(tuple(verified), number)
        data = versions[number]
        try:
            root = (verify_trust_root(data) if not verified
                    else verify_next_version(verified[-1], data)).root  # fmt: skip
        except BundleError as exc:
            return ChainWalk(tuple(verified), number, exc)
        if root.version != number:
            problem = BundleError(f"trust/{number}.json: holds version {root.version}")
            return ChainWalk(tuple(verified), number, problem)
        verified.append(root)
    return ChainWalk(tuple(verified))


def walk_from(root: TrustRoot, versions: Mapping[int, bytes]) -> TrustRoot:
    """``root`` advanced through ``versions`` (number -> bytes) as far as they verify, as an
    application walks a published ``trust/`` directory.

    Raises:
        BundleError, SignatureError: if the next version is there but does not verify.
    """
    while root.version + 1 in versions:
        root = verify_next_version(root, versions[root.version + 1]).root
    return root

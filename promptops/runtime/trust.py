"""Release manifests and channel pointers: verify signed bytes, return trusted objects.

The trusted core shared by ``promptops verify`` and the runtime loader (ADR 0003), so the
two can never disagree. No I/O and no clock of its own: bytes and ``now`` in, verified
records out. Signatures are checked (``dsse.verify_envelope``) before any payload is
parsed. Standard library and ``cryptography`` only.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from promptops.errors import BundleError, ExpiredError, RollbackError
from promptops.runtime import _fields as f
from promptops.runtime._fields import RELEASE_NAME, format_time, parse_time
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.dsse import (
    MAX_ENVELOPE_BYTES,
    STATEMENT_PAYLOAD_TYPE,
    TrustRoot,
    VerifiedEnvelope,
    parse_envelope,
    verify_envelope,
)
from promptops.runtime.jsonparse import parse_canonical, parse_json
from promptops.runtime.pages import PageTable, check_index_end, check_pages, parse_page_table

# Channel pointers live in runtime/pointer.py (ADR 0018); re-exported for existing importers.
from promptops.runtime.pointer import (
    CHANNEL_PAYLOAD_TYPE,
    CHANNEL_TYPE,
    MAX_POINTER_BYTES,
    ChannelPointer,
    check_pointer_matches,
    pointer_expired_message,
    read_pointer_unverified,
    verify_channel_pointer,
)

__all__ = [
    "CHANNEL_PAYLOAD_TYPE",
    "CHANNEL_TYPE",
    "MAX_POINTER_BYTES",
    "PREDICATE_TYPE",
    "PREDICATE_TYPE_V1",
    "RELEASE_NAME",
    "STATEMENT_TYPE",
    "SUBJECT_NAME",
    "ChannelPointer",
    "ReleaseManifest",
    "check_not_rolled_back",
    "check_pointer_matches",
    "check_signed_pages",
    "format_time",
    "parse_time",
    "pointer_expired_message",
    "read_manifest_unverified",
    "read_pointer_unverified",
    "verify_bundle",
    "verify_channel_pointer",
    "verify_manifest",
    "verify_release",
]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
# v2 signs the bundle index's page table (runtime/pages.py); v1, which listed every
# prompt's digest, is still read: releases published before it stay loadable (ADR 0019).
PREDICATE_TYPE = "https://promptops.dev/release/v2"
PREDICATE_TYPE_V1 = "https://promptops.dev/release/v1"
_PREDICATE_TYPES = (PREDICATE_TYPE, PREDICATE_TYPE_V1)
SUBJECT_NAME = "bundle.json"


class ReleaseManifest(NamedTuple):
    """A release manifest whose signatures verified; describes exactly one bundle."""

    release: str
    serial: int
    commit: str | None
    tree: str | None
    bundle_sha256: str
    bundle_size: int
    # What authenticates each prompt: the page table of the bundle's index (release/v2),
    # or one digest per prompt id (release/v1).
    prompts: PageTable | Mapping[str, str]
    models: Mapping[str, str]
    promptops_version: str
    created: dt.datetime
    expires: dt.datetime
    signers: tuple[str, ...]
    signed: VerifiedEnvelope | None = None  # what the cache stores (canonical_envelope)

    @property
    def prompt_count(self) -> int:
        """How many prompts the release holds."""
        prompts = self.prompts
        return prompts.prompt_count if isinstance(prompts, PageTable) else len(prompts)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{where}: signed payload is not a JSON object")
    return value


def _parse_statement(
    payload: bytes, signers: tuple[str, ...], verified: VerifiedEnvelope | None = None
) -> ReleaseManifest:
    where = "manifest"
    statement = _object(parse_canonical(payload, where=where, max_bytes=len(payload)), where)
    if statement.get("_type") != STATEMENT_TYPE:
        raise BundleError(
            f"{where}: _type is {statement.get('_type')!r}, expected {STATEMENT_TYPE!r} "
            "(not an in-toto Statement v1)"
        )
    kind = statement.get("predicateType")
    if kind not in _PREDICATE_TYPES:
        newer = isinstance(kind, str) and kind.startswith("https://promptops.dev/release/")
        raise BundleError(
            f"{where}: predicateType is {kind!r}, expected {PREDICATE_TYPE!r} "
            + ("(a newer promptops wrote it: upgrade)" if newer else "(not a promptops release)")
        )
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise BundleError(f"{where}: expected exactly one subject, the bundle")
    subject = subjects[0]
    if subject.get("name") != SUBJECT_NAME:
        raise BundleError(
            f"{where}: subject is named {subject.get('name')!r}, expected {SUBJECT_NAME!r}"
        )
    digest = subject.get("digest")
    annotations = subject.get("annotations")
    if not isinstance(digest, dict) or not isinstance(annotations, dict):
        raise BundleError(f"{where}: subject needs 'digest' and 'annotations' objects")
    pred = f.field(statement, "predicate", dict, where)
    where = "manifest predicate"
    return ReleaseManifest(
        release=f.name(pred.get("release"), where),
        serial=f.serial(pred.get("serial"), where),
        commit=f.optional_oid(pred, "commit", where),
        tree=f.optional_oid(pred, "tree", where),
        bundle_sha256=f.digest(digest.get("sha256"), "manifest subject"),
        bundle_size=f.size(annotations.get("size"), "manifest subject"),
        prompts=parse_page_table(pred.get("prompts"), where)
        if kind == PREDICATE_TYPE
        else f.str_map(pred, "prompts", where),
        models=f.str_map(pred, "models", where),
        promptops_version=f.field(pred, "promptops_version", str, where),
        created=parse_time(pred.get("created"), f"{where}: 'created'"),
        expires=parse_time(pred.get("expires"), f"{where}: 'expires'"),
        signers=signers,
        signed=verified,
    )


def verify_manifest(
    envelope: bytes,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    check_expiry: bool = True,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> ReleaseManifest:
    """Verify a release manifest's signatures (the release role), then parse and check its
    statement, which must be canonical JSON.

    ``check_expiry=False`` is for digest pins, which name exact bytes and cannot be frozen.
    A runtime grace period is applied by the caller shifting ``now`` back.

    Raises:
        BundleError: if the envelope or statement is malformed, oversized or not canonical.
        SignatureError: if too few distinct keys of the release role signed it.
        ExpiredError: if the release expired before ``now`` (freeze protection).
    """
    verified = verify_envelope(
        envelope,
        trust.release,
        expected_type=STATEMENT_PAYLOAD_TYPE,
        now=now,
        max_bytes=max_bytes,
        known=trust.signers,
    )
    manifest = _parse_statement(verified.payload, verified.signers, verified)
    if check_expiry and manifest.expires < now:
        raise ExpiredError(manifest_expired_message(manifest))
    return manifest


def read_manifest_unverified(
    envelope: bytes, *, max_bytes: int = MAX_ENVELOPE_BYTES
) -> ReleaseManifest:
    """Parse a manifest WITHOUT checking its signatures (``signers`` is empty).

    For authoring tools laying out files they just produced (publish, promote, log);
    never for deciding whether to trust a release: use :func:`verify_manifest`.

    Raises:
        BundleError: if the envelope or statement is malformed.
    """
    payload = _unverified_payload(envelope, max_bytes)
    return _parse_statement(payload, ())


def check_signed_pages(manifest: ReleaseManifest, bundle: Blob, *, whole: bool = True) -> None:
    """Check that the page table a ``release/v2`` manifest signs describes ``bundle``'s
    index: every page (``whole``), or only where the index ends (a cached bundle, whose
    pages are each checked when first used, ADR 0019). Nothing to check for ``release/v1``.

    Raises:
        BundleError: if it does not.
    """
    table = manifest.prompts
    if not isinstance(table, PageTable):
        return
    try:
        if whole:
            check_pages(table, bundle)
        else:
            check_index_end(table, bundle)
    except BundleError as exc:
        raise BundleError(
            f"{exc}: release {manifest.release} signs this bundle with a page table that "
            "does not describe it; re-release it"
        ) from None


def verify_bundle(manifest: ReleaseManifest, bundle: Blob, sha256: str | None = None) -> None:
    """Check that ``bundle`` is exactly the subject of ``manifest``: size, then sha256;
    and that the page table the manifest signs describes its index.

    ``sha256``: the hex digest of ``bundle`` if the caller computed it already (a file
    hashed as it was read, :func:`~promptops.runtime.blob.read_hashed`).

    Raises:
        BundleError: naming how the bundle differs (truncated, appended, modified, from
            another release, or a manifest signed over other bytes).
    """
    if len(bundle) == manifest.bundle_size:
        actual = sha256_hex(bytes(bundle)) if sha256 is None else sha256
        if actual == manifest.bundle_sha256:
            check_signed_pages(manifest, bundle)
            return
    # Only a failure pays for the diagnosis (and its import).
    from promptops.runtime._bundle_check import diagnose_mismatch

    raise BundleError(diagnose_mismatch(manifest, bytes(bundle)))


def verify_release(
    envelope: bytes,
    bundle: bytes,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    check_expiry: bool = True,
) -> ReleaseManifest:
    """Verify a manifest and the bundle it signs; see :func:`verify_manifest`.

    Raises:
        BundleError, SignatureError, RollbackError: as :func:`verify_manifest` and
            :func:`verify_bundle`.
    """
    manifest = verify_manifest(envelope, trust, now=now, check_expiry=check_expiry)
    verify_bundle(manifest, bundle)
    return manifest


def _unverified_payload(envelope: bytes, max_bytes: int) -> bytes:
    env = parse_json(envelope, where="envelope", max_bytes=max_bytes)
    payload_type = env.get("payloadType") if isinstance(env, dict) else None
    if not isinstance(payload_type, str):
        raise BundleError("envelope: not a DSSE envelope (no payloadType)")
    return parse_envelope(envelope, expected_type=payload_type, max_bytes=max_bytes).payload


def manifest_expired_message(manifest: ReleaseManifest, suffix: str = "") -> str:
    """Why an expired release is refused, and how to fix it."""
    return (
        f"release {manifest.release} (serial {manifest.serial}) expired at "
        f"{format_time(manifest.expires)}; publish a new release{suffix}"
    )


def check_not_rolled_back(
    channel: str, serial: int, highest_seen: int | None, *, label: str | None = None
) -> None:
    """Refuse a serial lower than one already trusted on ``channel`` (or, named by
    ``label``, a release directory).

    Raises:
        RollbackError: if ``serial < highest_seen``.
    """
    if highest_seen is not None and serial < highest_seen:
        raise RollbackError(
            f"{label or f'channel {channel!r}'}: serial {serial} is lower than serial "
            f"{highest_seen} already "
            "seen; refusing a rollback (roll back by releasing the old content with a new serial)"
        )

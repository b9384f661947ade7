"""Release manifests and channel pointers: verify signed bytes, return trusted objects.

The trusted core shared by ``promptops verify`` and the runtime loader (ADR 0003), so the
two can never disagree. No I/O and no clock of its own: bytes and ``now`` in, verified
records out. Signatures are checked (``dsse.verify_envelope``) before any payload is
parsed. Standard library and ``cryptography`` only.
"""

import binascii
import datetime as dt
import json
from collections.abc import Mapping
from typing import NamedTuple

from promptops.errors import BundleError, RollbackError
from promptops.runtime import _fields as f
from promptops.runtime._fields import RELEASE_NAME, format_time, parse_time
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.dsse import (
    MAX_ENVELOPE_BYTES,
    STATEMENT_PAYLOAD_TYPE,
    TrustRoot,
    verify_envelope,
)

__all__ = [
    "CHANNEL_PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "RELEASE_NAME",
    "STATEMENT_TYPE",
    "SUBJECT_NAME",
    "ChannelPointer",
    "ReleaseManifest",
    "check_not_rolled_back",
    "check_pointer_matches",
    "format_time",
    "parse_time",
    "read_manifest_unverified",
    "read_pointer_unverified",
    "verify_bundle",
    "verify_channel_pointer",
    "verify_manifest",
    "verify_release",
]

CHANNEL_PAYLOAD_TYPE = "application/vnd.promptops.channel+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://promptops.dev/release/v1"
SUBJECT_NAME = "bundle.json"
# Channel pointers are a few hundred bytes; anything near this is an attack.
MAX_POINTER_BYTES = 64 * 1024


class ReleaseManifest(NamedTuple):
    """A release manifest whose signatures verified; describes exactly one bundle."""

    release: str
    serial: int
    commit: str | None
    tree: str | None
    bundle_sha256: str
    bundle_size: int
    prompts: Mapping[str, str]
    models: Mapping[str, str]
    promptops_version: str
    created: dt.datetime
    expires: dt.datetime
    signers: tuple[str, ...]


class ChannelPointer(NamedTuple):
    """A signed statement that a channel currently serves one release."""

    channel: str
    release: str
    serial: int
    bundle_sha256: str
    bundle_size: int
    expires: dt.datetime
    signers: tuple[str, ...]


def _parse_statement(payload: bytes, signers: tuple[str, ...]) -> ReleaseManifest:
    where = "manifest"
    statement = f.payload_object(payload, where)
    if statement.get("_type") != STATEMENT_TYPE:
        raise BundleError(
            f"{where}: _type is {statement.get('_type')!r}, expected {STATEMENT_TYPE!r} "
            "(not an in-toto Statement v1)"
        )
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise BundleError(
            f"{where}: predicateType is {statement.get('predicateType')!r}, "
            f"expected {PREDICATE_TYPE!r} (not a promptops release)"
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
        prompts=f.str_map(pred, "prompts", where),
        models=f.str_map(pred, "models", where),
        promptops_version=f.field(pred, "promptops_version", str, where),
        created=parse_time(pred.get("created"), f"{where}: 'created'"),
        expires=parse_time(pred.get("expires"), f"{where}: 'expires'"),
        signers=signers,
    )


def verify_manifest(
    envelope: bytes,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    check_expiry: bool = True,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> ReleaseManifest:
    """Verify a release manifest's signatures, then parse and check its statement.

    ``check_expiry=False`` is for digest pins, which name exact bytes and cannot be frozen.
    A runtime grace period is applied by the caller shifting ``now`` back.

    Raises:
        BundleError: if the envelope or statement is malformed or oversized.
        SignatureError: if too few distinct trusted keys signed it.
        RollbackError: if the release expired before ``now`` (freeze protection).
    """
    verified = verify_envelope(
        envelope, trust, expected_type=STATEMENT_PAYLOAD_TYPE, now=now, max_bytes=max_bytes
    )
    manifest = _parse_statement(verified.payload, verified.signers)
    if check_expiry and manifest.expires < now:
        raise RollbackError(
            f"release {manifest.release} (serial {manifest.serial}) expired at "
            f"{format_time(manifest.expires)}; publish a new release or re-sign it"
        )
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


def verify_bundle(manifest: ReleaseManifest, bundle: Blob, sha256: str | None = None) -> None:
    """Check that ``bundle`` is exactly the subject of ``manifest``: size, then sha256.

    ``sha256``: the hex digest of ``bundle`` if the caller computed it already (the runtime
    loader hashes a cached bundle on another thread while the manifest is verified).

    Raises:
        BundleError: naming how the bundle differs (truncated, appended, modified, from
            another release, or a manifest signed over other bytes).
    """
    if len(bundle) == manifest.bundle_size:
        actual = sha256_hex(bundle) if sha256 is None else sha256
        if actual == manifest.bundle_sha256:
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


def _parse_pointer(payload: bytes, signers: tuple[str, ...]) -> ChannelPointer:
    where = "channel pointer"
    obj = f.payload_object(payload, where)
    bundle = f.field(obj, "bundle", dict, where)
    return ChannelPointer(
        channel=f.name(obj.get("channel"), where, "channel"),
        release=f.name(obj.get("release"), where),
        serial=f.serial(obj.get("serial"), where),
        bundle_sha256=f.digest(bundle.get("sha256"), f"{where} bundle"),
        bundle_size=f.size(bundle.get("size"), f"{where} bundle"),
        expires=parse_time(obj.get("expires"), f"{where}: 'expires'"),
        signers=signers,
    )


def _unverified_payload(envelope: bytes, max_bytes: int) -> bytes:
    if len(envelope) > max_bytes:
        raise BundleError(f"envelope: {len(envelope)} bytes exceeds the limit of {max_bytes} bytes")
    try:
        env = json.loads(envelope)
        return binascii.a2b_base64(env["payload"], strict_mode=True)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, binascii.Error) as exc:
        raise BundleError(f"envelope: not a DSSE envelope ({exc})") from exc


def read_pointer_unverified(envelope: bytes) -> ChannelPointer:
    """Parse a channel pointer WITHOUT checking its signatures; see
    :func:`read_manifest_unverified`.

    Raises:
        BundleError: if the envelope or pointer is malformed.
    """
    return _parse_pointer(_unverified_payload(envelope, MAX_POINTER_BYTES), ())


def verify_channel_pointer(
    envelope: bytes,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    check_expiry: bool = True,
) -> ChannelPointer:
    """Verify a channel pointer's signatures, then parse it.

    Raises:
        BundleError: if the envelope or pointer is malformed or oversized.
        SignatureError: if too few distinct trusted keys signed it.
        RollbackError: if the pointer expired before ``now`` (freeze protection).
    """
    verified = verify_envelope(
        envelope, trust, expected_type=CHANNEL_PAYLOAD_TYPE, now=now, max_bytes=MAX_POINTER_BYTES
    )
    pointer = _parse_pointer(verified.payload, verified.signers)
    channel = pointer.channel
    if check_expiry and pointer.expires < now:
        raise RollbackError(
            f"channel {channel!r} pointer (release {pointer.release}, serial {pointer.serial}) "
            f"expired at {format_time(pointer.expires)}; run promptops promote to re-sign it"
        )
    return pointer


def check_pointer_matches(pointer: ChannelPointer, manifest: ReleaseManifest) -> None:
    """Refuse a pointer and a manifest that describe different releases (mix-and-match).

    Raises:
        BundleError: naming the first field that disagrees.
    """
    pairs = (
        ("release", pointer.release, manifest.release),
        ("serial", pointer.serial, manifest.serial),
        ("bundle sha256", pointer.bundle_sha256, manifest.bundle_sha256),
        ("bundle size", pointer.bundle_size, manifest.bundle_size),
    )
    for what, pointed, signed in pairs:
        if pointed != signed:
            raise BundleError(
                f"channel {pointer.channel!r} names {what} {pointed}, but the release manifest "
                f"says {signed}: pointer and release do not belong together (mix-and-match)"
            )


def check_not_rolled_back(channel: str, serial: int, highest_seen: int | None) -> None:
    """Refuse a serial lower than one already trusted on ``channel``.

    Raises:
        RollbackError: if ``serial < highest_seen``.
    """
    if highest_seen is not None and serial < highest_seen:
        raise RollbackError(
            f"channel {channel!r}: serial {serial} is lower than serial {highest_seen} already "
            "seen; refusing a rollback (roll back by releasing the old content with a new serial)"
        )

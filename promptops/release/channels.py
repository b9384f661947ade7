"""Channel pointers: ``promote`` points a channel at a release, ``refresh_pointers`` re-signs
every current pointer before it expires (what a scheduled CI job runs).

A pointer is signed by the channel role only and checked against it before it is written,
so a key that may not move channels is refused here rather than by every application.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import BundleError, RollbackError, SignatureError, UsageError
from promptops.fsutil import atomic_write_bytes, atomic_write_text
from promptops.release.layout import (
    BUNDLE_NAME,
    MANIFEST_NAME,
    channel_path,
    digest_path,
    release_dir,
)
from promptops.release.manifest import PointerSpec, sign_pointer
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import (
    ChannelPointer,
    ReleaseManifest,
    format_time,
    read_manifest_unverified,
    read_pointer_unverified,
    verify_bundle,
    verify_channel_pointer,
    verify_manifest,
)
from promptops.runtime.trust_chain import walk_from

__all__ = [
    "DEFAULT_POINTER_EXPIRY",
    "PromoteResult",
    "RefreshResult",
    "load_release",
    "promote",
    "refresh_pointers",
]

# Pointers are short-lived (TUF's timestamp role): a frozen mirror is noticed within a day.
DEFAULT_POINTER_EXPIRY = "1d"


@dataclass(frozen=True)
class PromoteResult:
    channel: str
    release: str
    serial: int
    previous_release: str | None
    previous_serial: int | None
    path: Path
    expires: dt.datetime | None = None


@dataclass(frozen=True)
class RefreshResult:
    """What ``refresh_pointers`` re-signed, and what it could not fix."""

    refreshed: tuple[PromoteResult, ...]
    problems: tuple[str, ...]  # e.g. a channel whose release itself expired


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc


def load_release(
    root: Path, name: str, trust: TrustRoot | None, now: dt.datetime
) -> tuple[ReleaseManifest, bytes, bytes]:
    """The manifest, envelope and bundle of ``root/releases/name``, verified against
    ``trust`` (release role, expiry not applied) when given.

    Raises:
        UsageError: if the files cannot be read.
        BundleError, SignatureError: if they do not belong together or do not verify.
    """
    directory = release_dir(root, name)
    envelope = _read(directory / MANIFEST_NAME)
    bundle = _read(directory / BUNDLE_NAME)
    if trust is not None:
        manifest = verify_manifest(envelope, trust, now=now, check_expiry=False)
    else:
        manifest = read_manifest_unverified(envelope)
    if manifest.release != name:
        raise BundleError(f"{directory}: holds the manifest of release {manifest.release!r}")
    verify_bundle(manifest, bundle)
    return manifest, envelope, bundle


def current_pointer(path: Path, trust: TrustRoot | None, now: dt.datetime) -> ChannelPointer | None:
    """The pointer at ``path`` (verified against the channel role of ``trust``, expiry not
    applied), or None if there is none.

    Raises:
        BundleError, SignatureError: if it does not verify.
    """
    if not path.exists():
        return None
    data = _read(path)
    if trust is not None:
        return verify_channel_pointer(data, trust, now=now, check_expiry=False)
    return read_pointer_unverified(data)


def _sign(
    spec: PointerSpec,
    keys: Sequence[Ed25519PrivateKey],
    trust: TrustRoot | None,
    now: dt.datetime,
) -> bytes:
    pointer = sign_pointer(spec, keys)
    if trust is not None:
        try:
            verify_channel_pointer(pointer, trust, now=now, check_expiry=False)
        except SignatureError as exc:
            raise SignatureError(
                f"these keys may not sign channel pointers: {exc}; sign with a key the "
                "channel role lists (the CI key), not a release key"
            ) from exc
    return pointer


def promote(
    root: Path,
    name: str,
    channel: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
) -> PromoteResult:
    """Point ``channel`` of the tree at ``root`` to release ``name`` with a signed pointer.

    Re-promoting the current release refreshes the pointer's expiry.

    Raises:
        UsageError: if the release files are missing.
        BundleError: if they are inconsistent (or, with ``trust``, untrusted).
        SignatureError: if ``keys`` do not satisfy the channel role of ``trust``.
        RollbackError: if the channel already serves a higher serial.
    """
    manifest, _, bundle = load_release(root, name, trust, now)
    path = channel_path(root, channel)
    current = current_pointer(path, trust, now)
    if current is not None and manifest.serial < current.serial:
        raise RollbackError(
            f"channel {channel!r} serves release {current.release} (serial {current.serial}); "
            f"refusing to move it back to {name} (serial {manifest.serial}): roll back with "
            "promptops rollback and a new release, which gets a higher serial"
        )
    spec = PointerSpec(
        channel=channel,
        release=name,
        serial=manifest.serial,
        bundle_sha256=manifest.bundle_sha256,
        bundle_size=len(bundle),
        expires=now + expires_in,
    )
    pointer = _sign(spec, keys, trust, now)
    atomic_write_text(digest_path(root, manifest.bundle_sha256), name + "\n")
    atomic_write_bytes(path, pointer)
    return PromoteResult(
        channel=channel,
        release=name,
        serial=manifest.serial,
        previous_release=current.release if current else None,
        previous_serial=current.serial if current else None,
        path=path,
        expires=spec.expires,
    )


def refresh_pointers(
    root: Path,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None,
) -> RefreshResult:
    """Re-sign every channel pointer of the tree at ``root`` with a new expiry, pointing at
    the same release (an expired pointer too: that is what a missed run leaves).

    Raises:
        UsageError: if the tree has no channels.
        BundleError, SignatureError: if a current pointer or its release does not verify,
            or ``keys`` may not sign pointers.
    """
    paths = sorted((root / "channels").glob("*.json")) if (root / "channels").is_dir() else []
    if not paths:
        raise UsageError(f"{root}: no channels/*.json to refresh; promote a release first")
    if trust is not None:
        # The tree's own trust chain, walked from the given root as applications walk it.
        folder = root / "trust"
        published = {int(p.stem): p.read_bytes() for p in folder.glob("*.json")
                     if p.stem.isdigit()} if folder.is_dir() else {}  # fmt: skip
        trust = walk_from(trust, published)
    refreshed: list[PromoteResult] = []
    problems: list[str] = []
    for path in paths:
        pointer = current_pointer(path, trust, now)
        assert pointer is not None
        manifest, _, _ = load_release(root, pointer.release, trust, now)
        if manifest.expires < now:
            problems.append(
                f"channel {pointer.channel!r}: release {manifest.release} itself expired at "
                f"{format_time(manifest.expires)}; refreshing its pointer cannot help: "
                "publish a new release"
            )
        spec = PointerSpec(
            channel=pointer.channel,
            release=pointer.release,
            serial=pointer.serial,
            bundle_sha256=pointer.bundle_sha256,
            bundle_size=pointer.bundle_size,
            expires=now + expires_in,
        )
        atomic_write_bytes(path, _sign(spec, keys, trust, now))
        refreshed.append(
            PromoteResult(
                channel=pointer.channel,
                release=pointer.release,
                serial=pointer.serial,
                previous_release=pointer.release,
                previous_serial=pointer.serial,
                path=path,
                expires=spec.expires,
            )
        )
    return RefreshResult(tuple(refreshed), tuple(problems))

"""Channel pointers: ``promote`` points a channel at a release (or, with ``canary``, splits
it between the current release and a newer one), ``abort_canary`` sends it all back to the
stable release. The pieces ``refresh`` shares with them (reading and checking a release,
the next pointer, signing it under the channel role) are here too.

A pointer is signed by the channel role only and checked against it before it is written,
so a key that may not move channels is refused here rather than by every application.
Every pointer written gets a higher version than the one it replaces (ADR 0018), so an
application that saw it refuses the older one from a mirror.
"""

from __future__ import annotations

import datetime as dt
import secrets
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
from promptops.runtime.pointer import TOTAL_WEIGHT, VERSIONS, CanaryArm, percent
from promptops.runtime.trust import (
    ChannelPointer,
    ReleaseManifest,
    read_manifest_unverified,
    read_pointer_unverified,
    verify_bundle,
    verify_channel_pointer,
    verify_manifest,
)

__all__ = [
    "DEFAULT_POINTER_EXPIRY",
    "PromoteResult",
    "abort_canary",
    "canary_weight",
    "load_release",
    "promote",
]

# Pointers are short-lived (TUF's timestamp role): a frozen mirror is noticed within a day.
DEFAULT_POINTER_EXPIRY = "1d"


@dataclass(frozen=True)
class PromoteResult:
    """What a channel serves now (``release``, and during a canary ``canary`` with its
    share in basis points) and what it served before. ``path``: where the pointer was
    written, a file of a tree or ``oci://HOST/REPOSITORY:channel-CHANNEL``."""

    channel: str
    release: str
    serial: int
    previous_release: str | None
    previous_serial: int | None
    path: Path | str
    expires: dt.datetime | None = None
    version: int = 0
    canary: str | None = None
    canary_serial: int | None = None
    canary_weight: int = 0
    previous_canary: str | None = None

    def describe(self) -> str:
        """``v5 (serial 5)``, or ``v5 (serial 5), canary v6 (serial 6) at 10%``."""
        text = f"{self.release} (serial {self.serial})"
        if self.canary is not None:
            text += (
                f", canary {self.canary} (serial {self.canary_serial}) at "
                f"{percent(self.canary_weight)}"
            )
        return text


def canary_weight(value: float) -> int:
    """A canary percentage (``10``, ``0.5``) in basis points.

    Raises:
        UsageError: if it is not above 0 and below 100, in steps of 0.01.
    """
    weight = round(value * 100)
    if not 0 < value < 100 or abs(value * 100 - weight) > 1e-6 or not 0 < weight < TOTAL_WEIGHT:
        raise UsageError(
            f"--canary takes a percentage above 0 and below 100 in steps of 0.01, not {value:g}; "
            "to send the whole channel to the release, promote it without --canary"
        )
    return weight


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
    envelope, bundle = read_release(root, name)
    where = str(release_dir(root, name))
    return check_release(envelope, bundle, name, trust, now, where), envelope, bundle


def read_release(root: Path, name: str) -> tuple[bytes, bytes]:
    """The envelope and bundle of ``root/releases/name``, unchecked.

    Raises:
        UsageError: if the release is not there or cannot be read.
    """
    directory = release_dir(root, name)
    if not (directory / MANIFEST_NAME).exists():
        # Promoting a release before publishing it there is the usual cause.
        raise UsageError(
            f"{directory / MANIFEST_NAME}: not found: {root} has no release {name}; publish "
            f"it there first (promptops publish {root}, from dist/ or --from-tags), or create "
            f"it (promptops release {name})"
        )
    return _read(directory / MANIFEST_NAME), _read(directory / BUNDLE_NAME)


def check_release(
    envelope: bytes,
    bundle: bytes,
    name: str,
    trust: TrustRoot | None,
    now: dt.datetime,
    where: str,
) -> ReleaseManifest:
    """The manifest of release ``name`` (read from ``where``), verified against ``trust``
    (release role, expiry not applied) when given, with ``bundle`` checked against it.

    Raises:
        BundleError, SignatureError: if they do not belong together or do not verify.
    """
    if trust is not None:
        manifest = verify_manifest(envelope, trust, now=now, check_expiry=False)
    else:
        manifest = read_manifest_unverified(envelope)
    if manifest.release != name:
        raise BundleError(f"{where}: holds the manifest of release {manifest.release!r}")
    verify_bundle(manifest, bundle)
    return manifest


def current_pointer(path: Path, trust: TrustRoot | None, now: dt.datetime) -> ChannelPointer | None:
    """The pointer at ``path`` (verified against the channel role of ``trust``, expiry not
    applied), or None if there is none.

    Raises:
        BundleError, SignatureError: if it does not verify.
    """
    return None if not path.exists() else check_pointer(_read(path), trust, now)


def check_pointer(data: bytes, trust: TrustRoot | None, now: dt.datetime) -> ChannelPointer:
    """The pointer ``data``, verified against the channel role of ``trust`` when given
    (expiry not applied: an expired pointer is what a refresh repairs).

    Raises:
        BundleError, SignatureError: if it does not verify.
    """
    if trust is not None:
        return verify_channel_pointer(data, trust, now=now, check_expiry=False)
    return read_pointer_unverified(data)


def sign_checked(
    spec: PointerSpec,
    keys: Sequence[Ed25519PrivateKey],
    trust: TrustRoot | None,
    now: dt.datetime,
) -> bytes:
    """``spec`` signed by ``keys``, checked against the channel role of ``trust``.

    Raises:
        SignatureError: if ``keys`` may not sign channel pointers.
    """
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


def _next_version(current: ChannelPointer | None) -> int:
    version = current.version + 1 if current is not None else 1
    if version >= VERSIONS:
        raise UsageError(f"channel pointer version {version} is past the last one ({VERSIONS - 1})")
    return version


def next_pointer(
    current: ChannelPointer,
    channel: str,
    expires: dt.datetime,
    canary: CanaryArm | None = None,
    salt: str | None = None,
) -> PointerSpec:
    """The pointer that follows ``current`` (the next version) and serves its stable
    release until ``expires``, with ``canary`` split off by ``salt``."""
    return PointerSpec(
        channel,
        current.release,
        current.serial,
        current.bundle_sha256,
        current.bundle_size,
        expires,
        _next_version(current),
        canary,
        salt,
    )


def moved(spec: PointerSpec, current: ChannelPointer | None, path: Path | str) -> PromoteResult:
    """What writing the pointer ``spec`` over ``current`` at ``path`` did."""
    canary = spec.canary
    return PromoteResult(
        channel=spec.channel,
        release=spec.release,
        serial=spec.serial,
        previous_release=current.release if current else None,
        previous_serial=current.serial if current else None,
        path=path,
        expires=spec.expires,
        version=spec.version or 0,
        canary=canary.release if canary else None,
        canary_serial=canary.serial if canary else None,
        canary_weight=canary.weight if canary else 0,
        previous_canary=current.canary.release if current and current.canary else None,
    )


def write_pointer(root: Path, spec: PointerSpec, pointer: bytes) -> Path:
    """Write the signed ``pointer`` of ``spec`` into the tree at ``root`` (with the
    ``digests/`` entries of the releases it names); its path.

    Raises:
        OSError: if the tree cannot be written.
    """
    atomic_write_text(digest_path(root, spec.bundle_sha256), spec.release + "\n")
    if spec.canary is not None:
        atomic_write_text(digest_path(root, spec.canary.bundle_sha256), spec.canary.release + "\n")
    path = channel_path(root, spec.channel)
    atomic_write_bytes(path, pointer)
    return path


def _write(
    root: Path,
    spec: PointerSpec,
    keys: Sequence[Ed25519PrivateKey],
    trust: TrustRoot | None,
    now: dt.datetime,
    current: ChannelPointer | None,
) -> PromoteResult:
    pointer = sign_checked(spec, keys, trust, now)
    return moved(spec, current, write_pointer(root, spec, pointer))


def promote(
    root: Path,
    name: str,
    channel: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
    canary: int | None = None,
) -> PromoteResult:
    """Point ``channel`` of the tree at ``root`` to release ``name`` with a signed pointer.

    With ``canary`` (basis points, see :func:`canary_weight`), ``name`` gets that share of
    the traffic and the channel's current (stable) release the rest: a canary pointer
    (ADR 0018). Moving the weight of the same canary keeps its salt, so keys assigned to
    the canary stay there as it grows; a new canary release gets a new salt. Without
    ``canary`` the whole channel moves to ``name`` (which ends a canary). Re-promoting the
    current release refreshes the pointer's expiry.

    Raises:
        UsageError: if the release files are missing, or a canary has no stable release
            to split with or is not newer than it.
        BundleError: if they are inconsistent (or, with ``trust``, untrusted).
        SignatureError: if ``keys`` do not satisfy the channel role of ``trust``, or a
            canary's current pointer does not verify against it.
        RollbackError: if the channel already serves a higher serial.
    """
    manifest, _, bundle = load_release(root, name, trust, now)
    path = channel_path(root, channel)
    try:
        current = current_pointer(path, trust, now)
    except SignatureError:
        if canary is not None:
            raise
        # Signed under a policy since rotated (its channel key left the role, or was
        # revoked): a whole move replaces it with content verified on its own and takes only
        # its order (serial: no moving back; version: numbering goes on). A canary would
        # carry its stable release over, so it still refuses it.
        current = current_pointer(path, None, now)
    if current is not None and manifest.serial < current.serial:
        raise RollbackError(
            f"channel {channel!r} serves release {current.release} (serial {current.serial}); "
            f"refusing to move it back to {name} (serial {manifest.serial}): roll back with "
            "promptops rollback and a new release, which gets a higher serial"
        )
    expires = now + expires_in
    if canary is None:
        version = _next_version(current)
        spec = PointerSpec(
            channel, name, manifest.serial, manifest.bundle_sha256, len(bundle), expires, version
        )
        return _write(root, spec, keys, trust, now, current)
    if current is None:
        raise UsageError(
            f"channel {channel!r} serves no release yet, so there is nothing to split with a "
            f"canary; promote a release to it first (without --canary)"
        )
    if manifest.serial <= current.serial:
        raise UsageError(
            f"channel {channel!r} serves release {current.release} (serial {current.serial}); "
            f"a canary tries a newer release, and {name} has serial {manifest.serial}"
        )
    same = current.canary is not None and current.canary.release == name
    salt = current.salt if same and current.salt else secrets.token_hex(16)
    arm = CanaryArm(name, manifest.serial, manifest.bundle_sha256, len(bundle), canary)
    spec = next_pointer(current, channel, expires, arm, salt)
    return _write(root, spec, keys, trust, now, current)


def abort_canary(
    root: Path,
    channel: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
) -> PromoteResult:
    """End the canary of ``channel``: a pointer (with a higher version) sending all the
    traffic back to its stable release.

    Raises:
        UsageError: if the channel has no pointer, or no canary.
        BundleError, SignatureError: if the current pointer or the stable release does not
            verify, or ``keys`` may not sign pointers.
    """
    current = current_pointer(channel_path(root, channel), trust, now)
    if current is None or current.canary is None:
        serving = f"it serves {current.release} only" if current else "it has no pointer"
        raise UsageError(f"channel {channel!r} has no canary to abort ({serving})")
    load_release(root, current.release, trust, now)  # still there, still verifies
    return _write(root, next_pointer(current, channel, now + expires_in), keys, trust, now, current)

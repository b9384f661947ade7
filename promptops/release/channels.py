"""``promote`` and ``publish``: signed channel pointers and the static published tree.

Writes are ordered so a reader of the tree never sees a pointer to files that are not
there yet: bundles, then manifests, then ``digests/``, then channel pointers last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import BundleError, RollbackError, UsageError
from promptops.fsutil import atomic_write_bytes, atomic_write_text
from promptops.release.from_tags import releases_from_tags
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
    read_manifest_unverified,
    read_pointer_unverified,
    verify_bundle,
    verify_channel_pointer,
    verify_manifest,
)

__all__ = ["PromoteResult", "PublishResult", "promote", "publish"]

MAX_RELEASES = 10_000


@dataclass(frozen=True)
class PromoteResult:
    channel: str
    release: str
    serial: int
    previous_release: str | None
    previous_serial: int | None
    path: Path


@dataclass(frozen=True)
class PublishResult:
    destination: Path
    releases: tuple[str, ...]
    channels: tuple[PromoteResult, ...]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc


def _load_release(
    root: Path, name: str, trust: TrustRoot | None, now: dt.datetime
) -> tuple[ReleaseManifest, bytes, bytes]:
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


def _current(path: Path, trust: TrustRoot | None, now: dt.datetime) -> ChannelPointer | None:
    if not path.exists():
        return None
    data = _read(path)
    if trust is not None:
        return verify_channel_pointer(data, trust, now=now, check_expiry=False)
    return read_pointer_unverified(data)


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
        RollbackError: if the channel already serves a higher serial.
    """
    manifest, _, bundle = _load_release(root, name, trust, now)
    path = channel_path(root, channel)
    current = _current(path, trust, now)
    if current is not None and manifest.serial < current.serial:
        raise RollbackError(
            f"channel {channel!r} serves release {current.release} (serial {current.serial}); "
            f"refusing to move it back to {name} (serial {manifest.serial}): roll back with "
            "promptops rollback and a new release, which gets a higher serial"
        )
    atomic_write_text(digest_path(root, manifest.bundle_sha256), name + "\n")
    spec = PointerSpec(
        channel=channel,
        release=name,
        serial=manifest.serial,
        bundle_sha256=manifest.bundle_sha256,
        bundle_size=len(bundle),
        expires=now + expires_in,
    )
    atomic_write_bytes(path, sign_pointer(spec, keys))
    return PromoteResult(
        channel=channel,
        release=name,
        serial=manifest.serial,
        previous_release=current.release if current else None,
        previous_serial=current.serial if current else None,
        path=path,
    )


def _release_names(source: Path) -> list[str]:
    releases = source / "releases"
    if not releases.is_dir():
        raise UsageError(f"{source}: no releases/ directory; run promptops release first")
    names = sorted(p.name for p in releases.iterdir() if (p / MANIFEST_NAME).is_file())
    if not names:
        raise UsageError(f"{releases}: holds no release; run promptops release first")
    if len(names) > MAX_RELEASES:
        raise UsageError(f"{releases}: more than {MAX_RELEASES} releases")
    return names


def _copy(target: Path, data: bytes, what: str) -> None:
    if target.exists():
        if target.read_bytes() != data:
            raise UsageError(
                f"{target}: already published with different content; {what} names are "
                "immutable, release under a new name"
            )
        return
    atomic_write_bytes(target, data)


def publish(
    source: Path,
    destination: Path,
    *,
    channel: str | None,
    keys: Sequence[Ed25519PrivateKey],
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
    tags_from: Path | None = None,
) -> PublishResult:
    """Lay the releases of ``source`` (a ``dist/``) out under ``destination`` (ADR 0003),
    then, with ``channel``, point it at the highest serial. With ``tags_from`` (a
    repository), release tags missing from ``source`` are first rebuilt and signed into it.

    Raises:
        UsageError: if ``source`` has no releases or ``destination`` holds a different
            release under the same name.
        BundleError, RollbackError: as :func:`promote`.
    """
    if tags_from is not None:
        releases_from_tags(tags_from, source, keys, now=now, expires_in=expires_in, trust=trust)
    loaded = [_load_release(source, name, trust, now) for name in _release_names(source)]
    for manifest, envelope, bundle in loaded:
        directory = release_dir(destination, manifest.release)
        _copy(directory / BUNDLE_NAME, bundle, "release")
        _copy(directory / MANIFEST_NAME, envelope, "release")
        atomic_write_text(digest_path(destination, manifest.bundle_sha256), manifest.release + "\n")
    promoted: list[PromoteResult] = []
    channels = source / "channels"
    if channels.is_dir() and source.resolve() != destination.resolve():
        for pointer_file in sorted(channels.glob("*.json")):
            pointer = read_pointer_unverified(_read(pointer_file))
            target = channel_path(destination, pointer.channel)
            existing = _current(target, None, now)
            if existing is None or existing.serial <= pointer.serial:
                atomic_write_bytes(target, _read(pointer_file))
    if channel is not None:
        newest = max(loaded, key=lambda item: item[0].serial)[0]
        promoted.append(
            promote(
                destination,
                newest.release,
                channel,
                keys,
                now=now,
                expires_in=expires_in,
                trust=trust,
            )
        )
    return PublishResult(
        destination=destination,
        releases=tuple(m.release for m, _, _ in loaded),
        channels=tuple(promoted),
    )

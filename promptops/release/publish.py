"""``publish``: lay releases, the trust chain and channel pointers out as a static tree.

Writes are ordered so a reader of the tree never sees a pointer to files that are not
there yet: trust versions, bundles, manifests, ``digests/``, then channel pointers last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import SignatureError, UsageError
from promptops.fsutil import atomic_write_bytes, atomic_write_text
from promptops.release.channels import PromoteResult, current_pointer, load_release, promote
from promptops.release.from_tags import releases_from_tags
from promptops.release.layout import (
    BUNDLE_NAME,
    MANIFEST_NAME,
    channel_path,
    digest_path,
    release_dir,
)
from promptops.release.trustfile import read_chain
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.pointer import pointer_order
from promptops.runtime.trust import (
    ReleaseManifest,
    read_manifest_unverified,
    read_pointer_unverified,
)
from promptops.runtime.trust_chain import walk_chain

__all__ = ["MAX_RELEASES", "PublishResult", "publish", "publish_trust_chain"]

MAX_RELEASES = 10_000


@dataclass(frozen=True)
class PublishResult:
    destination: Path
    releases: tuple[str, ...]
    channels: tuple[PromoteResult, ...]
    trust_versions: int = 0  # how many trust versions the tree now serves
    skipped: tuple[tuple[str, str], ...] = ()  # tags left out, and why


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


def _load_trusted(
    source: Path, trust: TrustRoot | None, now: dt.datetime
) -> tuple[list[tuple[ReleaseManifest, bytes, bytes]], tuple[tuple[str, str], ...]]:
    """The releases of ``source`` that verify, and older ones whose signers the trust policy
    in force no longer accepts (revoked since), left out with the reason.

    Raises:
        SignatureError: if the highest-serial release does not verify.
    """
    loaded: list[tuple[ReleaseManifest, bytes, bytes]] = []
    refused: list[tuple[int, str, SignatureError]] = []
    for name in _release_names(source):
        try:
            loaded.append(load_release(source, name, trust, now))
        except SignatureError as exc:
            serial = read_manifest_unverified(
                (release_dir(source, name) / MANIFEST_NAME).read_bytes()
            ).serial
            refused.append((serial, name, exc))
    newest = max((m.serial for m, _, _ in loaded), default=0)
    for serial, name, error in refused:
        if serial >= newest:
            raise SignatureError(f"release {name}: {error}") from error
    return loaded, tuple((name, str(error)) for _, name, error in refused)


def publish_trust_chain(repo: Path, destination: Path, ref: str | None = None) -> int:
    """Copy the verified prefix of the repository's trust chain (``policies/trust/N.json``
    at ``ref``, or in the working tree) to ``destination/trust/``; returns its length.

    A version that does not verify yet (still being signed) is not published: applications
    would refuse it, and everything after it.

    Raises:
        UsageError: if a published version differs from the repository's.
    """
    chain = read_chain(repo, ref)
    walk = walk_chain(chain)
    for root in walk.verified:
        _copy(destination / "trust" / f"{root.version}.json", chain[root.version], "trust version")
    return len(walk.verified)


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
    branch: str | None = None,
    repo: Path | None = None,
) -> PublishResult:
    """Lay the releases of ``source`` (a ``dist/``) out under ``destination`` (ADR 0003),
    with the trust chain of ``repo``; then, with ``channel``, point it at the highest serial.

    With ``tags_from`` (a repository), the release tags are first re-assembled into
    ``source`` from the signatures they carry (nothing is signed but channel pointers), and
    the trust chain comes from ``branch``; channel pointers in ``source`` are not copied
    then: a channel moves only when ``channel`` says so.

    Raises:
        UsageError: if ``source`` has no releases or ``destination`` holds a different
            release under the same name.
        BundleError, SignatureError, RollbackError: as :func:`promote` and
            :func:`releases_from_tags`.
    """
    chain_ref = None
    skipped: tuple[tuple[str, str], ...] = ()
    if tags_from is not None:
        if trust is None or branch is None:
            raise UsageError("publishing from tags needs the trust policy in force on a branch")
        skipped = releases_from_tags(tags_from, source, trust=trust, branch=branch, now=now).skipped
        repo, chain_ref = tags_from, branch
    versions = publish_trust_chain(repo, destination, chain_ref) if repo is not None else 0
    loaded, left_out = _load_trusted(source, trust, now)
    skipped += left_out
    for manifest, envelope, bundle in loaded:
        directory = release_dir(destination, manifest.release)
        _copy(directory / BUNDLE_NAME, bundle, "release")
        _copy(directory / MANIFEST_NAME, envelope, "release")
        atomic_write_text(digest_path(destination, manifest.bundle_sha256), manifest.release + "\n")
    promoted: list[PromoteResult] = []
    channels = source / "channels"
    if tags_from is None and channels.is_dir() and source.resolve() != destination.resolve():
        for pointer_file in sorted(channels.glob("*.json")):
            data = pointer_file.read_bytes()
            pointer = read_pointer_unverified(data)
            if trust is not None:
                current_pointer(pointer_file, trust, now)  # verifies it
            target = channel_path(destination, pointer.channel)
            existing = current_pointer(target, None, now)
            # Newer by stable serial, then by version (ADR 0018), as applications order them.
            if existing is None or pointer_order(existing) <= pointer_order(pointer):
                atomic_write_bytes(target, data)
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
        trust_versions=versions,
        skipped=skipped,
    )

"""``publish --refresh``: re-sign every channel pointer of a destination with a new expiry
before it runs out (what a scheduled CI job runs), pointing at the same release.

The decisions are made here once, for a static tree and an OCI registry alike; where the
pointers live is a :class:`PointerStore`, which only reads and writes bytes. Every channel
is read, checked and signed before anything is written, so a registry that fails midway
or keys that may not sign leave every pointer as it was; a channel that cannot be
re-signed is reported and the others are still refreshed (one broken channel must not let
the rest expire).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import BundleError, FetchError, SignatureError, UsageError
from promptops.release.channels import (
    PromoteResult,
    check_pointer,
    check_release,
    moved,
    next_pointer,
    read_release,
    sign_checked,
    write_pointer,
)
from promptops.release.layout import channel_path, release_dir
from promptops.release.manifest import PointerSpec
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import ChannelPointer, check_pointer_matches, format_time
from promptops.runtime.trust_chain import walk_from

__all__ = ["PointerStore", "RefreshResult", "TreeStore", "refresh", "refresh_pointers"]


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh re-signed, and what it could not fix."""

    refreshed: tuple[PromoteResult, ...]
    problems: tuple[str, ...]  # a channel not re-signed, or whose release itself expired


class PointerStore(Protocol):
    """Where the pointers of one destination live: reads and writes, no decisions."""

    @property
    def where(self) -> str:
        """The destination as a user names it (``--dir`` of the promote a message suggests)."""

    def channels(self) -> list[str]:
        """The channels that have a pointer, sorted.

        Raises:
            UsageError: if there are none.
        """

    def pointer_where(self, channel: str) -> str:
        """Where ``channel``'s pointer lives, for messages."""

    def pointer(self, channel: str) -> bytes:
        """The signed pointer of ``channel``, unchecked.

        Raises:
            UsageError: if it is gone.
        """

    def release(self, name: str) -> tuple[bytes, bytes, str]:
        """Release ``name``: its envelope and bundle, unchecked, and where they were read.

        Raises:
            UsageError: if the destination has no such release.
        """

    def trust_versions(self, after: int) -> Mapping[int, bytes]:
        """The destination's trust versions from ``after + 1`` on (more may be given)."""

    def write(self, spec: PointerSpec, pointer: bytes) -> Path | str:
        """Put the signed ``pointer`` of ``spec`` in place; where it went.

        Raises:
            UsageError: if the channel changed since it was read (it is left as it is).
        """


@dataclass(frozen=True)
class _Signed:
    spec: PointerSpec
    pointer: bytes
    current: ChannelPointer


def refresh(
    store: PointerStore,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None,
) -> RefreshResult:
    """Re-sign every channel pointer of ``store`` with a new expiry (an expired pointer too:
    that is what a missed run leaves): the same release, the same canary split and salt,
    the next version. With ``trust``, walked through the destination's own trust chain as
    applications walk it, each pointer and the releases it names must verify; a channel
    that does not is reported in ``problems`` and left as it is.

    Raises:
        UsageError: if the destination has no channels.
        BundleError, SignatureError: if its trust chain does not verify, or ``keys`` may not
            sign pointers (then nothing is written).
        FetchError: if a registry cannot be listed or refuses a push (a channel it fails
            to read is reported).
    """
    channels = store.channels()
    if trust is not None:
        trust = walk_from(trust, store.trust_versions(trust.version))
    signed: list[_Signed] = []
    problems: list[str] = []
    for channel in channels:
        try:
            current = _current(store, channel, trust, now)
            problems += _check_releases(store, current, trust, now)
        except _NotRefreshed as exc:
            problems.append(str(exc))
            continue
        # The same pointer (the same split and salt) with a higher version and a new expiry.
        spec = next_pointer(current, channel, now + expires_in, current.canary, current.salt)
        signed.append(_Signed(spec, sign_checked(spec, keys, trust, now), current))
    refreshed: list[PromoteResult] = []
    for one in signed:
        try:
            refreshed.append(moved(one.spec, one.current, store.write(one.spec, one.pointer)))
        except UsageError as exc:
            problems.append(str(exc))
    return RefreshResult(tuple(refreshed), tuple(problems))


class _NotRefreshed(Exception):
    """A channel left as it is; the message says why and what to do."""


def _current(
    store: PointerStore, channel: str, trust: TrustRoot | None, now: dt.datetime
) -> ChannelPointer:
    where = store.pointer_where(channel)
    try:
        current = check_pointer(store.pointer(channel), trust, now)
    except SignatureError as exc:
        raise _NotRefreshed(
            f"{where}: {exc}; a pointer signed before the channel key changed is not "
            "re-signed as it is: promote a release to the channel with the new key, which "
            f"replaces it (promptops promote NAME --channel {channel} --dir {store.where})"
        ) from exc
    except (BundleError, FetchError, UsageError) as exc:  # gone, garbled, not a pointer
        raise _NotRefreshed(f"{where}: {exc}; not re-signed") from exc
    if current.channel != channel:
        raise _NotRefreshed(
            f"{where}: holds the pointer of channel {current.channel!r}; not re-signed"
        )
    return current


def _check_releases(
    store: PointerStore, pointer: ChannelPointer, trust: TrustRoot | None, now: dt.datetime
) -> list[str]:
    """What to report about the releases ``pointer`` names: each must verify and match
    it, and one that itself expired is said (a refresh cannot help it).

    Raises:
        _NotRefreshed: if one is missing or does not verify.
    """
    problems = []
    arms = [(pointer.release, False)] + ([(pointer.canary.release, True)] if pointer.canary else [])
    for name, canary in arms:
        try:
            envelope, bundle, where = store.release(name)
            manifest = check_release(envelope, bundle, name, trust, now, where)
            check_pointer_matches(pointer, manifest, canary=canary)
        except (BundleError, FetchError, UsageError) as exc:
            raise _NotRefreshed(
                f"channel {pointer.channel!r}: release {name}: {exc}; its pointer is not "
                "re-signed (applications would refuse the release): promote a release that "
                f"verifies (promptops promote NAME --channel {pointer.channel} --dir "
                f"{store.where})"
            ) from exc
        if manifest.expires < now:
            problems.append(
                f"channel {pointer.channel!r}: release {manifest.release} itself expired at "
                f"{format_time(manifest.expires)}; refreshing its pointer cannot help: "
                "publish a new release"
            )
    return problems


class TreeStore:
    """The pointers of a static tree (``channels/C.json``, ``releases/``, ``trust/``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def where(self) -> str:
        return str(self.root)

    def channels(self) -> list[str]:
        folder = self.root / "channels"
        names = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
        if not names:
            raise UsageError(f"{self.root}: no channels/*.json to refresh; promote a release first")
        return names

    def pointer_where(self, channel: str) -> str:
        return str(channel_path(self.root, channel))

    def pointer(self, channel: str) -> bytes:
        path = channel_path(self.root, channel)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc

    def release(self, name: str) -> tuple[bytes, bytes, str]:
        return (*read_release(self.root, name), str(release_dir(self.root, name)))

    def trust_versions(self, after: int) -> Mapping[int, bytes]:
        folder = self.root / "trust"
        if not folder.is_dir():
            return {}
        return {int(p.stem): p.read_bytes() for p in folder.glob("*.json") if p.stem.isdigit()}

    def write(self, spec: PointerSpec, pointer: bytes) -> Path:
        return write_pointer(self.root, spec, pointer)


def refresh_pointers(
    root: Path,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None,
) -> RefreshResult:
    """:func:`refresh` for the tree at ``root``, walking its ``trust/`` chain.

    Raises:
        UsageError: if the tree has no channels.
        BundleError, SignatureError: as :func:`refresh`.
    """
    return refresh(TreeStore(root), keys, now=now, expires_in=expires_in, trust=trust)

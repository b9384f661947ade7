"""The runtime's trusted state: bytes in, verified objects out, no I/O.

One :class:`TrustedState` per load: it holds the trust root (advanced version by version
through the trust chain), the limits, the one clock reading of this operation and the
highest serial already trusted, and checks each artifact in the order the loader fetches
them (trust versions, pointer, manifest, bundle), so nothing is downloaded past the first
refusal. Signatures are checked by :mod:`promptops.runtime.trust`, the code ``promptops
verify`` runs too.
"""

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from promptops.errors import BundleError, ExpiredError
from promptops.runtime.bundle import Bundle, Repair
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import Blob
from promptops.runtime.pointer import (
    ChannelPointer,
    check_pointer_matches,
    check_pointer_version,
    pointer_expired_message,
    verify_channel_pointer,
)
from promptops.runtime.policy import Role, TrustRoot
from promptops.runtime.trust import (
    RELEASE_NAME,
    ReleaseManifest,
    check_not_rolled_back,
    check_signed_pages,
    manifest_expired_message,
    verify_bundle,
    verify_manifest,
)

if TYPE_CHECKING:
    from promptops.runtime.trust_chain import TrustVersion

__all__ = [
    "CanaryRelease",
    "Mode",
    "Seen",
    "TrustedState",
    "Verified",
    "check_serving",
    "parse_release_name",
]


class Mode(NamedTuple):
    """What to load: a channel, a digest pin, or one release directory (by its name)."""

    channel: str | None = None
    pin: str | None = None
    release: str | None = None

    def describe(self) -> str:
        if self.channel is not None:
            return f"channel {self.channel!r}"
        if self.pin is not None:
            return f"pin sha256:{self.pin}"
        return f"release directory {self.release}" if self.release else "release directory"


class Seen(NamedTuple):
    """The highest serial trusted before, and the release keys that signed it."""

    serial: int
    signers: tuple[str, ...] | None  # None: recorded by an older promptops


class CanaryRelease(NamedTuple):
    """The second release of a canary pointer, verified like the first (ADR 0018)."""

    manifest: ReleaseManifest
    bundle: Bundle
    bundle_bytes: Blob


class Verified(NamedTuple):
    """A release every check passed for: what the loader may cache and serve. During a
    canary, ``manifest`` and ``bundle`` are the stable release's and ``canary`` holds the
    other one."""

    manifest: ReleaseManifest
    pointer: ChannelPointer | None
    bundle: Bundle
    bundle_bytes: Blob
    trust: TrustRoot
    pinned: bool = False
    canary: CanaryRelease | None = None

    @property
    def expires(self) -> dt.datetime | None:
        """When this release stops being current (``None`` for a pin: it never does): the
        earliest expiry of the pointer and every release it serves."""
        if self.pinned:
            return None
        m = self.manifest.expires
        if self.canary is not None:
            m = min(m, self.canary.manifest.expires)
        return min(m, self.pointer.expires) if self.pointer is not None else m

    def same_releases(self, other: "Verified") -> bool:
        """Whether ``other`` serves the same release(s) with the same split (a re-signed
        pointer, say): then compiled prompts may be kept."""
        mine, theirs = self.pointer, other.pointer
        split = (mine.canary, mine.salt) if mine is not None else None
        other_split = (theirs.canary, theirs.salt) if theirs is not None else None
        canary = self.canary.manifest if self.canary is not None else None
        other_canary = other.canary.manifest if other.canary is not None else None
        return self.manifest == other.manifest and canary == other_canary and split == other_split


def parse_release_name(data: bytes, *, pin: str) -> str:
    """The release name a ``digests/<hex>`` file holds (unsigned: only a lookup).

    Raises:
        BundleError: if it is not a valid release name.
    """
    try:
        name = data.decode("ascii").strip()
    except UnicodeDecodeError:
        name = ""
    if not RELEASE_NAME.match(name):
        raise BundleError(
            f"digests/{pin}: expected a release name matching {RELEASE_NAME.pattern}, "
            f"found {data[:80]!r}"
        )
    return name


def _still_signed(signers: Sequence[str], role: Role) -> bool:
    good = {k for k in signers if k in role.keys and not role.keys[k].revoked}
    return len(good) >= max(role.threshold, 1)


def _not_forgotten(seen: Seen | None, role: Role) -> int | None:
    if seen is None:
        return None
    if seen.signers is not None and not _still_signed(seen.signers, role):
        return None
    return seen.serial


class TrustedState:
    """Checks one load's artifacts against the trust root, limits, clock and serial record."""

    def __init__(
        self,
        trust: TrustRoot,
        config: RuntimeConfig,
        now: dt.datetime,
        mode: Mode,
        *,
        seen: Seen | None = None,
        seen_pointer: Seen | None = None,
    ) -> None:
        self.trust = trust
        self.config = config
        self.now = now
        self.mode = mode
        self.seen = seen
        # (pointer_order of the newest pointer trusted, the channel keys that signed it)
        self.seen_pointer = seen_pointer

    # -- the trust chain ------------------------------------------------------------
    def accept_trust_version(self, data: bytes) -> "TrustVersion":
        """Verify ``data`` as the next trust version and move to it.

        Raises:
            BundleError, SignatureError: if it is not validly the next version.
        """
        # Imported here: a load with no trust version to walk never pays for the module.
        from promptops.runtime.trust_chain import verify_next_version

        version = verify_next_version(self.trust, data)
        self.trust = version.root
        return version

    def highest_seen(self) -> int | None:
        """The serial not to go below, or None.

        A serial whose release signers the current trust root no longer accepts (their
        keys were revoked or removed by a trust version) is forgotten: that is how a
        fast-forward attack (a stolen key signing serial 10**9) is recovered from, as TUF
        forgets a timestamp signed by a rotated-out key.
        """
        return _not_forgotten(self.seen, self.trust.release)

    def highest_pointer_version(self) -> int | None:
        """The :func:`~promptops.runtime.pointer.pointer_order` not to go below on this
        channel, or None; forgotten, as :meth:`highest_seen` is, once the channel role no
        longer accepts its signers."""
        return _not_forgotten(self.seen_pointer, self.trust.channel)

    # -- release artifacts ----------------------------------------------------------
    def accept_pointer(self, data: bytes, *, cached: bool = False) -> ChannelPointer:
        """Verify the channel pointer: signatures, channel name, rollback (its stable
        release's serial and its own version), and (unless ``cached``: the cache's
        availability rule decides then) expiry. A canary's release has a higher serial
        than the stable one (the parser checks), so both obey the serial memory.

        Raises:
            BundleError, SignatureError: if it is malformed, untrusted or for another channel.
            RollbackError: if its serial or its version went backwards.
            ExpiredError: if it expired (past the grace).
        """
        pointer = verify_channel_pointer(data, self.trust, now=self.now, check_expiry=False)
        if pointer.channel != self.mode.channel:
            raise BundleError(
                f"channel pointer: signed for channel {pointer.channel!r}, but it was served "
                f"as channel {self.mode.channel!r}: refusing a pointer moved between channels"
            )
        if not cached and self._past(pointer.expires):
            raise ExpiredError(pointer_expired_message(pointer, self._grace()))
        check_not_rolled_back(pointer.channel, pointer.serial, self.highest_seen())
        check_pointer_version(pointer, self.highest_pointer_version())
        return pointer

    def accept_manifest(
        self,
        data: bytes,
        pointer: ChannelPointer | None,
        *,
        cached: bool = False,
        canary: bool = False,
    ) -> ReleaseManifest:
        """Verify the release manifest and match it to the pointer (its stable arm, or
        with ``canary`` its canary arm), the pin or the release directory's name.

        Raises:
            BundleError, SignatureError: if it is malformed, untrusted, or disagrees with
                the pointer (mix-and-match), the pinned digest or the directory's name.
            RollbackError: if a release directory went back to a lower serial.
            ExpiredError: if it expired past the grace (pins never expire).
        """
        manifest = verify_manifest(
            data,
            self.trust,
            now=self.now,
            check_expiry=False,
            max_bytes=self.config.max_envelope_bytes,
        )
        mode = self.mode
        if pointer is not None:
            check_pointer_matches(pointer, manifest, canary=canary)
        if mode.pin is not None and manifest.bundle_sha256 != mode.pin:
            raise BundleError(
                f"release {manifest.release} signs bundle sha256:{manifest.bundle_sha256}, "
                f"but sha256:{mode.pin} was pinned: digests/{mode.pin} names the wrong release"
            )
        if mode.release is not None:
            if manifest.release != mode.release:
                raise BundleError(
                    f"releases/{mode.release} holds the signed manifest of release "
                    f"{manifest.release} (serial {manifest.serial}): a release directory must "
                    "hold the release it is named after (an old release copied over a new one?)"
                )
            label = f"releases/{mode.release}"
            check_not_rolled_back(mode.release, manifest.serial, self.highest_seen(), label=label)
        if mode.pin is None and not cached and self._past(manifest.expires):
            raise ExpiredError(manifest_expired_message(manifest, self._grace()))
        if manifest.bundle_size > self.config.max_bundle_bytes:
            raise BundleError(
                f"release {manifest.release}: bundle of {manifest.bundle_size} bytes exceeds "
                f"the limit of {self.config.max_bundle_bytes} bytes (max_bundle_bytes)"
            )
        return manifest

    def accept_bundle(
        self, manifest: ReleaseManifest, data: Blob, sha256: str | None = None
    ) -> Bundle:
        """Verify fetched bytes are the manifest's subject (size, sha256, and the page
        table it signs), then locate the index.

        ``sha256``: the digest of ``data`` if it was hashed as it was read.

        Raises:
            BundleError: if the bytes differ from what was signed, or do not follow ADR 0002.
        """
        verify_bundle(manifest, data, sha256)
        return Bundle.parse(data, max_prompts=self.config.max_prompts, signed=manifest.prompts)

    def accept_cached_bundle(
        self, manifest: ReleaseManifest, data: Blob, repair: Repair | None = None
    ) -> Bundle:
        """A bundle from the cache: bytes stored only after they verified whole, so only
        their size is checked now, and each prompt when it is first served, through its
        index page and its digest, against what the manifest signs (ADR 0019). Nothing
        unchecked is ever served; the cost of an open stays flat in bundle size.

        ``repair``: called once if a check fails later (bit rot, truncation, an edit); it
        fetches the bundle again, verified whole (see :class:`Bundle`).

        Raises:
            BundleError: if the size differs from the signed one, or the header is wrong.
        """
        if len(data) != manifest.bundle_size:
            raise BundleError(
                f"cached bundle: {len(data)} bytes, but release {manifest.release} signs "
                f"{manifest.bundle_size}"
            )
        check_signed_pages(manifest, data, whole=False)
        return Bundle.parse(
            data, max_prompts=self.config.max_prompts, signed=manifest.prompts, repair=repair
        )

    # -- expiry ---------------------------------------------------------------------
    def expired(self, verified: Verified) -> bool:
        """See :func:`check_serving`, at this load's clock reading."""
        return check_serving(verified, self.config, self.now)

    def _past(self, expires: dt.datetime) -> bool:
        return expires + self.config.expiry_grace < self.now

    def _grace(self) -> str:
        return _grace(self.config)


def _grace(config: RuntimeConfig) -> str:
    grace = config.expiry_grace
    return f" (grace of {grace} already applied)" if grace else ""


def check_serving(verified: Verified, config: RuntimeConfig, now: dt.datetime) -> bool:
    """Whether a verified release, served from the cache or kept by a long-running
    Registry, is past its expiry but may still be served (then flagged ``expired``).

    Returns:
        True if it is past its expiry (plus the grace) and may still be served.

    Raises:
        ExpiredError: if it is expired and ``expiry="strict"``, or past ``max_staleness``.
    """
    expires = verified.expires
    if expires is None or expires + config.expiry_grace >= now:
        return False
    pointer, canary = verified.pointer, verified.canary
    if pointer is not None and pointer.expires == expires:
        what = pointer_expired_message(pointer, _grace(config))
    elif canary is not None and canary.manifest.expires == expires:
        what = manifest_expired_message(canary.manifest, _grace(config))
    else:
        what = manifest_expired_message(verified.manifest, _grace(config))
    if config.expiry == "strict":
        raise ExpiredError(f"{what} (expiry='strict': an expired release is never served)")
    if expires + config.max_staleness < now:
        raise ExpiredError(
            f"{what}; the cached copy is past max_staleness ({config.max_staleness} after "
            "expiry) and is no longer served"
        )
    return True

"""The runtime's trusted state: bytes in, verified objects out, no I/O.

One :class:`TrustedState` per load: it holds the trust root, the limits, the one clock
reading of this operation and the highest serial already trusted on the channel, and checks
each artifact in the order the loader fetches them (pointer, manifest, bundle), so nothing
is downloaded past the first refusal. Signatures are checked by
:mod:`promptops.runtime.trust`, the code ``promptops verify`` runs too.
"""

import datetime as dt
from typing import NamedTuple

from promptops.errors import BundleError, RollbackError
from promptops.runtime.bundle import Bundle
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import Blob
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import (
    RELEASE_NAME,
    ChannelPointer,
    ReleaseManifest,
    check_not_rolled_back,
    check_pointer_matches,
    format_time,
    verify_bundle,
    verify_channel_pointer,
    verify_manifest,
)

__all__ = ["TrustedState", "Verified", "parse_release_name"]


class Verified(NamedTuple):
    """A release every check passed for: what the loader may cache and serve."""

    manifest: ReleaseManifest
    pointer: ChannelPointer | None
    bundle: Bundle
    bundle_bytes: Blob
    manifest_bytes: bytes
    pointer_bytes: bytes | None


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


class TrustedState:
    """Checks one load's artifacts against the trust root, limits, clock and serial record."""

    def __init__(
        self,
        trust: TrustRoot,
        config: RuntimeConfig,
        now: dt.datetime,
        *,
        channel: str | None = None,
        pin: str | None = None,
        highest_seen: int | None = None,
    ) -> None:
        self.trust = trust
        self.config = config
        self.now = now
        self.channel = channel
        self.pin = pin
        self.highest_seen = highest_seen

    def accept_pointer(self, data: bytes) -> ChannelPointer:
        """Verify the channel pointer: signatures, channel name, freeze, rollback.

        Raises:
            BundleError, SignatureError: if it is malformed, untrusted or for another channel.
            RollbackError: if it expired (past the grace) or its serial went backwards.
        """
        pointer = verify_channel_pointer(data, self.trust, now=self.now, check_expiry=False)
        if pointer.channel != self.channel:
            raise BundleError(
                f"channel pointer: signed for channel {pointer.channel!r}, but it was served "
                f"as channel {self.channel!r}: refusing a pointer moved between channels"
            )
        if pointer.expires + self.config.expiry_grace < self.now:
            raise RollbackError(
                f"channel {pointer.channel!r} pointer (release {pointer.release}, serial "
                f"{pointer.serial}) expired at {format_time(pointer.expires)}; run promptops "
                f"promote to re-sign it{self._grace()}"
            )
        check_not_rolled_back(pointer.channel, pointer.serial, self.highest_seen)
        return pointer

    def accept_manifest(self, data: bytes, pointer: ChannelPointer | None) -> ReleaseManifest:
        """Verify the release manifest and match it to the pointer or the pin.

        Raises:
            BundleError, SignatureError: if it is malformed, untrusted, or disagrees with
                the pointer (mix-and-match) or the pinned digest.
            RollbackError: if it expired past the grace (pins never expire).
        """
        manifest = verify_manifest(
            data,
            self.trust,
            now=self.now,
            check_expiry=False,
            max_bytes=self.config.max_envelope_bytes,
        )
        if self.pin is None and manifest.expires + self.config.expiry_grace < self.now:
            raise RollbackError(
                f"release {manifest.release} (serial {manifest.serial}) expired at "
                f"{format_time(manifest.expires)}; publish a new release or re-sign it"
                f"{self._grace()}"
            )
        if pointer is not None:
            check_pointer_matches(pointer, manifest)
        if self.pin is not None and manifest.bundle_sha256 != self.pin:
            raise BundleError(
                f"release {manifest.release} signs bundle sha256:{manifest.bundle_sha256}, "
                f"but sha256:{self.pin} was pinned: digests/{self.pin} names the wrong release"
            )
        if manifest.bundle_size > self.config.max_bundle_bytes:
            raise BundleError(
                f"release {manifest.release}: bundle of {manifest.bundle_size} bytes exceeds "
                f"the limit of {self.config.max_bundle_bytes} bytes (max_bundle_bytes)"
            )
        return manifest

    def accept_bundle(
        self, manifest: ReleaseManifest, data: Blob, sha256: str | None = None
    ) -> Bundle:
        """Verify the bundle is the manifest's subject, then locate its index.

        ``sha256``: the digest of ``data`` if the caller already hashed it (see
        :func:`~promptops.runtime.trust.verify_bundle`).

        Each prompt is checked against the manifest's signed per-prompt digest when it is
        first served (:meth:`Bundle.load`), so the cost stays flat in bundle size.

        Raises:
            BundleError: if the bytes differ from what was signed, or do not follow ADR 0002.
        """
        verify_bundle(manifest, data, sha256)
        return Bundle.parse(data, max_prompts=self.config.max_prompts, signed=manifest.prompts)

    def _grace(self) -> str:
        grace = self.config.expiry_grace
        return f" (grace of {grace} already applied)" if grace else ""

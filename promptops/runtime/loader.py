"""The I/O shell around :class:`~promptops.runtime.state.TrustedState`.

Fetch in order (trust versions, pointer, manifest, bundle), hand each piece to the trusted
state before the next fetch, and write to the cache only what verified, re-serialised
canonically (a trust version as soon as it verifies; the release after all of it
verified: blobs, then the serial record, then the last-known-good record). The same
verification runs on bytes read back from the cache, so a cache is never trusted more
than the network. Rollback memory and last-known-good records are keyed by the trust
chain, not by the URL: the same release site reached by another name shares them.
"""

import datetime as dt
import re
import time
from collections.abc import Callable

from promptops.errors import BundleError, FetchError, UsageError
from promptops.runtime.bundle import Bundle
from promptops.runtime.cache import Cache, cache_key
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.dsse import VerifiedEnvelope, canonical_envelope
from promptops.runtime.pointer import MAX_POINTER_BYTES, ChannelPointer, pointer_order
from promptops.runtime.policy import MAX_TRUST_BYTES, TrustRoot
from promptops.runtime.sources import Fetched, FileSource, Source
from promptops.runtime.state import (
    CanaryRelease,
    Mode,
    Seen,
    TrustedState,
    Verified,
    parse_release_name,
)
from promptops.runtime.trust import RELEASE_NAME, ReleaseManifest, verify_bundle

__all__ = ["Loader", "Mode", "resolve_mode"]

_PIN = re.compile(r"^sha256:([0-9a-f]{64})$")


def _put_signed(cache: Cache, signed: VerifiedEnvelope | None, served: bytes | None) -> str:
    """Store the canonical re-serialisation of what verified, never the bytes as served;
    returns its digest. Bytes served that the cache already holds are canonical already
    (only canonical forms are ever stored), which saves re-serialising a 1 MB manifest on
    every start."""
    if served is not None:
        digest = sha256_hex(served)
        if cache.has(digest):
            return cache.put(served, digest)  # touches it, for the prune
    assert signed is not None  # verified artifacts always carry what they verified
    return cache.put(canonical_envelope(signed))


def resolve_mode(source: Source, where: str, channel: str | None, pin: str | None) -> Mode:
    """What ``channel``/``pin`` ask of ``source``.

    Raises:
        UsageError: if they contradict each other or the source.
    """
    if channel is not None and pin is not None:
        raise UsageError("give channel= or pin=, not both")
    if channel is not None and not RELEASE_NAME.match(channel):
        raise UsageError(f"channel name {channel!r} must match {RELEASE_NAME.pattern}")
    hex_pin = None
    if pin is not None:
        m = _PIN.match(pin)
        if m is None:
            raise UsageError(f"pin must look like sha256:<64 lowercase hex digits>, not {pin!r}")
        hex_pin = m.group(1)
    if source.is_release_dir:
        if channel or pin:
            raise UsageError(
                f"{where} is a release directory; open the layout root to use channel= or pin="
            )
        # A digest reference (oci://HOST/REPO@sha256:...) names no release: it pins bytes.
        if source.name and not RELEASE_NAME.match(source.name):
            raise UsageError(f"{where}: a release directory is named releases/<release name>")
        return Mode(release=source.name or None)
    if not (channel or pin):
        raise UsageError(
            f"{where} is not a release directory (no release.dsse.json); pass channel= or "
            "pin=, or open releases/NAME inside it"
        )
    return Mode(channel=channel, pin=hex_pin)


class Loader:
    """Loads one source in one mode; stateless between calls except through the cache
    (and the highest serial this process trusted, kept in memory too)."""

    def __init__(
        self,
        source: Source,
        mode: Mode,
        trust: TrustRoot,
        config: RuntimeConfig,
        cache: Cache | None,
        on_fetch: Callable[[Fetched], None] | None = None,
    ) -> None:
        self.source = source
        self.mode = mode
        self.shipped = trust
        self.trust = trust  # the newest trust version verified so far
        self.config = config
        self.cache = cache
        self._on_fetch = on_fetch
        chain = trust.chain
        self._key = cache_key(chain, mode.channel or "", mode.pin or "", mode.release or "")
        self._serial_key: str | None = None
        self._pointer_key: str | None = None  # the channel's newest pointer (pointer_order)
        if mode.channel is not None:
            self._serial_key = cache_key(chain, "channel", mode.channel)
            self._pointer_key = cache_key(chain, "pointer", mode.channel)
        elif mode.release is not None:
            self._serial_key = cache_key(chain, "release", mode.release)
        # A release directory's trust chain is the layout root's, two levels up.
        self._trust_prefix = "../../" if mode.release is not None else ""
        self._seen_in_memory: Seen | None = None
        self._pointer_in_memory: Seen | None = None
        self.cache_error: str | None = None  # the last failure to write the cache, if any

    # -- trusted state --------------------------------------------------------------
    def _seen(self) -> Seen | None:
        return self._highest(self._serial_key, self._seen_in_memory)

    def _highest(self, key: str | None, in_memory: Seen | None) -> Seen | None:
        on_disk = None
        if self.cache is not None and key is not None:
            record = self.cache.highest_serial(key)
            on_disk = Seen(*record) if record is not None else None
        both = [s for s in (on_disk, in_memory) if s is not None]
        return max(both, key=lambda s: s.serial) if both else None

    def _state(self, now: dt.datetime, seen: Seen | None) -> TrustedState:
        seen_pointer = self._highest(self._pointer_key, self._pointer_in_memory)
        state = TrustedState(
            self.shipped, self.config, now, self.mode, seen=seen, seen_pointer=seen_pointer
        )
        if self.cache is not None:
            # Trust versions verified before, verified again (never trusted more than the
            # network); one that fails is dropped with everything after it.
            chain = self.shipped.chain
            for version, data in self.cache.trust_versions(
                chain, state.trust.version, MAX_TRUST_BYTES
            ):
                try:
                    state.accept_trust_version(data)
                except BundleError:
                    self.cache.discard_trust(chain, version)
                    break
        return state

    def _walk_source(self, state: TrustedState, deadline: float) -> None:
        """Fetch and verify trust/N+1.json, N+2, ... until one is missing."""
        for _ in range(self.config.max_trust_rotations):
            version = state.trust.version + 1
            rel = f"{self._trust_prefix}trust/{version}.json"
            fetched = self.source.read_optional(rel, MAX_TRUST_BYTES, deadline)
            if fetched is None:
                return
            envelope = state.accept_trust_version(fetched.data).envelope
            self._store_trust(version, envelope)

    def _store_trust(self, version: int, envelope: bytes) -> None:
        # Stored at once: a verified trust version is knowledge even if the release fails.
        self._write(lambda cache: cache.put_trust(self.shipped.chain, version, envelope))

    def _read(self, rel: str, limit: int, deadline: float) -> Fetched:
        fetched = self.source.read(rel, limit, deadline)
        if self._on_fetch is not None:
            self._on_fetch(fetched)
        return fetched

    # -- loading --------------------------------------------------------------------
    def fetch(self, now: dt.datetime) -> Verified:
        """Fetch and verify the release from the source, then cache it.

        Raises:
            FetchError: if the source cannot be read (or the fetch deadline passed).
            BundleError, SignatureError, RollbackError: if what it serves does not verify.
            ExpiredError: if it serves an expired pointer or release.
        """
        deadline = time.monotonic() + self.config.fetch_deadline
        state = self._state(now, self._seen())
        self._walk_source(state, deadline)
        self.trust = state.trust
        fetched: list[tuple[Fetched, str]] = []
        pointer = None
        mode = self.mode
        if mode.channel is not None:
            f = self._read(f"channels/{mode.channel}.json", MAX_POINTER_BYTES, deadline)
            pointer = state.accept_pointer(f.data)
            fetched.append((f, "pointer"))
            prefix = f"releases/{pointer.release}/"
        elif mode.pin is not None:
            f = self._read(f"digests/{mode.pin}", self.config.max_name_bytes, deadline)
            prefix = f"releases/{parse_release_name(f.data, pin=mode.pin)}/"
        else:
            prefix = ""
        arm = pointer.canary if pointer is not None else None
        canary = None
        manifest, bundle_bytes, bundle = self._release(state, prefix, pointer, deadline, fetched)
        if arm is not None:
            c_manifest, c_bytes, c_bundle = self._release(
                state, f"releases/{arm.release}/", pointer, deadline, fetched, canary=True
            )
            canary = CanaryRelease(c_manifest, c_bundle, c_bytes)
        pinned = mode.pin is not None
        verified = Verified(manifest, pointer, bundle, bundle_bytes, state.trust, pinned, canary)
        self._remember(verified, fetched)
        return verified

    def _release(
        self,
        state: TrustedState,
        prefix: str,
        pointer: ChannelPointer | None,
        deadline: float,
        fetched: list[tuple[Fetched, str]],
        *,
        canary: bool = False,
    ) -> tuple[ReleaseManifest, Blob, Bundle]:
        """The manifest under ``prefix`` and its bundle (from the cache if it holds it),
        verified; ``canary``: the release of the pointer's canary arm."""
        kind = "canary_" if canary else ""
        f = self._read(prefix + "release.dsse.json", self.config.max_envelope_bytes, deadline)
        manifest = state.accept_manifest(f.data, pointer, canary=canary)
        fetched.append((f, kind + "manifest"))
        bundle = bundle_bytes = None
        if self.cache is not None:
            bundle_bytes, bundle = self._cached_bundle(state, manifest)
        streamed = None
        if bundle is None and self.cache is None and isinstance(self.source, FileSource):
            # Nothing will store it (promptops verify): hashed as it streams, never held.
            streamed = self.source.read_hashed(prefix + "bundle.json", self.config.max_bundle_bytes)
        if streamed is not None:
            bundle_bytes = streamed[0]
            bundle = state.accept_bundle(manifest, bundle_bytes, streamed[1])
        elif bundle is None:
            # Read up to the cap, not the signed size: a longer file then fails verification
            # with a message saying how much was appended.
            f = self._read(prefix + "bundle.json", self.config.max_bundle_bytes, deadline)
            bundle_bytes = f.data
            bundle = state.accept_bundle(manifest, bundle_bytes)
            fetched.append((f, kind + "bundle"))
        assert bundle_bytes is not None
        return manifest, bundle_bytes, bundle

    def from_cache(self, now: dt.datetime) -> tuple[Verified, bool] | None:
        """The last-known-good release, verified again exactly as if fetched, and whether it
        is served past its expiry; ``None`` if the cache holds none (or only damaged
        entries).

        Raises:
            BundleError, SignatureError, RollbackError: if it no longer verifies (a key
                revoked by a newer trust version, rolled back past a newer serial).
            ExpiredError: if it expired and may not be served any more (``expiry="strict"``,
                or past ``max_staleness``).
        """
        if self.cache is None:
            return None
        # The serial first, then the record: records are written before serials, so the
        # record read second is at least as new as the serial read first.
        seen = self._seen()
        rec = self.cache.last_known_good(self._key)
        state = self._state(now, seen)
        self.trust = state.trust
        if rec is None:
            return None
        manifest_bytes = self.cache.get(rec["manifest"] or "", self.config.max_envelope_bytes)
        pointer_bytes = None
        if self.mode.channel is not None:
            pointer_bytes = self.cache.get(rec["pointer"] or "", MAX_POINTER_BYTES)
            if pointer_bytes is None:
                return None
        if manifest_bytes is None:
            return None
        pointer = (
            state.accept_pointer(pointer_bytes, cached=True) if pointer_bytes is not None else None
        )
        manifest = state.accept_manifest(manifest_bytes, pointer, cached=True)
        bundle_bytes, bundle = self._cached_bundle(state, manifest)
        if bundle_bytes is None or bundle is None:
            return None
        canary = None
        if pointer is not None and pointer.canary is not None:
            canary = self._cached_canary(state, pointer, rec)
            if canary is None:
                return None  # a canary pointer is served with both its releases, or not
        pinned = self.mode.pin is not None
        verified = Verified(manifest, pointer, bundle, bundle_bytes, state.trust, pinned, canary)
        expired = state.expired(verified)
        self._note_serial(verified)
        return verified, expired

    def _cached_canary(
        self, state: TrustedState, pointer: ChannelPointer, rec: dict[str, str | None]
    ) -> CanaryRelease | None:
        """The canary release a cached canary pointer names, verified again; None if the
        record or a blob is missing or damaged."""
        assert self.cache is not None
        data = self.cache.get(rec.get("canary_manifest") or "", self.config.max_envelope_bytes)
        if data is None:
            return None
        manifest = state.accept_manifest(data, pointer, cached=True, canary=True)
        bundle_bytes, bundle = self._cached_bundle(state, manifest)
        if bundle_bytes is None or bundle is None:
            return None
        return CanaryRelease(manifest, bundle, bundle_bytes)

    def _cached_bundle(
        self, state: TrustedState, manifest: ReleaseManifest
    ) -> tuple[Blob | None, Bundle | None]:
        """The manifest's bundle from the cache, or ``(None, None)``.

        Not hashed whole: its size, header and index end are checked now and each prompt
        against the signed manifest when it is served (ADR 0019). A file that fails now is
        hashed to tell whose fault it is: a damaged entry is discarded, to be fetched
        again; the signed bundle itself means the manifest signs a page table that does
        not describe it, which is raised (and the good bundle kept). A file found damaged
        later is repaired through :meth:`_repairer`.

        Raises:
            BundleError: if the manifest's page table does not describe its own bundle.
        """
        assert self.cache is not None
        digest = manifest.bundle_sha256
        data = self.cache.open_blob(digest, self.config.max_bundle_bytes)
        if data is None:
            return None, None
        try:
            return data, state.accept_cached_bundle(manifest, data, self._repairer(manifest))
        except BundleError:
            if len(data) == manifest.bundle_size and sha256_hex(bytes(data)) == digest:
                raise  # a rare path: worth a whole hash to keep a good bundle
            self.cache.discard(digest)
            return None, None

    def _repairer(self, manifest: ReleaseManifest) -> Callable[[], Blob]:
        """Fetch ``manifest``'s bundle again, for a cached copy found damaged when a prompt
        was served: the damaged blob is dropped, the new bytes verified whole against the
        same signed manifest, stored, and returned.

        Raises (when called):
            FetchError: if the source cannot be read (``offline``: never asked).
            BundleError: if what it serves is not the signed bundle either.
        """
        mode = self.mode
        direct = mode.channel is None and mode.pin is None  # one release directory
        prefix = "" if direct else f"releases/{manifest.release}/"

        def repair() -> Blob:
            assert self.cache is not None
            self.cache.discard(manifest.bundle_sha256)
            if self.config.offline:
                raise FetchError("offline: the source is not asked")
            deadline = time.monotonic() + self.config.fetch_deadline
            data = self.source.read(prefix + "bundle.json", self.config.max_bundle_bytes, deadline)
            # Checked against this manifest alone: the release it belongs to was verified
            # already, so the clock, the serial and the trust root have nothing new to say.
            verify_bundle(manifest, data.data)
            self._write(lambda cache: cache.put(data.data, manifest.bundle_sha256))
            return data.data

        return repair

    def _note_serial(self, v: Verified) -> None:
        pointer = v.pointer
        if pointer is not None and pointer.version:
            known, order = self._pointer_in_memory, pointer_order(pointer)
            if known is None or known.serial < order:
                self._pointer_in_memory = Seen(order, pointer.signers)
        if self._serial_key is None:
            return
        serial = v.manifest.serial
        if self._seen_in_memory is None or self._seen_in_memory.serial < serial:
            self._seen_in_memory = Seen(serial, v.manifest.signers)

    def _write(self, action: Callable[[Cache], object]) -> None:
        if self.cache is None:
            return
        try:
            action(self.cache)
        except OSError as exc:
            # A read-only or full cache must not take the application down: what verified
            # is served; only the offline fallback is lost, and reported.
            self.cache_error = f"cache {self.cache.root}: cannot write ({exc})"
        else:
            self.cache_error = None

    def _remember(self, v: Verified, fetched: list[tuple[Fetched, str]]) -> None:
        self._note_serial(v)
        self._write(lambda cache: self._store(cache, v, fetched))

    def _store(self, cache: Cache, v: Verified, fetched: list[tuple[Fetched, str]]) -> None:
        served = {kind: f.data for f, kind in fetched}

        def bundle(kind: str, digest: str) -> str:
            if kind in served:
                return cache.put(served[kind], digest)  # fetched, so verified whole
            # Read from the cache and not hashed whole (ADR 0019): never written back.
            cache.keep(digest)
            return digest

        digests = {
            "bundle": bundle("bundle", v.manifest.bundle_sha256),
            "manifest": _put_signed(cache, v.manifest.signed, served.get("manifest")),
        }
        if v.pointer is not None:
            digests["pointer"] = _put_signed(cache, v.pointer.signed, served.get("pointer"))
        canary = v.canary
        if canary is not None:
            digests["canary_bundle"] = bundle("canary_bundle", canary.manifest.bundle_sha256)
            digests["canary_manifest"] = _put_signed(
                cache, canary.manifest.signed, served.get("canary_manifest")
            )
        for f, kind in fetched:
            if f.etag is not None and not f.not_modified:
                cache.set_etag(f.url, f.etag, digests[kind])
        # Last-known-good before the serial: a reader between the two writes then sees a
        # record at least as new as the serial it must not go below.
        changed = cache.set_last_known_good(
            self._key,
            v.manifest.serial,
            bundle=digests["bundle"],
            manifest=digests["manifest"],
            pointer=digests.get("pointer"),
            canary_bundle=digests.get("canary_bundle"),
            canary_manifest=digests.get("canary_manifest"),
        )
        if self._serial_key is not None:
            cache.record_serial(self._serial_key, v.manifest.serial, v.manifest.signers)
        if self._pointer_key is not None and v.pointer is not None and v.pointer.version:
            order = pointer_order(v.pointer)
            cache.record_serial(self._pointer_key, order, v.pointer.signers)
        if changed:
            cache.prune()

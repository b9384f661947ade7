"""The I/O shell around :class:`~promptops.runtime.state.TrustedState`.

Fetch in order (pointer, manifest, bundle), hand each piece to the trusted state before the
next fetch, and only after the whole release verified write it to the cache (blobs, then
the serial record, then the last-known-good record). The same verification runs on bytes
read back from the cache, so a cache is never trusted more than the network.
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from promptops.errors import BundleError
from promptops.runtime.bundle import Bundle
from promptops.runtime.cache import Cache, cache_key
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import BackgroundRead, Blob
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.sources import Fetched, Source
from promptops.runtime.state import TrustedState, Verified, parse_release_name
from promptops.runtime.trust import MAX_POINTER_BYTES, ReleaseManifest

__all__ = ["Loader", "Mode"]


class Mode(NamedTuple):
    """What to load: a channel, a digest pin, or the release directory itself."""

    channel: str | None = None
    pin: str | None = None

    def describe(self) -> str:
        if self.channel is not None:
            return f"channel {self.channel!r}"
        if self.pin is not None:
            return f"pin sha256:{self.pin}"
        return "release directory"


class Loader:
    """Loads one source in one mode; stateless between calls except through the cache."""

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
        self.trust = trust
        self.config = config
        self.cache = cache
        self._on_fetch = on_fetch
        self._key = cache_key(source.id, mode.channel or "", mode.pin or "")
        self._serial_key = cache_key(source.id, "channel", mode.channel or "")
        self._highest_in_memory: int | None = None
        self.cache_error: str | None = None  # the last failure to write the cache, if any

    def highest_seen(self) -> int | None:
        """The highest serial trusted on this channel, by this process or the cache."""
        on_disk = self.cache.highest_serial(self._serial_key) if self.cache else None
        seen = [s for s in (on_disk, self._highest_in_memory) if s is not None]
        return max(seen) if seen else None

    def _state(self, now: dt.datetime) -> TrustedState:
        return TrustedState(
            self.trust,
            self.config,
            now,
            channel=self.mode.channel,
            pin=self.mode.pin,
            highest_seen=self.highest_seen() if self.mode.channel else None,
        )

    def _read(self, rel: str, limit: int) -> Fetched:
        fetched = self.source.read(rel, limit)
        if self._on_fetch is not None:
            self._on_fetch(fetched)
        return fetched

    def fetch(self, now: dt.datetime) -> Verified:
        """Fetch and verify the release from the source, then cache it.

        Raises:
            FetchError: if the source cannot be read.
            BundleError, SignatureError, RollbackError: if what it serves does not verify.
        """
        state = self._state(now)
        fetched: list[Fetched] = []
        pointer = pointer_bytes = None
        expected = self.mode.pin  # the bundle digest, once known
        if self.mode.channel is not None:
            f = self._read(f"channels/{self.mode.channel}.json", MAX_POINTER_BYTES)
            fetched.append(f)
            pointer, pointer_bytes = state.accept_pointer(f.data), f.data
            prefix = f"releases/{pointer.release}/"
            expected = pointer.bundle_sha256
        elif self.mode.pin is not None:
            f = self._read(f"digests/{self.mode.pin}", self.config.max_name_bytes)
            prefix = f"releases/{parse_release_name(f.data, pin=self.mode.pin)}/"
        else:
            prefix = ""
        prefetch = self._prefetch(expected)
        try:
            f = self._read(prefix + "release.dsse.json", self.config.max_envelope_bytes)
            fetched.append(f)
            manifest_bytes = f.data
            manifest = state.accept_manifest(manifest_bytes, pointer)
        finally:
            if prefetch is not None:
                prefetch.result()  # the read never outlives this call, even on an error
        bundle = bundle_bytes = None
        if self.cache is not None:
            bundle_bytes, bundle = self._cached_bundle(state, manifest, prefetch)
        if bundle is None:
            # Read up to the cap, not the signed size: a longer file then fails verification
            # with a message saying how much was appended.
            f = self._read(prefix + "bundle.json", self.config.max_bundle_bytes)
            fetched.append(f)
            bundle_bytes = f.data
            bundle = state.accept_bundle(manifest, bundle_bytes)
        assert bundle_bytes is not None
        verified = Verified(manifest, pointer, bundle, bundle_bytes, manifest_bytes, pointer_bytes)
        self._remember(verified, fetched)
        return verified

    def from_cache(self, now: dt.datetime) -> Verified | None:
        """The last-known-good release, verified again exactly as if fetched; ``None`` if
        the cache holds none (or only damaged entries).

        Raises:
            BundleError, SignatureError, RollbackError: if it no longer verifies (expired,
                key revoked by a new trust root, rolled back past a newer serial).
        """
        if self.cache is None:
            return None
        # The serial first, then the record: records are written before serials, so the
        # record read second is at least as new as the serial read first.
        state = self._state(now)
        rec = self.cache.last_known_good(self._key)
        if rec is None:
            return None
        prefetch = self._prefetch(rec["bundle"])
        try:
            limit = self.config.max_envelope_bytes
            manifest_bytes = self.cache.get(rec["manifest"] or "", limit)
            pointer_bytes = None
            if self.mode.channel is not None:
                pointer_bytes = self.cache.get(rec["pointer"] or "", MAX_POINTER_BYTES)
                if pointer_bytes is None:
                    return None
            if manifest_bytes is None:
                return None
            pointer = state.accept_pointer(pointer_bytes) if pointer_bytes is not None else None
            manifest = state.accept_manifest(manifest_bytes, pointer)
        finally:
            if prefetch is not None:
                prefetch.result()  # the read never outlives this call, even on an error
        bundle_bytes, bundle = self._cached_bundle(state, manifest, prefetch)
        if bundle_bytes is None or bundle is None:
            return None
        self._note_serial(manifest.serial if pointer is not None else None)
        return Verified(manifest, pointer, bundle, bundle_bytes, manifest_bytes, pointer_bytes)

    def _prefetch(self, digest: str | None) -> BackgroundRead | None:
        """Start reading and hashing the cached bundle ``digest`` on another thread.

        Called as soon as the pointer, the pin or the last-known-good record names the
        bundle, so that its sha256 (about 8 ms for 10,000 prompts) runs on a second core
        while the manifest is verified; nothing read is trusted before :meth:`_cached_bundle`
        checks it against the signed manifest.
        """
        if self.cache is None or digest is None:
            return None
        cache, limit = self.cache, self.config.max_bundle_bytes
        return BackgroundRead(digest, lambda: cache.map(digest, limit))

    def _cached_bundle(
        self,
        state: TrustedState,
        manifest: ReleaseManifest,
        prefetched: BackgroundRead | None = None,
    ) -> tuple[Blob | None, Bundle | None]:
        """The manifest's bundle from the cache, verified, or ``(None, None)``.

        ``prefetched``: the read started for the bundle the pointer, pin or record named;
        used if that is the manifest's bundle.
        Hashed once, by the trusted state against the signed digest (not again by the
        cache); bytes that fail are a corrupt entry: discarded, to be fetched again.
        """
        assert self.cache is not None
        digest = manifest.bundle_sha256
        if prefetched is not None and prefetched.key == digest:
            data, sha256 = prefetched.result()
        else:
            data = self.cache.map(digest, self.config.max_bundle_bytes)
            sha256 = None
        if data is None:
            return None, None
        try:
            return data, state.accept_bundle(manifest, data, sha256)
        except BundleError:
            self.cache.discard(digest)
            return None, None

    def _note_serial(self, serial: int | None) -> None:
        if serial is not None and (self._highest_in_memory or 0) < serial:
            self._highest_in_memory = serial

    def _remember(self, v: Verified, fetched: list[Fetched]) -> None:
        self._note_serial(v.pointer.serial if v.pointer is not None else None)
        if self.cache is None:
            return
        try:
            # The bundle was hashed against the signed digest already: do not hash it again.
            bundle = self.cache.put(v.bundle_bytes, v.manifest.bundle_sha256)
            manifest = self.cache.put(v.manifest_bytes)
            pointer = self.cache.put(v.pointer_bytes) if v.pointer_bytes is not None else None
            digests = {id(v.bundle_bytes): bundle, id(v.manifest_bytes): manifest}
            if v.pointer_bytes is not None and pointer is not None:
                digests[id(v.pointer_bytes)] = pointer
            for f in fetched:
                if f.etag is not None and not f.not_modified:
                    digest = digests.get(id(f.data)) or self.cache.put(f.data)
                    self.cache.set_etag(f.url, f.etag, digest)
            # Last-known-good before the serial: a reader between the two writes then sees
            # a record at least as new as the serial it must not go below.
            self.cache.set_last_known_good(
                self._key, v.manifest.serial, bundle=bundle, manifest=manifest, pointer=pointer
            )
            if v.pointer is not None:
                self.cache.record_serial(self._serial_key, v.pointer.serial)
        except OSError as exc:
            # A read-only or full cache must not take the application down: the release
            # verified and is served; only the offline fallback is lost, and reported.
            self.cache_error = f"cache {self.cache.root}: cannot write ({exc})"
        else:
            self.cache_error = None

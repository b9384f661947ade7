"""The on-disk cache: content-addressed blobs, last-known-good records, serials, ETags.

Shared by any number of processes: every file is written whole with
:func:`promptops.fsutil.atomic_write_bytes` (temp file, fsync, ``os.replace``), so a reader
sees a complete old file or a complete new one; a writer killed mid-way leaves only a
``.*.tmp`` file that nothing ever reads. Blobs are named by their sha256 and re-hashed on
every read: a corrupt one is deleted and reported missing, so it is refetched, never served.
Only verified bytes are passed to :meth:`Cache.put`; the loader guarantees it.

Layout::

    blobs/<sha256hex>            bundle, manifest and pointer bytes
    lkg/<key>/<serial>.json      last-known-good: {"bundle", "manifest", "pointer"} digests
    serials/<key>/<serial>       highest serial seen on a channel (empty files; max wins)
    etags/<key>.json             {"etag", "blob"} of the last HTTP 200 for a URL
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import re
from os.path import join
from typing import Any

from promptops.runtime.digest import Blob, sha256_hex

__all__ = ["Cache", "cache_key", "read_capped"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SMALL = 64 * 1024  # records are a few hundred bytes
_LIST_ROUNDS = 8


def _atomic_write(path: str, data: bytes) -> None:
    # Imported on first write: a warm start writes nothing and skips the imports of
    # tempfile and pathlib (plain os.path strings everywhere else here, for the same reason).
    from pathlib import Path

    from promptops.fsutil import atomic_write_bytes

    atomic_write_bytes(Path(path), data)


def read_capped(path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path`` (so "too big" is visible, nothing more read).

    Sized by ``fstat``: ``read(limit + 1)`` would allocate the whole cap (64 MB) up front.

    Raises:
        OSError: if the file cannot be read.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        return fh.read(min(size, limit) + 1)


def cache_key(*parts: str) -> str:
    """A file-name-safe key for a tuple of strings (source id, channel, ...)."""
    return sha256_hex("\0".join(parts).encode("utf-8"))[:32]


def _serials(folder: str, suffix: str) -> list[int]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    stems = (n[: len(n) - len(suffix)] for n in names if n.endswith(suffix))
    return [int(s) for s in stems if s.isdigit()]


def _highest(folder: str, suffix: str) -> int | None:
    serials = _serials(folder, suffix)
    return max(serials) if serials else None


def _prune_below(folder: str, serial: int, suffix: str) -> None:
    for n in _serials(folder, suffix):
        if n < serial:
            with contextlib.suppress(OSError):
                os.unlink(join(folder, f"{n}{suffix}"))


class Cache:
    """One cache directory. Methods never raise on a damaged entry: it reads as missing."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)

    # -- blobs ----------------------------------------------------------------------
    def get(self, digest: str, limit: int) -> bytes | None:
        """The blob with this sha256, or ``None`` if absent, oversized or corrupt."""
        if not _HEX64.match(digest):
            return None
        try:
            data = read_capped(join(self.root, "blobs", digest), limit)
        except OSError:
            return None
        if len(data) <= limit and sha256_hex(data) == digest:
            return data
        self.discard(digest)
        return None

    def map(self, digest: str, limit: int) -> Blob | None:
        """The blob named ``digest``, mapped read-only and NOT hashed; ``None`` if absent
        or oversized. For the bundle, which the caller hashes against the signed manifest
        (and on a mismatch calls :meth:`discard`).

        A mapping is not a copy: reading a 15 MB bundle into memory costs as much as
        hashing it. The cache only ever replaces a blob (rename) or deletes it (unlink),
        which leaves a mapped file's bytes as they were; every prompt is hashed again
        against the signed per-prompt digest when it is first served (ADR 0008). Empty
        files, and Windows (where a mapped file cannot be replaced), get a plain read.
        """
        if not _HEX64.match(digest):
            return None
        try:
            with open(join(self.root, "blobs", digest), "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > limit:
                    self.discard(digest)
                    return None
                if size == 0 or os.name == "nt":
                    return fh.read(limit + 1)
                return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None

    def discard(self, digest: str) -> None:
        """Delete a corrupt blob (bit rot, a hand edit) so the next fetch replaces it."""
        if _HEX64.match(digest):
            with contextlib.suppress(OSError):
                os.unlink(join(self.root, "blobs", digest))

    def put(self, data: Blob, digest: str | None = None) -> str:
        """Store verified bytes under their sha256; returns the digest.

        ``digest``: the sha256 the caller already verified ``data`` against (saves hashing
        a large bundle a second time).

        Raises:
            OSError: if the cache directory cannot be written.
        """
        digest = digest or sha256_hex(data)
        path = join(self.root, "blobs", digest)
        if not os.path.exists(path):
            _atomic_write(path, data if isinstance(data, bytes) else bytes(data))
        return digest

    # -- small JSON records ---------------------------------------------------------
    def _read_record(self, path: str) -> dict[str, Any] | None:
        try:
            with open(path, "rb") as fh:
                value = json.loads(fh.read(_SMALL))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def _write_record(self, path: str, value: dict[str, Any]) -> None:
        if self._read_record(path) == value:
            return  # a warm start re-verifies the same release: no write, no fsync
        _atomic_write(path, json.dumps(value, sort_keys=True).encode("utf-8"))

    def last_known_good(self, key: str) -> dict[str, str | None] | None:
        """The digests of the highest-serial release verified for ``key``, or ``None``."""
        folder = join(self.root, "lkg", key)
        # Another process may prune the record we listed before we open it, but only after
        # writing a newer one: list again. A few rounds bound it if the cache is damaged.
        for _ in range(_LIST_ROUNDS):
            serial = _highest(folder, ".json")
            if serial is None:
                return None
            rec = self._read_record(join(folder, f"{serial}.json"))
            if rec is not None and isinstance(rec.get("bundle"), str):
                return {k: rec.get(k) if isinstance(rec.get(k), str) else None
                        for k in ("bundle", "manifest", "pointer")}  # fmt: skip
        return None

    def set_last_known_good(
        self, key: str, serial: int, *, bundle: str, manifest: str, pointer: str | None
    ) -> None:
        """Record a verified release as last-known-good for ``key``.

        One record per serial and "highest wins", like :meth:`record_serial`: a process
        that verified serial 4 a moment after another verified 5 cannot move it back.

        Raises:
            OSError: if the cache directory cannot be written.
        """
        folder = join(self.root, "lkg", key)
        rec = {"bundle": bundle, "manifest": manifest, "pointer": pointer}
        self._write_record(join(folder, f"{serial}.json"), rec)
        _prune_below(folder, serial, ".json")

    # -- serials --------------------------------------------------------------------
    def highest_serial(self, key: str) -> int | None:
        """The highest serial recorded for ``key`` (a channel of a source)."""
        return _highest(join(self.root, "serials", key), "")

    def record_serial(self, key: str, serial: int) -> None:
        """Record that ``serial`` was trusted; lower records are pruned.

        One empty file per serial and "highest wins" make this safe without locks: two
        processes recording 6 and 7 at once can never leave 6 as the highest.

        Raises:
            OSError: if the cache directory cannot be written.
        """
        folder = join(self.root, "serials", key)
        marker = join(folder, str(serial))
        if os.path.exists(marker):
            return
        os.makedirs(folder, exist_ok=True)
        os.close(os.open(marker, os.O_CREAT | os.O_WRONLY, 0o644))
        _prune_below(folder, serial, "")

    # -- HTTP validators ------------------------------------------------------------
    def etag(self, url: str) -> tuple[str, str] | None:
        """``(etag, blob digest)`` of the last full response for ``url``."""
        rec = self._read_record(join(self.root, "etags", f"{cache_key(url)}.json"))
        if (
            rec is None
            or not isinstance(rec.get("etag"), str)
            or not isinstance(rec.get("blob"), str)
        ):
            return None
        return rec["etag"], rec["blob"]

    def set_etag(self, url: str, etag: str, digest: str) -> None:
        """Remember that ``url`` answered with ``etag`` and the (verified) blob ``digest``.

        Raises:
            OSError: if the cache directory cannot be written.
        """
        self._write_record(
            join(self.root, "etags", f"{cache_key(url)}.json"), {"etag": etag, "blob": digest}
        )

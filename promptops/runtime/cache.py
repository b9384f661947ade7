"""The on-disk cache: verified blobs, last-known-good records, serials, trust versions, ETags.

Shared by any number of processes: every file is written whole (temp file, fsync,
``os.replace``), so a reader sees a complete old file or a complete new one; a writer
killed mid-way leaves only a ``.*.tmp`` file that nothing ever reads. Only verified bytes
reach it (the loader passes canonical re-serialisations of what verified, never what a
source sent), and everything read back is verified again.

Hostile files are treated as missing: files are opened with ``O_NOFOLLOW`` and
``O_NONBLOCK`` and used only if they are regular files (a FIFO or a symlink planted at a
public digest never hangs or redirects a read), directories are created ``0700`` and a
symlink where a directory should be is refused, and a cache directory writable by every
user is refused outright. Bundles are read where needed (``pread``), not mapped, so a
file truncated under a running application cannot kill it with SIGBUS; their prompts are
checked against the signed manifest when served (ADR 0019), not hashed whole on every start.

Layout::

    blobs/<sha256hex>              bundle bytes and canonical manifest / pointer envelopes
    lkg/<key>/<serial>.json        last-known-good: {"bundle", "manifest", "pointer"} digests
                                   (and "canary_bundle", "canary_manifest" during a canary)
    serials/<key>/<serial>         highest serial seen: {"signers": [keyid, ...]}; max wins
    trust/<chain>/<version>.json   verified trust versions (canonical envelopes)
    etags/<key>.json               {"etag", "blob"} of the last HTTP 200 for a URL
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import time
from os.path import join
from typing import Any

from promptops.errors import BundleError, UsageError
from promptops.runtime.blob import FOLLOW_FLAGS, READ_FLAGS, open_file_blob
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.jsonparse import parse_json

__all__ = ["PRUNE_GRACE_SECONDS", "READ_FLAGS", "Cache", "cache_key", "read_regular"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LKG_FIELDS = ("bundle", "manifest", "pointer", "canary_bundle", "canary_manifest")
_SMALL = 64 * 1024  # records are a few hundred bytes
_LIST_ROUNDS = 8
# A blob no record names is deleted only once it is this old: another process may have
# just written it and be about to write the record that names it.
PRUNE_GRACE_SECONDS = 600.0


def read_regular(path: str, limit: int, *, follow: bool = False) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path`` (so "too big" is visible).

    Never blocks on a FIFO or device and, unless ``follow``, never follows a symlink at
    ``path`` itself. Sized by ``fstat``: ``read(limit + 1)`` would allocate the whole cap.

    Raises:
        OSError: if it cannot be opened or read, or is not a regular file.
    """
    flags = FOLLOW_FLAGS if follow else READ_FLAGS
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path}: not a regular file")
        want = min(info.st_size, limit) + 1
        chunks = []
        while want > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def cache_key(*parts: str) -> str:
    """A file-name-safe key for a tuple of strings (trust chain, channel, ...)."""
    return sha256_hex("\0".join(parts).encode("utf-8"))[:32]


def _numbers(folder: str, suffix: str) -> list[int]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    stems = (n[: len(n) - len(suffix)] for n in names if n.endswith(suffix))
    return [int(s) for s in stems if s.isdigit() and len(s) < 19]


def _prune_below(folder: str, number: int, suffix: str) -> None:
    for n in _numbers(folder, suffix):
        if n < number:
            with contextlib.suppress(OSError):
                os.unlink(join(folder, f"{n}{suffix}"))


def _is_private_dir(path: str) -> bool:
    """A real directory (not a symlink to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


class Cache:
    """One cache directory. Reads never raise on a damaged entry: it reads as missing.
    A directory that cannot be created leaves a cache that misses every read and fails
    every write (reported by the loader): the application keeps serving what verified.

    Raises:
        UsageError: (on creation) if the directory is writable by every user or owned by
            another user.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        try:
            os.makedirs(self.root, mode=0o700, exist_ok=True)
            info = os.stat(self.root)
        except OSError:
            return
        if os.name != "nt" and stat.S_ISDIR(info.st_mode):
            if info.st_mode & stat.S_IWOTH:
                raise UsageError(
                    f"cache_dir {self.root} is writable by every user (mode "
                    f"{stat.S_IMODE(info.st_mode):o}); anyone could plant files there: use a "
                    f"private directory (chmod 700 {self.root})"
                )
            if info.st_uid not in (os.geteuid(), 0):
                raise UsageError(
                    f"cache_dir {self.root} belongs to another user (uid {info.st_uid}); "
                    "use a directory this process owns"
                )

    # -- files ----------------------------------------------------------------------
    def _dir(self, *parts: str) -> str:
        """``root/parts...``, created 0700; a symlink or file in the way is an error.

        Raises:
            OSError: if a component is not a real directory.
        """
        path = self.root
        for part in parts:
            path = join(path, part)
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                if not _is_private_dir(path):
                    raise OSError(
                        f"{path}: not a directory (a symlink?); refusing to use it"
                    ) from None
        return path

    def _readable(self, *parts: str) -> str | None:
        """``root/parts...`` if every component is a real directory, else None."""
        path = self.root
        for part in parts:
            path = join(path, part)
            if not _is_private_dir(path):
                return None
        return path

    def _write(self, folder: str, name: str, data: bytes) -> None:
        # Imported on first write: a warm start writes nothing and skips the imports of
        # tempfile and pathlib (plain os.path strings everywhere else here, for the same reason).
        from pathlib import Path

        from promptops.fsutil import atomic_write_bytes

        atomic_write_bytes(Path(folder) / name, data, mode=0o600)

    def _read(self, folder: str | None, name: str, limit: int) -> bytes | None:
        if folder is None:
            return None
        try:
            data = read_regular(join(folder, name), limit)
        except OSError:
            return None
        return data if len(data) <= limit else None

    # -- blobs ----------------------------------------------------------------------
    def get(self, digest: str, limit: int) -> bytes | None:
        """The blob with this sha256, or ``None`` if absent, oversized or corrupt."""
        data = self._read(self._readable("blobs"), digest, limit) if _HEX64.match(digest) else None
        if data is None or sha256_hex(data) == digest:
            return data
        self.discard(digest)
        return None

    def open_blob(self, digest: str, limit: int) -> Blob | None:
        """The blob named ``digest``, to be read where needed, NOT hashed: the caller
        checks what it reads against signed digests (a bundle's pages and prompts) and on
        a mismatch calls :meth:`discard`. ``None`` if absent, not a regular file, or
        oversized (:mod:`promptops.runtime.blob`)."""
        folder = self._readable("blobs") if _HEX64.match(digest) else None
        if folder is None:
            return None
        try:
            return open_file_blob(join(folder, digest), READ_FLAGS, limit)
        except OSError:
            return None

    def has(self, digest: str) -> bool:
        """Whether the blob ``digest`` is stored (as a regular file)."""
        folder = self._readable("blobs") if _HEX64.match(digest) else None
        try:
            return folder is not None and stat.S_ISREG(os.lstat(join(folder, digest)).st_mode)
        except OSError:
            return False

    def discard(self, digest: str) -> None:
        """Delete a corrupt blob (bit rot, a hand edit) so the next fetch replaces it."""
        folder = self._readable("blobs")
        if folder is not None and _HEX64.match(digest):
            with contextlib.suppress(OSError):
                os.unlink(join(folder, digest))

    def put(self, data: Blob, digest: str | None = None) -> str:
        """Store verified bytes under their sha256; returns the digest.

        ``digest``: the sha256 the caller already verified ``data`` against (saves hashing
        a large bundle a second time).

        Raises:
            OSError: if the cache directory cannot be written.
        """
        digest = digest or sha256_hex(bytes(data))
        folder = self._dir("blobs")
        path = join(folder, digest)
        try:
            # Kept: touch it, so a concurrent prune sees it as fresh (it is about to be named).
            os.utime(path, follow_symlinks=False)
            if stat.S_ISREG(os.lstat(path).st_mode):
                return digest
            os.unlink(path)  # something planted at a public name: replace it
        except FileNotFoundError:
            pass
        self._write(folder, digest, bytes(data))
        return digest

    def keep(self, digest: str) -> None:
        """Mark a stored blob as in use now (a concurrent :meth:`prune` keeps it)."""
        folder = self._readable("blobs") if _HEX64.match(digest) else None
        if folder is not None:
            with contextlib.suppress(OSError):
                os.utime(join(folder, digest), follow_symlinks=False)

    def prune(self, now: float | None = None) -> int:
        """Delete blobs that no record names (older than PRUNE_GRACE_SECONDS); returns
        how many. Called after a new release is recorded, so the cache holds what the
        records need and not every release ever fetched."""
        folder = self._readable("blobs")
        if folder is None:
            return 0
        keep = self._named_blobs()
        cutoff = (time.time() if now is None else now) - PRUNE_GRACE_SECONDS
        removed = 0
        for name in os.listdir(folder):
            if name in keep or not _HEX64.match(name):
                continue
            path = join(folder, name)
            with contextlib.suppress(OSError):
                if os.lstat(path).st_mtime < cutoff:
                    os.unlink(path)
                    removed += 1
        return removed

    def _named_blobs(self) -> set[str]:
        names: set[str] = set()
        lkg = self._readable("lkg")
        for key in os.listdir(lkg) if lkg else ():
            folder = self._readable("lkg", key)
            for serial in _numbers(folder, ".json") if folder else ():
                rec = self._record(folder, f"{serial}.json")
                names.update(v for v in (rec or {}).values() if isinstance(v, str))
        etags = self._readable("etags")
        for name in os.listdir(etags) if etags else ():
            rec = self._record(etags, name)
            if rec is not None and isinstance(rec.get("blob"), str):
                names.add(rec["blob"])
        return names

    # -- small JSON records ---------------------------------------------------------
    def _record(self, folder: str | None, name: str) -> dict[str, Any] | None:
        data = self._read(folder, name, _SMALL)
        if data is None:
            return None
        try:
            value = parse_json(data, where=name, max_bytes=_SMALL)
        except BundleError:
            return None
        return value if isinstance(value, dict) else None

    def _write_record(self, parts: tuple[str, ...], name: str, value: dict[str, Any]) -> bool:
        if self._record(self._readable(*parts), name) == value:
            return False  # a warm start re-verifies the same release: no write, no fsync
        self._write(self._dir(*parts), name, json.dumps(value, sort_keys=True).encode("utf-8"))
        return True

    def last_known_good(self, key: str) -> dict[str, str | None] | None:
        """The digests of the highest-serial release verified for ``key``, or ``None``."""
        # Another process may prune the record we listed before we open it, but only after
        # writing a newer one: list again. A few rounds bound it if the cache is damaged.
        for _ in range(_LIST_ROUNDS):
            folder = self._readable("lkg", key)
            serials = _numbers(folder, ".json") if folder else []
            if not serials:
                return None
            rec = self._record(folder, f"{max(serials)}.json")
            if rec is not None and isinstance(rec.get("bundle"), str):
                return {k: rec.get(k) if isinstance(rec.get(k), str) else None
                        for k in _LKG_FIELDS}  # fmt: skip
        return None

    def set_last_known_good(
        self,
        key: str,
        serial: int,
        *,
        bundle: str,
        manifest: str,
        pointer: str | None,
        canary_bundle: str | None = None,
        canary_manifest: str | None = None,
    ) -> bool:
        """Record a verified release as last-known-good for ``key``; True if that changed
        the record (a new release or a re-signed pointer). ``canary_*``: the second release
        of a canary pointer (ADR 0018).

        One record per serial and "highest wins", like :meth:`record_serial`: a process
        that verified serial 4 a moment after another verified 5 cannot move it back.

        Raises:
            OSError: if the cache directory cannot be written.
        """
        rec = {"bundle": bundle, "manifest": manifest, "pointer": pointer}
        if canary_bundle is not None:
            rec.update(canary_bundle=canary_bundle, canary_manifest=canary_manifest)
        changed = self._write_record(("lkg", key), f"{serial}.json", rec)
        if changed:
            _prune_below(self._dir("lkg", key), serial, ".json")
        return changed

    # -- serials --------------------------------------------------------------------
    def highest_serial(self, key: str) -> tuple[int, tuple[str, ...] | None] | None:
        """``(serial, signer key ids)`` of the highest serial recorded for ``key`` (a
        channel or release name of a trust chain); signers are ``None`` if unknown."""
        folder = self._readable("serials", key)
        serials = _numbers(folder, "") if folder else []
        if not serials:
            return None
        serial = max(serials)
        rec = self._record(folder, str(serial))
        signers = rec.get("signers") if rec is not None else None
        if isinstance(signers, list) and all(isinstance(s, str) for s in signers):
            return serial, tuple(signers)
        return serial, None

    def record_serial(self, key: str, serial: int, signers: tuple[str, ...]) -> None:
        """Record that ``serial``, signed by ``signers``, was trusted; lower ones are pruned.

        One file per serial and "highest wins" make this safe without locks: two processes
        recording 6 and 7 at once can never leave 6 as the highest.

        Raises:
            OSError: if the cache directory cannot be written.
        """
        if self._write_record(("serials", key), str(serial), {"signers": list(signers)}):
            _prune_below(self._dir("serials", key), serial, "")

    # -- trust versions -------------------------------------------------------------
    def trust_versions(self, chain: str, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Stored versions ``after + 1, after + 2, ...`` of trust chain ``chain``, up to
        the first gap (each to be verified again by the caller)."""
        folder = self._readable("trust", chain) if _HEX64.match(chain) else None
        have = set(_numbers(folder, ".json")) if folder else set()
        out: list[tuple[int, bytes]] = []
        version = after + 1
        while version in have:
            data = self._read(folder, f"{version}.json", limit)
            if data is None:
                break
            out.append((version, data))
            version += 1
        return out

    def put_trust(self, chain: str, version: int, data: bytes) -> None:
        """Store a verified trust version (its canonical envelope).

        Raises:
            OSError: if the cache directory cannot be written.
        """
        if _HEX64.match(chain):
            self._write(self._dir("trust", chain), f"{version}.json", data)

    def discard_trust(self, chain: str, version: int) -> None:
        """Drop a stored trust version that no longer verifies, and every later one."""
        folder = self._readable("trust", chain) if _HEX64.match(chain) else None
        if folder is None:
            return
        for n in _numbers(folder, ".json"):
            if n >= version:
                with contextlib.suppress(OSError):
                    os.unlink(join(folder, f"{n}.json"))

    # -- HTTP validators ------------------------------------------------------------
    def etag(self, url: str) -> tuple[str, str] | None:
        """``(etag, blob digest)`` of the last full response for ``url``."""
        rec = self._record(self._readable("etags"), f"{cache_key(url)}.json")
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
        self._write_record(("etags",), f"{cache_key(url)}.json", {"etag": etag, "blob": digest})

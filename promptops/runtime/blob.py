"""A cached bundle file, read where it is needed and never as a whole.

A ``release/v2`` manifest signs the page table of the bundle's index (ADR 0019), so the
runtime authenticates a prompt by reading one index page and the prompt itself: opening a
cached 77 MB bundle reads a few kilobytes. The file is not mapped (a file truncated in
place would kill the process with SIGBUS, ADR 0012) but read with ``pread`` from a
descriptor held open: a file replaced in the cache keeps the inode this reads, a
truncated one gives short reads, which fail their digest check like any other damage.
"""

from __future__ import annotations

import os
import stat
import threading

from cryptography.hazmat.primitives.hashes import SHA256, Hash

__all__ = ["FOLLOW_FLAGS", "READ_FLAGS", "FileBlob", "hash_ahead", "open_file_blob", "read_hashed"]

_CHUNK = 1024 * 1024
# How every file the runtime reads is opened: never through a symlink at the name, never
# blocking on a FIFO, never inherited by a child process.
READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# The same, following a symlink at the name (a published tree may be linked into place).
FOLLOW_FLAGS = READ_FLAGS & ~getattr(os, "O_NOFOLLOW", 0)


class FileBlob:
    """The bytes of a regular file, read on demand with ``pread``. Supports what
    :class:`~promptops.runtime.bundle.Bundle` uses: ``len``, contiguous slices, ``bytes``."""

    __slots__ = ("_fd", "size")

    def __init__(self, fd: int, size: int) -> None:
        self._fd = fd  # owned: closed with the blob
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __del__(self) -> None:
        # Closed with the blob (a snapshot the registry no longer serves).
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def _read(self, start: int, stop: int) -> bytes:
        parts = []
        while start < stop:
            got = os.pread(self._fd, stop - start, start)
            if not got:
                break  # truncated since it was opened: the caller's digest check says so
            parts.append(got)
            start += len(got)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def __getitem__(self, key: slice) -> bytes:
        start, stop, step = key.indices(self.size)
        if step != 1:
            raise ValueError("FileBlob supports contiguous slices only")
        return self._read(start, max(start, stop))

    def __bytes__(self) -> bytes:
        return self._read(0, self.size)


def open_file_blob(path: str, flags: int, limit: int) -> FileBlob | bytes | None:
    """The regular file at ``path`` (opened with ``flags``), or None if it is not a
    regular file or is over ``limit`` bytes. Where there is no ``pread`` (Windows) the
    file is read whole.

    Raises:
        OSError: if it cannot be opened or read.
    """
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if not hasattr(os, "pread"):
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
            return data if len(data) <= limit else None
        blob, fd = FileBlob(fd, info.st_size), -1
        return blob
    finally:
        if fd >= 0:
            os.close(fd)


def read_hashed(path: str, flags: int, limit: int) -> tuple[FileBlob, str] | None:
    """The regular file at ``path`` as a :class:`FileBlob`, and the sha256 of its bytes,
    hashed in one pass through a reused 1 MiB buffer; None if it is not a regular file,
    is over ``limit`` bytes, or has no ``pread``. Where :func:`hash_ahead` started this
    same read, its result is taken.

    For a bundle nothing will store (``promptops verify``, a registry without a cache):
    reading a 15 MB file into fresh memory and hashing it costs twice the time of hashing
    it as it streams (page faults, and a hash that runs out of the CPU cache). What is
    read later (pages and prompts, with ``pread``) is checked against signed digests
    again, so a file changed after hashing is caught, as for a cached bundle.

    Raises:
        OSError: if it cannot be opened or read.
    """
    ahead = _AHEAD.pop((path, flags, limit), None)
    if ahead is not None:
        ahead.join()
        if not ahead.failed:
            return ahead.result
        # It could not be read: read again, so this caller raises its own error.
    return _hash_blob(open_file_blob(path, flags, limit) if hasattr(os, "preadv") else None)


def _hash_blob(blob: FileBlob | bytes | None) -> tuple[FileBlob, str] | None:
    if not isinstance(blob, FileBlob):
        return None
    digest, size = Hash(SHA256()), 0
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while got := os.preadv(blob._fd, [buffer], size):
        digest.update(view[:got])
        size += got
    blob.size = size  # what was hashed (a file that grew or shrank since fstat)
    return blob, digest.finalize().hex()


class _Ahead(threading.Thread):
    """:func:`read_hashed` of one file, run on another thread (see :func:`hash_ahead`)."""

    def __init__(self, path: str, flags: int, limit: int) -> None:
        super().__init__(name="promptops-hash-ahead", daemon=True)
        self.job = (path, flags, limit)
        self.result: tuple[FileBlob, str] | None = None
        self.failed = False

    def run(self) -> None:
        path, flags, limit = self.job
        try:
            blob = open_file_blob(path, flags, limit) if hasattr(os, "preadv") else None
            self.result = _hash_blob(blob)
        except Exception:  # whatever it was, the caller's own read meets it again
            self.failed = True


_AHEAD: dict[tuple[str, int, int], _Ahead] = {}


def hash_ahead(path: str, flags: int, limit: int) -> None:
    """Start :func:`read_hashed` of ``path`` on another thread, for a later call with the
    same arguments to take.

    ``promptops verify`` calls it before its own imports: a 15 MB bundle is read and hashed
    on a second core (both let go of the GIL) while click, PyYAML and the runtime load,
    instead of after them. The bytes hashed are the ones the blob later reads: the
    descriptor is opened once, by the thread, exactly as :func:`read_hashed` opens it, and
    a file over ``limit`` is refused at its ``fstat`` as there, never read.
    """
    key = (path, flags, limit)
    if key not in _AHEAD:
        thread = _AHEAD[key] = _Ahead(path, flags, limit)
        thread.start()

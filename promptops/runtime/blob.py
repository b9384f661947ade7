"""A cached bundle, hashed in one pass and then read where it is needed.

Mapping the file (ADR 0008's first design) lets anyone who truncates it kill the process
with SIGBUS; reading it whole into fresh memory costs a page fault per 4 KiB (10 ms for a
15 MB bundle on the machine measured, more than hashing it). So a large file is read once
in 1 MiB pieces, through one reused buffer once past the index, and hashed as it goes
(a file up to 4 MiB is simply read and hashed whole); what the runtime uses
without reading the prompts (the header and index, the ``source`` object at the end) is
kept, and a prompt's bytes are read with ``pread`` when it is first served, from the file
that was hashed (held open: a replaced file keeps its inode). A file changed after hashing
is caught by the prompt's signed digest; a truncated one gives short reads, never a signal.
"""

from __future__ import annotations

import io
import os
import stat

from cryptography.hazmat.primitives.hashes import SHA256, Hash

__all__ = ["FileBlob", "read_hashed"]

_CHUNK = 1024 * 1024
# Up to this size a file is read and hashed whole: two calls, and the prompts in memory.
_WHOLE = 4 * 1024 * 1024
_TAIL = 64 * 1024  # the "source" object ends the bundle: a few hundred bytes
# The index ends with "]}" (or is "{}") right before the prompts (ADR 0002); index keys
# are prompt ids, which cannot hold "}" or a quote, so the first match is the index end.
_INDEX_END = b'},"prompts":'


class FileBlob:
    """A bundle file's bytes: the head (through the index) and the tail in memory, the
    rest read on demand. Supports what :class:`~promptops.runtime.bundle.Bundle` uses."""

    __slots__ = ("_file", "head", "size", "tail", "tail_at")

    def __init__(self, file: io.FileIO, head: bytes, tail: bytes, size: int) -> None:
        self._file = file  # kept open: the bytes hashed stay readable
        self.head = head
        self.tail = tail
        self.size = size
        self.tail_at = size - len(tail)

    def __len__(self) -> int:
        return self.size

    def __del__(self) -> None:
        # Closed with the blob (a snapshot the registry no longer serves), not left to
        # the file object's own finaliser, which warns.
        self._file.close()

    def _read(self, start: int, stop: int) -> bytes:
        if stop <= len(self.head):
            return self.head[start:stop]
        if start >= self.tail_at:
            return self.tail[start - self.tail_at : stop - self.tail_at]
        fd = self._file.fileno()
        parts = []
        while start < stop:
            got = os.pread(fd, stop - start, start)
            if not got:
                break  # truncated since: the caller's digest check says so
            parts.append(got)
            start += len(got)
        return b"".join(parts)

    def __getitem__(self, key: slice) -> bytes:
        start, stop, step = key.indices(self.size)
        if step != 1:
            raise ValueError("FileBlob supports contiguous slices only")
        return self._read(start, max(start, stop))

    def __bytes__(self) -> bytes:
        return self._read(0, self.size)

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        """Search the head (the header and the index, where all searches happen)."""
        return self.head.find(sub, start, len(self.head) if end is None else end)

    def rfind(self, sub: bytes) -> int:
        """Search the tail (the ``source`` object); the whole file if it is not there."""
        at = self.tail.rfind(sub)
        return self.tail_at + at if at >= 0 else bytes(self).rfind(sub)


def read_hashed(path: str, flags: int, limit: int) -> tuple[bytes | FileBlob, str] | None:
    """The regular file at ``path`` (opened with ``flags``) and its sha256 hex, or None if
    it is not a regular file or is over ``limit`` bytes.

    Few, large calls: each releases the GIL, and this runs on a second thread beside the
    manifest's verification, so every return to Python code can wait for the main thread.

    Raises:
        OSError: if it cannot be opened or read.
    """
    file = io.FileIO(os.open(path, flags), "rb", closefd=True)
    try:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            file.close()
            return None
        digest = Hash(SHA256())
        if info.st_size <= _WHOLE or not hasattr(os, "pread"):
            data = file.read(limit + 1)  # one read, one hash
            file.close()
            if len(data) > limit:
                return None
            digest.update(data)
            return data, digest.finalize().hex()
        head: list[bytes] = []
        size = 0
        while not head or not _found(head):  # the header and the index, kept
            chunk = file.read(_CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            head.append(chunk)
            size += len(chunk)
        buffer = bytearray(_CHUNK)  # the rest streams through one reused buffer
        view = memoryview(buffer)
        while got := file.readinto(buffer):
            size += got
            if size > limit:
                file.close()
                return None
            digest.update(view[:got])
        data = b"".join(head)
        if len(data) == size:
            file.close()
            return data, digest.finalize().hex()
        tail = os.pread(file.fileno(), min(size, _TAIL), size - min(size, _TAIL))
        return FileBlob(file, data, tail, size), digest.finalize().hex()
    except BaseException:
        file.close()
        raise


def _found(head: list[bytes]) -> bool:
    """Whether the index end is in what was kept (looking across the last boundary)."""
    last = head[-1]
    joined = head[-2][-len(_INDEX_END) :] + last if len(head) > 1 else last
    return joined.find(_INDEX_END) >= 0

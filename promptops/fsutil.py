"""Atomic file writes: a temp file in the same directory, fsync, then os.replace.

Standard library only: the runtime cache uses it too.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_many", "atomic_write_text"]


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int = 0o644, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    With ``overwrite=False`` the complete file is hard-linked into place, which fails if
    ``path`` exists: nothing is ever replaced, and the file never appears half-written.

    Raises:
        FileExistsError: with ``overwrite=False``, if ``path`` exists.
        OSError: if the directory cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Atomic write of UTF-8 text; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_many(files: Mapping[Path, bytes], *, mode: int = 0o644) -> None:
    """Write many files so that each is the old or the new one, never a part, and none is
    replaced unless every one was written.

    Every new file is written next to its target first; one ``os.sync`` then makes them all
    durable (one flush instead of an fsync per file, which dominates writing thousands of
    small files), and only then are they moved into place.

    Raises:
        OSError: if a file cannot be written; nothing has been replaced then.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, mode)
        os.sync()
        while temps:
            tmp, path = temps[0]
            os.replace(tmp, path)
            temps.pop(0)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise

"""Blob ids and bytes of a working tree's prompt sources."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from promptops.repo.config import Limits
from promptops.repo.types import Diagnostic

__all__ = ["ROOTS", "blob_id", "read_capped", "scan_directory"]

# The prompt sources: what `dirty` compares with HEAD and what a bundle is built from.
ROOTS = ("models.yaml", "models.yml", "prompts", "policies", "evals", "experiments")


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what `git hash-object` prints)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def read_capped(path: Path, limits: Limits) -> bytes | None:
    """The file's bytes; at most ``max_file_bytes + 1`` of them (enough to refuse it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks: list[bytes] = []
        want = limits.max_file_bytes + 1
        while want > 0 and (chunk := os.read(fd, min(want, 1 << 20))):
            chunks.append(chunk)
            want -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _walk(root: Path, rel: str, out: list[str], problems: list[Diagnostic], cap: int) -> None:
    try:
        entries = sorted(os.scandir(root / rel), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or len(out) > cap:
            continue
        path = f"{rel}/{entry.name}"
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            _walk(root, path, out, problems, cap)
        elif stat.S_ISREG(mode):
            out.append(path)
        elif stat.S_ISLNK(mode) and path.endswith((".yaml", ".yml")):
            problems.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "warning",
                    "unsupported-file",
                    "symbolic link ignored; commit the file itself",
                )
            )


def scan_directory(root: Path, limits: Limits) -> tuple[list[str], list[Diagnostic]]:
    """Regular files under the prompt sources of a plain directory (no git)."""
    found: list[str] = [name for name in ROOTS[:2] if (root / name).is_file()]
    problems: list[Diagnostic] = []
    for sub in ROOTS[2:]:
        _walk(root, sub, found, problems, limits.max_files)
    return found, problems

"""List the prompt sources of a working tree (blob ids via a stat cache) or of a git tree."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from promptops.repo.config import Limits
from promptops.repo.types import Diagnostic

__all__ = ["ROOTS", "StatEntry", "WorktreeListing", "blob_id", "scan_worktree"]

# The prompt sources: what `dirty` compares with HEAD and what a bundle is built from.
ROOTS = ("models.yaml", "prompts", "policies", "evals")
# Files modified this close to the stat cache's own write may change again within the
# file system's timestamp granularity without a visible stat change (git's "racy" files).
_RACY_NS = 2_000_000_000

# (size, mtime_ns, ctime_ns, inode, blob id)
StatEntry = tuple[int, int, int, int, str]


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what `git hash-object` prints)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


@dataclass
class WorktreeListing:
    """path -> blob id for every regular file under ROOTS; bytes of the files read."""

    files: dict[str, str] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    stats: dict[str, StatEntry] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


def _walk(
    root: Path,
    rel: str,
    out: list[tuple[str, os.stat_result]],
    problems: list[Diagnostic],
    limits: Limits,
) -> None:
    try:
        entries = sorted(os.scandir(root / rel), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = f"{rel}/{entry.name}"
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            _walk(root, path, out, problems, limits)
        elif stat.S_ISREG(st.st_mode):
            out.append((path, st))
        elif stat.S_ISLNK(st.st_mode) and path.endswith(".yaml"):
            problems.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "error",
                    "unsupported-file",
                    "symbolic links are not followed; commit the file itself",
                )
            )
        if len(out) > limits.max_files:
            return


def scan_worktree(
    root: Path, limits: Limits, cache: dict[str, StatEntry], cache_stamp: int
) -> WorktreeListing:
    """Blob ids of the working tree's prompt sources, reading only files whose stat changed.

    ``cache`` holds the previous run's stat entries, written at ``cache_stamp`` (ns).
    """
    found: list[tuple[str, os.stat_result]] = []
    listing = WorktreeListing()
    try:
        st = os.stat(root / "models.yaml")
        found.append(("models.yaml", st))
    except OSError:
        pass
    for sub in ROOTS[1:]:
        _walk(root, sub, found, listing.problems, limits)
    if len(found) > limits.max_files:
        listing.problems.append(
            Diagnostic(
                "prompts",
                1,
                1,
                "error",
                "too-many-files",
                f"more than {limits.max_files} files under models.yaml, prompts/, policies/ and "
                f"evals/; the limit is {limits.max_files}",
            )
        )
        found = found[: limits.max_files]
    for path, st in found:
        old = cache.get(path)
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if old is not None and old[:4] == sig and st.st_mtime_ns < cache_stamp - _RACY_NS:
            listing.files[path] = old[4]
            listing.stats[path] = old
            continue
        if st.st_size > limits.max_file_bytes:
            listing.files[path] = f"size:{st.st_size}"
            listing.contents[path] = b""
            listing.problems.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "error",
                    "too-large",
                    f"file is {st.st_size} bytes; the limit is {limits.max_file_bytes} bytes",
                )
            )
            continue
        try:
            data = (root / path).read_bytes()
        except OSError as exc:
            listing.problems.append(
                Diagnostic(path, 1, 1, "error", "unreadable", f"cannot read file: {exc.strerror}")
            )
            continue
        oid = blob_id(data)
        listing.files[path] = oid
        listing.contents[path] = data
        listing.stats[path] = (*sig, oid)
    return listing

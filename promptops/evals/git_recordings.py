"""Recordings read from a git commit (``promptops eval --ref``, behaviour diffs): no checkout.

The recordings tree is listed once (one ``ls-tree``); the first lookup under a prompt's
directory reads every recording of that prompt with one batched ``cat-file``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from promptops.errors import UsageError
from promptops.evals.recordings import RECORDINGS_DIR, RecordingSource
from promptops.repo.gitio import git_repo_for

__all__ = ["git_source"]


def git_source(root: Path, ref: str) -> RecordingSource:
    """Read ``evals/recordings/`` of the prompt repository at ``root`` as of ``ref``.

    Raises:
        UsageError: if ``root`` is not in a git repository or ``ref`` names no commit.
    """
    git = git_repo_for(root)
    if git is None:
        raise UsageError(f"{root} is not inside a git repository; --ref needs git")
    _, tree = git.resolve(ref)
    rel_root = root.resolve().relative_to(git.top.resolve()).as_posix()
    prefix = "" if rel_root == "." else rel_root + "/"
    lock = threading.Lock()
    listing: dict[str, tuple[str, int]] | None = None
    blobs: dict[str, bytes] = {}
    loaded_dirs: set[str] = set()

    def read(rel: str) -> bytes | None:
        nonlocal listing
        with lock:
            if listing is None:
                listing = git.ls_tree(tree, prefix, [RECORDINGS_DIR])
            entry = listing.get(rel)
            if entry is None:
                return None
            oid = entry[0]
            directory = rel.rpartition("/")[0]
            if directory not in loaded_dirs:
                same_dir = (e[0] for p, e in listing.items() if p.rpartition("/")[0] == directory)
                oids = sorted(set(same_dir))
                blobs.update(git.cat_blobs(oids))
                loaded_dirs.add(directory)
            return blobs.get(oid)

    return read

"""Where the bytes come from: a working tree or a git tree, listed without reading blobs.

Working tree: git's index already caches a stat signature and blob id per file, so
``git diff-files`` names the few files to re-read and hash. A commit: one ``ls-tree -r``,
then one ``cat-file --batch`` for just the blobs the result cache lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.config import Limits
from promptops.repo.gitio import GitRepo, Meanwhile
from promptops.repo.sources import ROOTS, blob_id, read_capped, scan_directory
from promptops.repo.types import Diagnostic, SourceInfo

__all__ = ["Snapshot", "prefix_of", "snapshot_contents", "snapshot_ref", "snapshot_worktree"]

Reader = Callable[[list[str]], dict[str, bytes]]


@dataclass
class Snapshot:
    """The prompt sources to check: path -> blob id, a reader for bytes, the source info."""

    files: dict[str, str]
    read: Reader
    source: SourceInfo
    problems: list[Diagnostic] = field(default_factory=list)
    # Working tree only: its directory (workers read files themselves) and bytes already read.
    local_root: Path | None = None
    contents: dict[str, bytes] = field(default_factory=dict)
    # Canonical path -> the file's real name, for files spelled .yml (see names.py).
    actual: dict[str, str] = field(default_factory=dict)


def prefix_of(git: GitRepo, root: Path) -> str:
    """The path of ``root`` inside the git work tree, with a trailing slash (or \"\")."""
    rel = root.resolve().relative_to(git.top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def snapshot_ref(
    git: GitRepo, root: Path, ref: str, limits: Limits, meanwhile: Meanwhile = None
) -> Snapshot:
    """The prompt sources of commit ``ref``, read from git objects without a checkout.

    Raises:
        UsageError: unknown ref, or no models.yaml at the root in that commit.
    """
    commit, tree = git.resolve(ref)
    prefix = prefix_of(git, root)
    listing = git.ls_tree(tree, prefix, ROOTS, meanwhile)
    if "models.yaml" not in listing and "models.yml" not in listing:
        raise UsageError(
            f"no models.yaml at '{prefix or './'}' in {ref} ({commit[:12]}); "
            "pass the path of the prompt repository"
        )
    files = {p: oid for p, (oid, _) in listing.items()}

    def read(paths: list[str]) -> dict[str, bytes]:
        # An oversized blob is never read: cap + 1 bytes stand in, which the parser refuses.
        big = {p for p in paths if listing[p][1] > limits.max_file_bytes}
        blobs = git.cat_blobs(sorted({files[p] for p in paths if p not in big}))
        out = {p: blobs[files[p]] for p in paths if files[p] in blobs and p not in big}
        out.update(dict.fromkeys(big, b" " * (limits.max_file_bytes + 1)))
        return out

    return Snapshot(files, read, SourceInfo(commit, tree, False, ref))


def _reader(root: Path, limits: Limits, contents: dict[str, bytes]) -> Reader:
    def read(paths: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for p in paths:
            data = contents.get(p)
            if data is None:
                data = read_capped(root / p, limits)
            if data is not None:
                out[p] = data
        return out

    return read


def snapshot_worktree(
    git: GitRepo | None, root: Path, limits: Limits, meanwhile: Meanwhile = None
) -> Snapshot:
    """The working tree's prompt sources; clean (``dirty`` False) when they equal HEAD's."""
    contents: dict[str, bytes] = {}
    if git is None:
        paths, problems = scan_directory(root, limits)
        files: dict[str, str] = {}
        for p in paths:
            data = read_capped(root / p, limits)
            if data is not None:
                contents[p], files[p] = data, blob_id(data)
        return Snapshot(
            files,
            _reader(root, limits, contents),
            SourceInfo(None, None, True),
            problems,
            root,
            contents,
        )
    prefix = prefix_of(git, root)
    head, index, changed, state = git.worktree_state(prefix, ROOTS, meanwhile)
    files = dict(index)
    for p in [*changed, *(p for p, oid in index.items() if oid == "conflict")]:
        data = read_capped(root / p, limits)
        if data is None:  # deleted in the working tree
            files.pop(p, None)
            continue
        contents[p], files[p] = data, blob_id(data)
    if head is None:
        source = SourceInfo(None, None, True)
    elif state == "staged":
        # Staged edits may have been undone in the working tree: compare with HEAD itself.
        head_files = {p: oid for p, (oid, _) in git.ls_tree(head[1], prefix, ROOTS).items()}
        source = SourceInfo(head[0], head[1], head_files != files)
    else:
        source = SourceInfo(head[0], head[1], state != "clean")
    return Snapshot(files, _reader(root, limits, contents), source, [], root, contents)


def snapshot_contents(root: Path, contents: dict[str, bytes]) -> Snapshot:
    """Sources given as bytes (path -> bytes) rather than read from a directory: a
    repository that exists only in memory, as ``promptops import`` checks what it would
    write before writing it."""
    files = {p: blob_id(data) for p, data in contents.items()}

    def read(paths: list[str]) -> dict[str, bytes]:
        return {p: contents[p] for p in paths if p in contents}

    return Snapshot(files, read, SourceInfo(None, None, True), [], root, dict(contents))

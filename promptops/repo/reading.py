"""Where the bytes come from: a working tree or a git tree, listed at the cost of the change.

A commit: the listing of a state stored for its tree, else one derived from the nearest
stored state with ``git diff-tree`` (git skips every subtree whose tree id is unchanged),
else one ``ls-tree -r``; blobs are read with one ``cat-file --batch``, oversized ones never.
The working tree: HEAD's listing (as for a commit) plus one ``git status --porcelain=v2``,
which names every file whose bytes may differ from HEAD with HEAD's and the index's blob
ids (git's index is the stat cache); only the files it says differ on disk are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.config import Limits
from promptops.repo.gitio import GitRepo, Meanwhile
from promptops.repo.sources import ROOTS, blob_id, read_capped, scan_directory
from promptops.repo.state import State, StateSource
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
    # The git tree the listing starts from and the working tree's differences from it.
    tree: str | None = None
    overrides: dict[str, str | None] = field(default_factory=dict)
    # The stored state the listing was derived from, and the (real) paths whose blob
    # differs from that state's listing; None when there was no state to start from.
    base: State | None = None
    changed: set[str] | None = None


def prefix_of(git: GitRepo, root: Path) -> str:
    """The path of ``root`` inside the git work tree, with a trailing slash (or "")."""
    rel = root.resolve().relative_to(git.top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def _tree_listing(
    git: GitRepo,
    prefix: str,
    tree: str,
    states: StateSource | None,
    meanwhile: Meanwhile,
    worktree: State | None = None,
    at_tree: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, int], State | None, set[str] | None]:
    """(listing of ``tree``, blob sizes when listed whole, the state it came from, the paths
    that differ from that state's listing). For the working tree, the last working-tree
    state on the same commit is the nearest start (it already holds the edits in progress),
    and ``at_tree`` holds blobs of ``tree`` already known (git status names them)."""
    if states is not None:
        if meanwhile is not None:
            meanwhile()
            meanwhile = None
        base = worktree
        if base is None or base.tree != tree:
            exact = states.for_tree(tree)
            if exact is not None:
                return dict(exact.files), {}, exact, set()
            base = base or states.nearest()
        if base is not None and base.tree is not None:
            files = dict(base.files)
            diff = git.diff_trees(base.tree, tree, prefix, ROOTS) if base.tree != tree else {}
            # Where the state's working tree differed from its tree, ask this tree.
            stale = [p for p in base.overrides if p not in diff]
            known = at_tree or {}
            found = {p: known[p] for p in stale if p in known}
            found.update(git.blobs_at(tree, prefix, [p for p in stale if p not in known]))
            touched = {**{p: found.get(p) for p in stale}, **diff}
            for path, oid in touched.items():
                if oid is None:
                    files.pop(path, None)
                else:
                    files[path] = oid
            changed = {p for p in touched if files.get(p) != base.files.get(p)}
            return files, {}, base, changed
    listing = git.ls_tree(tree, prefix, ROOTS, meanwhile)
    return {p: oid for p, (oid, _) in listing.items()}, dict(listing.values()), None, None


def _git_reader(
    git: GitRepo, files: dict[str, str], sizes: dict[str, int], limits: Limits
) -> Reader:
    def read(paths: list[str]) -> dict[str, bytes]:
        oids = {p: files[p] for p in paths if p in files}
        unknown = [oid for oid in oids.values() if oid not in sizes]
        sizes.update(git.blob_sizes(unknown))
        # An oversized blob is never read: cap + 1 bytes stand in, which the parser refuses.
        big = {p for p, oid in oids.items() if sizes.get(oid, 0) > limits.max_file_bytes}
        blobs = git.cat_blobs(sorted({oid for p, oid in oids.items() if p not in big}))
        out = {p: blobs[oid] for p, oid in oids.items() if oid in blobs and p not in big}
        out.update(dict.fromkeys(big, b" " * (limits.max_file_bytes + 1)))
        return out

    return read


def snapshot_ref(
    git: GitRepo,
    root: Path,
    ref: str,
    limits: Limits,
    states: StateSource | None = None,
    meanwhile: Meanwhile = None,
) -> Snapshot:
    """The prompt sources of commit ``ref``, read from git objects without a checkout.

    Raises:
        UsageError: unknown ref, or no models.yaml at the root in that commit.
    """
    commit, tree = git.resolve(ref)
    prefix = prefix_of(git, root)
    files, sizes, base, changed = _tree_listing(git, prefix, tree, states, meanwhile)
    if "models.yaml" not in files and "models.yml" not in files:
        raise UsageError(
            f"no models.yaml at '{prefix or './'}' in {ref} ({commit[:12]}); "
            "pass the path of the prompt repository"
        )
    return Snapshot(
        files,
        _git_reader(git, files, sizes, limits),
        SourceInfo(commit, tree, False, ref),
        tree=tree,
        base=base,
        changed=changed,
    )


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


def _plain_directory(root: Path, limits: Limits) -> Snapshot:
    contents: dict[str, bytes] = {}
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


def _unborn(git: GitRepo, root: Path, limits: Limits, meanwhile: Meanwhile) -> Snapshot:
    """A repository without commits: the index plus the working tree's differences."""
    contents: dict[str, bytes] = {}
    prefix = prefix_of(git, root)
    _, index, changed, _ = git.worktree_state(prefix, ROOTS, meanwhile)
    files = dict(index)
    for p in [*changed, *(p for p, oid in index.items() if oid == "conflict")]:
        data = read_capped(root / p, limits)
        if data is None:  # deleted in the working tree
            files.pop(p, None)
            continue
        contents[p], files[p] = data, blob_id(data)
    return Snapshot(
        files, _reader(root, limits, contents), SourceInfo(None, None, True), [], root, contents
    )


def _touched(*groups: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for g in groups:
        out.update(g)
    return out


def snapshot_worktree(
    git: GitRepo | None,
    root: Path,
    limits: Limits,
    states: StateSource | None = None,
    meanwhile: Meanwhile = None,
) -> Snapshot:
    """The working tree's prompt sources; clean (``dirty`` False) when they equal HEAD's.

    Raises:
        UsageError: git status fails.
    """
    if git is None:
        return _plain_directory(root, limits)
    prefix = prefix_of(git, root)
    nearest: list[State | None] = []
    # The last state is read while git status runs (the two dominate a load after a change).
    head, entries, at_head = git.status(
        prefix, ROOTS, lambda: nearest.append(states.nearest() if states else None)
    )
    if head is None:
        return _unborn(git, root, limits, meanwhile)
    files, _, base, changed = _tree_listing(
        git, prefix, head[1], states, meanwhile, nearest[0], at_head
    )
    before = dict(files) if base is None else base.files
    contents: dict[str, bytes] = {}
    overrides: dict[str, str | None] = {}
    for entry in entries:
        path = entry.path
        blob: str | None
        if entry.on_disk:
            data = read_capped(root / path, limits)
            blob = None if data is None else blob_id(data)
            if data is not None:
                contents[path] = data
        else:
            blob = entry.index_blob or None
        if blob is None:
            files.pop(path, None)
        else:
            files[path] = blob
        # Staged and then undone on disk, an entry can equal HEAD: no difference then.
        if blob != at_head.get(path):
            overrides[path] = blob
        else:
            overrides.pop(path, None)
    if changed is not None:
        changed = {
            p
            for p in _touched(changed, (e.path for e in entries), base.overrides if base else ())
            if files.get(p) != before.get(p)
        }
    return Snapshot(
        files,
        _reader(root, limits, contents),
        SourceInfo(head[0], head[1], bool(overrides)),
        [],
        root,
        contents,
        tree=head[1],
        overrides=overrides,
        base=base,
        changed=changed,
    )


def snapshot_contents(root: Path, contents: dict[str, bytes]) -> Snapshot:
    """Sources given as bytes (path -> bytes) rather than read from a directory: a
    repository that exists only in memory, as ``promptops import`` checks what it would
    write before writing it."""
    files = {p: blob_id(data) for p, data in contents.items()}

    def read(paths: list[str]) -> dict[str, bytes]:
        return {p: contents[p] for p in paths if p in contents}

    return Snapshot(files, read, SourceInfo(None, None, True), [], root, dict(contents))

"""Where the bytes come from: a working tree (stat cache) or a git tree (ls-tree + cat-file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.cache import load_stat_cache, save_stat_cache
from promptops.repo.config import Limits
from promptops.repo.gitio import GitRepo
from promptops.repo.sources import ROOTS, scan_worktree
from promptops.repo.types import Diagnostic, SourceInfo

__all__ = ["Snapshot", "snapshot_ref", "snapshot_worktree"]


@dataclass
class Snapshot:
    """The prompt sources to check: path -> blob id, a reader for blobs, the source info."""

    files: dict[str, str]
    read: Callable[[list[str]], dict[str, bytes]]
    source: SourceInfo
    problems: list[Diagnostic] = field(default_factory=list)


def _prefix(git: GitRepo, root: Path) -> str:
    rel = root.resolve().relative_to(git.top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def snapshot_ref(git: GitRepo, root: Path, ref: str, limits: Limits) -> Snapshot:
    """The prompt sources of commit ``ref``, read from git objects without a checkout.

    Raises:
        UsageError: unknown ref, or no models.yaml at the root in that commit.
    """
    commit, tree = git.resolve(ref)
    prefix = _prefix(git, root)
    files = git.ls_tree(tree, prefix, ROOTS)
    if "models.yaml" not in files:
        raise UsageError(
            f"no models.yaml at '{prefix or './'}' in {ref} ({commit[:12]}); "
            "pass the path of the prompt repository"
        )
    problems: list[Diagnostic] = []
    if len(files) > limits.max_files:
        problems.append(
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
        files = dict(list(files.items())[: limits.max_files])

    def read(paths: list[str]) -> dict[str, bytes]:
        blobs = git.cat_blobs(sorted({files[p] for p in paths}))
        return {p: blobs[files[p]] for p in paths if files[p] in blobs}

    return Snapshot(files, read, SourceInfo(commit, tree, False, ref), problems)


def snapshot_worktree(
    git: GitRepo | None, root: Path, limits: Limits, cache_dir: Path | None
) -> Snapshot:
    """The working tree's prompt sources; ``dirty`` compares their blob ids with HEAD's."""
    stats, stamp = load_stat_cache(cache_dir, root)
    listing = scan_worktree(root, limits, stats, stamp)
    if listing.stats != stats:
        save_stat_cache(cache_dir, root, listing.stats)
    source = SourceInfo(None, None, True)
    if git is not None and (head := git.head()) is not None:
        head_files = git.ls_tree(head[1], _prefix(git, root), ROOTS)
        source = SourceInfo(head[0], head[1], head_files != listing.files)

    def read(paths: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for p in paths:
            data = listing.contents.get(p)
            if data is None:
                try:
                    data = (root / p).read_bytes()
                except OSError:
                    continue
            out[p] = data
        return out

    return Snapshot(listing.files, read, source, listing.problems)

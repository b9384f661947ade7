"""``promptops init``: write a small prompt repository that validates cleanly.

The files come from ``promptops/templates/init/`` (package data) plus the JSON Schemas under
``.promptops/schemas/``, which the templates' ``# yaml-language-server: $schema=`` lines
point at. Nothing is ever overwritten: every target is checked before the first write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath

from promptops.errors import PromptopsError
from promptops.fsutil import atomic_write_bytes
from promptops.spec.export import export_schemas, render_schema, schema_filename

__all__ = ["SCHEMA_DIR", "ExistingFilesError", "InitResult", "init_repository", "scaffold_files"]

# Where init puts the editor schemas, relative to the repository root.
SCHEMA_DIR = PurePosixPath(".promptops/schemas")

# Written only when the target has no .gitignore yet (an existing one is the user's, kept
# as it is): `promptops release` and `build` write into dist/ by default.
GITIGNORE = b"# Build output of promptops build / release (publish it, do not commit it).\ndist/\n"


class ExistingFilesError(PromptopsError):
    """The target already holds files init would write; nothing was written."""

    def __init__(self, root: Path, paths: list[str]) -> None:
        self.root = root
        self.paths = paths
        super().__init__(
            f"refusing to overwrite existing files in {root}: {', '.join(paths)}; "
            "nothing was written. Move them aside or choose another directory"
        )


@dataclass(frozen=True)
class InitResult:
    """What init did: files written (relative POSIX paths, sorted) and whether it ran git init."""

    root: Path
    files: list[str]
    git_initialized: bool


def _walk(node: Traversable, prefix: PurePosixPath) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for child in node.iterdir():
        rel = prefix / child.name
        if child.is_dir():
            found.update(_walk(child, rel))
        else:
            found[str(rel)] = child.read_bytes()
    return found


def scaffold_files() -> dict[str, bytes]:
    """Every file init writes: relative POSIX path -> bytes, sorted by path."""
    files = _walk(resources.files("promptops").joinpath("templates", "init"), PurePosixPath())
    for kind, schema in export_schemas().items():
        files[str(SCHEMA_DIR / schema_filename(kind))] = render_schema(schema).encode("utf-8")
    return dict(sorted(files.items()))


def _conflicts(root: Path, rels: list[str]) -> list[str]:
    """Targets that exist (any type, broken symlinks too) or sit below a non-directory."""
    if os.path.lexists(root) and not root.is_dir():
        return ["."]
    taken: set[str] = set()
    for rel in rels:
        parts = PurePosixPath(rel).parts
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            path = root.joinpath(*parts[:depth])
            is_last = depth == len(parts)
            if os.path.lexists(path) and (is_last or not path.is_dir()):
                taken.add(sub)
                break
    return sorted(taken)


def _inside_git_work_tree(root: Path) -> bool:
    import git  # GitPython is slow to import; only init and repo reading need it

    probe = root
    while not probe.exists():
        probe = probe.parent
    try:
        git.Repo(probe, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    return True


def _git_init(root: Path) -> None:
    import git

    try:
        git.Repo.init(root)
    except git.GitCommandError as exc:
        raise PromptopsError(f"git init failed in {root}: {exc.stderr.strip()}") from None
    except git.GitCommandNotFound:
        raise PromptopsError("git init failed: git is not installed or not on PATH") from None


def init_repository(target: Path) -> InitResult:
    """Scaffold a prompt repository in ``target`` (created if missing).

    Runs ``git init`` when ``target`` is not inside a git work tree; never commits. Adds a
    ``.gitignore`` ignoring ``dist/`` unless one exists.

    Raises:
        ExistingFilesError: if any file init would write already exists (nothing is written).
        PromptopsError: if git init or a write fails.
    """
    root = target.absolute()
    files = scaffold_files()
    taken = _conflicts(root, list(files))
    if taken:
        raise ExistingFilesError(target, taken)
    run_git_init = not _inside_git_work_tree(root)
    if run_git_init:
        _git_init(root)
    if not os.path.lexists(root / ".gitignore"):
        files = {".gitignore": GITIGNORE, **files}
    for rel, data in files.items():
        path = root.joinpath(*PurePosixPath(rel).parts)
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise PromptopsError(f"cannot write {path}: {exc.strerror or exc}") from None
    return InitResult(root=target, files=list(files), git_initialized=run_git_init)

"""Write one file's new content as a commit on a new branch, without touching the working
tree or the index (git plumbing on a temporary index)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from promptops.errors import UsageError

__all__ = ["amend_message", "commit_file_on_branch", "head_file"]


def _git(
    cwd: Path,
    *args: str,
    data: str | None = None,
    env: dict[str, str] | None = None,
    strip: bool = True,
) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, input=data, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    if proc.returncode != 0:
        raise UsageError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}")
    return proc.stdout.strip() if strip else proc.stdout


def head_file(root: Path, rel: str) -> tuple[str, str]:
    """``(text of rel at HEAD, its path from the top of the git work tree)``.

    Raises:
        UsageError: if ``root`` is not in a git repository with a commit holding ``rel``.
    """
    prefix = _git(root, "rev-parse", "--show-prefix")
    path = f"{prefix}{rel}"
    return _git(root, "show", f"HEAD:{path}", strip=False), path


def commit_file_on_branch(root: Path, path: str, text: str, branch: str, message: str) -> str:
    """Commit HEAD's tree with ``path`` (from the top of the work tree) set to ``text`` as a
    child of HEAD on the new branch ``branch``; returns the commit id.

    Raises:
        UsageError: if the branch exists already or git fails.
    """
    ref = f"refs/heads/{branch}"
    exists = subprocess.run(["git", "rev-parse", "--verify", "-q", ref], cwd=root,
                            capture_output=True).returncode == 0  # fmt: skip
    if exists:
        raise UsageError(f"branch {branch!r} exists already; delete it or pass --branch NAME")
    blob = _git(root, "hash-object", "-w", "--stdin", data=text)
    with tempfile.TemporaryDirectory(prefix="promptops-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(root, "read-tree", "HEAD", env=env)
        _git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = _git(root, "write-tree", env=env)
    commit = _git(root, "commit-tree", tree, "-p", "HEAD", "-F", "-", data=message)
    _git(root, "update-ref", ref, commit, "")
    return commit


def amend_message(root: Path, branch: str, message: str) -> str:
    """Replace the message of the tip commit of ``branch`` (same tree, same parent).

    Raises:
        UsageError: if git fails.
    """
    ref = f"refs/heads/{branch}"
    old = _git(root, "rev-parse", ref)
    tree = _git(root, "rev-parse", f"{old}^{{tree}}")
    parent = _git(root, "rev-parse", f"{old}^")
    commit = _git(root, "commit-tree", tree, "-p", parent, "-F", "-", data=message)
    _git(root, "update-ref", ref, commit, old)
    return commit

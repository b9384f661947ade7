"""Which two trees a diff compares, as git and GitHub mean the arguments.

- ``diff A...B``: from the merge base of A and B to B (what a pull request of B into A
  changes; GitHub's "Files changed").
- ``diff A..B`` or ``diff A B``: from A to B, exactly.
- ``diff BRANCH``: from the merge base of BRANCH and HEAD to the working tree, so commits
  BRANCH gained after this branch left it are not reported as this branch's changes.

An empty side of a range means HEAD (``main...`` is ``main...HEAD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.gitio import git_repo_for

__all__ = ["RefRange", "resolve_range"]


@dataclass(frozen=True)
class RefRange:
    """What to load on each side (``head`` None: the working tree) and how to name it.

    ``merge_base_of`` is set when ``base`` is the merge base of two refs (whose names it
    holds), which every report says in its header.
    """

    base: str
    head: str | None
    base_name: str
    head_name: str | None
    merge_base_of: tuple[str, str] | None = None


def _split(spec: str) -> tuple[str, str, str] | None:
    for dots in ("...", ".."):
        if dots in spec:
            left, _, right = spec.partition(dots)
            return left or "HEAD", dots, right or "HEAD"
    return None


def _merge_base(root: Path, left: str, right: str) -> str:
    git = git_repo_for(root)
    if git is None:
        raise UsageError(f"{root} is not inside a git repository; diff needs git")
    for ref in (left, right):
        git.resolve(ref)  # a clear "unknown git ref" first
    base = git.merge_base(left, right)
    if base is None:
        raise UsageError(
            f"{left} and {right} have no common ancestor; compare them directly with "
            f"`promptops diff {left}..{right}`"
        )
    return base


def resolve_range(root: Path, base: str, head: str | None = None) -> RefRange:
    """Read ``diff BASE [HEAD]`` arguments (see the module docstring).

    Raises:
        UsageError: a range together with HEAD, an unknown ref, two refs without a common
            ancestor, or ``diff BRANCH`` in a repository without commits.
    """
    parts = _split(base)
    if parts is not None:
        if head is not None:
            raise UsageError(
                f"'{base}' is already a range; pass either BASE HEAD or one range (A..B or A...B)"
            )
        left, dots, right = parts
        if dots == "..":
            return RefRange(left, right, left, right)
        return RefRange(_merge_base(root, left, right), right, left, right, (left, right))
    if head is not None:
        return RefRange(base, head, base, head)
    git = git_repo_for(root)
    if git is not None and git.head() is None:
        raise UsageError(
            f"there is no commit yet to find the merge base of {base} and HEAD; commit "
            "first (git add -A && git commit)"
        )
    return RefRange(_merge_base(root, base, "HEAD"), None, base, None, (base, "HEAD"))

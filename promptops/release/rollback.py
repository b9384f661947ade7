"""``promptops rollback TO``: restore the content of a release as one new commit.

Rollback moves forward: the next ``promptops release`` gets a higher serial with the old
content, so clients that refuse lower serials (rollback protection) accept it. It restores
content, never trust: ``policies/signers.yaml`` and ``policies/trust/`` stay as they are
now, so a key revoked since the target release stays revoked and a key added since stays
trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from promptops.errors import UsageError
from promptops.release import _git

__all__ = ["CONTENT", "RollbackResult", "rollback"]

# What a release's content is made of; the trust policy is deliberately not in it.
CONTENT = ("prompts", "models.yaml", "policies/tools.yaml", "policies/rules.yaml", "evals")


@dataclass(frozen=True)
class RollbackResult:
    target: str
    current: str | None
    commit: str
    message: str


def _in_tree(root: Path, ref: str, path: str) -> bool:
    return bool(_git.git(root, "ls-tree", "--name-only", ref, "--", path).stdout.strip())


def rollback(root: Path, to: str) -> RollbackResult:
    """Commit the content (prompts/, models.yaml, policies/tools.yaml, policies/rules.yaml,
    evals/) of release ``to`` on top of HEAD, with message ``Revert prompts to TO (from
    CURRENT)`` and a body saying the trust policy was left as it is.

    Raises:
        UsageError: if ``to`` is not a release tag, the prompt sources are dirty, or they
            already equal those of ``to``.
    """
    if _git.toplevel(root) is None:
        raise UsageError(f"{root}: not inside a git repository")
    tags = _git.release_tags(root)
    if to not in tags:
        known = ", ".join(sorted(tags, key=lambda n: tags[n].serial)) or "none yet"
        raise UsageError(f"{to!r} is not a promptops release tag (releases: {known})")
    dirty = _git.dirty_sources(root)
    if dirty:
        raise UsageError(
            f"uncommitted changes to prompt sources ({', '.join(dirty[:5])}); commit or "
            "discard them before rolling back"
        )
    current = max(tags.values(), key=lambda t: t.serial).name if tags else None
    paths = [p for p in CONTENT if _in_tree(root, "HEAD", p) or _in_tree(root, to, p)]
    same = _git.git(root, "diff", "--quiet", "HEAD", tags[to].commit, "--", *paths, check=False)
    if same.returncode == 0:
        raise UsageError(f"the content already equals that of release {to}; nothing to revert")
    # Remove what HEAD has, then take exactly what the release had: files added since
    # the release disappear, files deleted since come back.
    _git.git(root, "rm", "-r", "-q", "--ignore-unmatch", "--", *paths)
    restore = [p for p in paths if _in_tree(root, to, p)]
    if restore:
        _git.git(root, "checkout", tags[to].commit, "--", *restore)
    message = f"Revert prompts to {to} (from {current})"
    body = (
        f"Restores the content of release {to}: {', '.join(CONTENT)}.\n"
        "The trust policy (policies/signers.yaml, policies/trust/) is left as it is now: a "
        "rollback restores content, never trust."
    )
    _git.git(root, "commit", "-q", "-m", message, "-m", body, "--", *paths)
    return RollbackResult(
        target=to, current=current, commit=_git.head_commit(root), message=message
    )

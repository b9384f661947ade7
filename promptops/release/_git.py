"""The few git plumbing calls releases need: status, tags, tree checks.

Plain ``git`` subprocesses: each is one cheap call, and the exact plumbing flags say what
is meant more clearly than a wrapper library would.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from promptops.errors import UsageError

__all__ = [
    "PROMPT_SOURCES",
    "ReleaseTag",
    "blob",
    "create_tag",
    "default_branch",
    "dirty_sources",
    "git",
    "head_commit",
    "is_ancestor",
    "is_ignored",
    "release_tags",
    "tag_exists",
    "toplevel",
]

# What a release is made of; everything else in the repository may change freely.
PROMPT_SOURCES = ("prompts", "models.yaml", "models.yml", "policies", "evals")
_SERIAL = re.compile(r"^promptops-serial: (\d+)$", re.M)
_BUNDLE = re.compile(r"^promptops-bundle: sha256:([0-9a-f]{64})$", re.M)


def git(
    cwd: Path, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run git in ``cwd`` (``stdin``: text fed to it).

    Raises:
        UsageError: if git fails and ``check`` is set (its stderr is the message).
    """
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=stdin)
    except FileNotFoundError as exc:
        raise UsageError("git is not installed or not on PATH") from exc
    if check and out.returncode != 0:
        raise UsageError(f"git {' '.join(args)} failed in {cwd}: {out.stderr.strip()}")
    return out


def blob(cwd: Path, spec: str) -> bytes | None:
    """The bytes of ``spec`` (``REV:path``), or None if there is no such blob.

    Raises:
        UsageError: if git is not installed.
    """
    try:
        out = subprocess.run(["git", "cat-file", "blob", spec], cwd=cwd, capture_output=True)
    except FileNotFoundError as exc:
        raise UsageError("git is not installed or not on PATH") from exc
    return out.stdout if out.returncode == 0 else None


def toplevel(path: Path) -> Path | None:
    """The work tree holding ``path`` (or its nearest existing parent), or None."""
    probe = path if path.is_dir() else path.parent
    while not probe.exists():
        probe = probe.parent
    out = git(probe, "rev-parse", "--show-toplevel", check=False)
    return Path(out.stdout.strip()) if out.returncode == 0 else None


def is_ignored(root: Path, path: Path) -> bool:
    """True if git ignores ``path`` (which need not exist) in ``root``; a tracked file is not
    ignored, whatever the patterns say. The path goes to git on stdin, never on its
    command line (where other users' ``ps`` and CI logs could see it)."""
    out = git(root, "check-ignore", "-q", "--stdin", check=False, stdin=str(path) + "\n")
    return out.returncode == 0


def dirty_sources(root: Path) -> list[str]:
    """Prompt source paths with uncommitted changes (untracked files included)."""
    out = git(root, "status", "--porcelain", "--untracked-files=all", "--", *PROMPT_SOURCES)
    return [line[3:] for line in out.stdout.splitlines() if line.strip()]


def head_commit(root: Path) -> str:
    """HEAD's commit id.

    Raises:
        UsageError: if the repository has no commit yet.
    """
    return git(root, "rev-parse", "--verify", "HEAD^{commit}").stdout.strip()


@dataclass(frozen=True)
class ReleaseTag:
    """An annotated tag written by ``promptops release``."""

    name: str
    serial: int
    bundle_sha256: str | None
    commit: str
    message: str = ""


def release_tags(root: Path) -> dict[str, ReleaseTag]:
    """Every annotated tag whose message records a promptops serial, by name."""
    fmt = "%(refname:strip=2)%1f%(objecttype)%1f%(*objectname)%1f%(contents)%1e"
    out = git(root, "for-each-ref", f"--format={fmt}", "refs/tags").stdout
    tags: dict[str, ReleaseTag] = {}
    for record in out.split("\x1e"):
        fields = record.lstrip("\n").split("\x1f")
        if len(fields) != 4 or fields[1] != "tag":
            continue
        name, _, commit, message = fields
        serial = _SERIAL.search(message)
        if serial is None:
            continue
        bundle = _BUNDLE.search(message)
        tags[name] = ReleaseTag(
            name=name,
            serial=int(serial.group(1)),
            bundle_sha256=bundle.group(1) if bundle else None,
            commit=commit,
            message=message,
        )
    return tags


def is_ancestor(root: Path, commit: str, ref: str) -> bool:
    """Whether ``commit`` is reachable from ``ref``."""
    out = git(root, "merge-base", "--is-ancestor", commit, ref, check=False)
    return out.returncode == 0


def default_branch(root: Path) -> str:
    """The repository's default branch: what ``origin/HEAD`` names, else ``origin/main`` or
    ``origin/master``, else the local ``main`` or ``master``.

    Raises:
        UsageError: if none exists (pass the branch explicitly).
    """
    head = git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD", check=False)
    if head.returncode == 0 and head.stdout.strip():
        return head.stdout.strip()
    for ref in ("origin/main", "origin/master", "main", "master"):
        if (
            git(root, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False).returncode
            == 0
        ):
            return ref
    raise UsageError(
        "cannot tell the repository's default branch (no origin/HEAD, main or master); "
        "pass --branch BRANCH"
    )


def tag_exists(root: Path, name: str) -> bool:
    return (
        git(root, "rev-parse", "-q", "--verify", f"refs/tags/{name}", check=False).returncode == 0
    )


def create_tag(root: Path, name: str, commit: str, message: str) -> None:
    """Create the annotated tag ``name`` on ``commit``.

    Raises:
        UsageError: if the tag exists or git refuses.
    """
    if tag_exists(root, name):
        raise UsageError(f"tag {name!r} already exists; choose a new release name")
    git(root, "tag", "-a", name, commit, "-m", message)

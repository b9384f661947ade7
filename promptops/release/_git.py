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
    "create_tag",
    "dirty_sources",
    "git",
    "head_commit",
    "is_ignored",
    "release_tags",
    "tag_exists",
    "toplevel",
]

# What a release is made of; everything else in the repository may change freely.
PROMPT_SOURCES = ("prompts", "models.yaml", "models.yml", "policies", "evals")
_SERIAL = re.compile(r"^promptops-serial: (\d+)$", re.M)
_BUNDLE = re.compile(r"^promptops-bundle: sha256:([0-9a-f]{64})$", re.M)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``cwd``.

    Raises:
        UsageError: if git fails and ``check`` is set (its stderr is the message).
    """
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise UsageError("git is not installed or not on PATH") from exc
    if check and out.returncode != 0:
        raise UsageError(f"git {' '.join(args)} failed in {cwd}: {out.stderr.strip()}")
    return out


def toplevel(path: Path) -> Path | None:
    """The work tree holding ``path`` (or its nearest existing parent), or None."""
    probe = path if path.is_dir() else path.parent
    while not probe.exists():
        probe = probe.parent
    out = git(probe, "rev-parse", "--show-toplevel", check=False)
    return Path(out.stdout.strip()) if out.returncode == 0 else None


def is_ignored(root: Path, path: Path) -> bool:
    """True if git ignores ``path`` (which need not exist) in ``root``; a tracked file is not
    ignored, whatever the patterns say."""
    return git(root, "check-ignore", "-q", str(path), check=False).returncode == 0


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
        )
    return tags


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

"""``promptops log``: how prompts changed across commits, and which release shipped what.

Every commit touching the prompt sources is compiled from git objects; the compile cache
is keyed by content, so only prompts that changed between commits cost anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.compile import build
from promptops.errors import UsageError, ValidationError
from promptops.release import _git

__all__ = ["MAX_LOG_COMMITS", "LogEntry", "prompt_log"]

MAX_LOG_COMMITS = 200


@dataclass(frozen=True)
class LogEntry:
    """One commit that touched the prompt sources, newest first in a log."""

    commit: str
    date: str
    subject: str
    releases: tuple[str, ...]
    # id -> digest at this commit (only the requested prompt, when one is given).
    digests: dict[str, str] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    invalid: bool = False  # this commit does not validate, so it has no bundle

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date,
            "subject": self.subject,
            "releases": list(self.releases),
            "digests": self.digests,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
            "invalid": self.invalid,
        }


def _commits(root: Path, limit: int) -> list[tuple[str, str, str]]:
    fmt = "--format=%H%x1f%cI%x1f%s"
    out = _git.git(root, "log", fmt, f"-n{limit}", "--", *_git.PROMPT_SOURCES).stdout
    rows = [line.split("\x1f", 2) for line in out.splitlines() if line]
    return [(r[0], r[1], r[2]) for r in rows if len(r) == 3]


def prompt_log(
    root: Path, prompt_id: str | None = None, *, limit: int = MAX_LOG_COMMITS
) -> list[LogEntry]:
    """The history of ``prompt_id`` (or of every prompt), newest first: per commit what
    was added, removed or changed, with the releases tagged on that commit.

    Raises:
        UsageError: if ``root`` is not a git repository, or ``prompt_id`` never existed.
    """
    if _git.toplevel(root) is None:
        raise UsageError(f"{root}: not inside a git repository")
    by_commit: dict[str, list[str]] = {}
    for tag in sorted(_git.release_tags(root).values(), key=lambda t: t.serial):
        by_commit.setdefault(tag.commit, []).append(tag.name)
    entries: list[LogEntry] = []
    previous: dict[str, str] = {}
    seen = False
    for commit, date, subject in reversed(_commits(root, min(limit, MAX_LOG_COMMITS))):
        try:
            digests = dict(build(root, ref=commit).prompts)
        except ValidationError:
            entries.append(
                LogEntry(commit, date, subject, tuple(by_commit.get(commit, ())), invalid=True)
            )
            continue
        if prompt_id is not None:
            digests = {k: v for k, v in digests.items() if k == prompt_id}
            seen = seen or bool(digests)
        added = tuple(sorted(digests.keys() - previous.keys()))
        removed = tuple(sorted(previous.keys() - digests.keys()))
        changed = tuple(
            sorted(k for k in digests.keys() & previous.keys() if digests[k] != previous[k])
        )
        releases = tuple(by_commit.get(commit, ()))
        if added or removed or changed or releases:
            # Without a prompt id, list digests only for what changed: not 10,000 per row.
            shown = digests if prompt_id else {k: digests[k] for k in (*added, *changed)}
            entries.append(
                LogEntry(commit, date, subject, releases, shown, added, removed, changed)
            )
        previous = digests
    if prompt_id is not None and not seen:
        raise UsageError(f"prompt {prompt_id!r} does not appear in the last {limit} commits")
    entries.reverse()
    return entries

"""``promptops log``: how prompts changed across commits, and which release shipped what.

Every listed commit is compared with its parent, never with the previous row: a change is
credited to the commit that made it. By default the walk follows first parents (the
history of the branch as it was merged, as GitHub shows a branch), so a merge carries what
it brought in; ``all_parents`` lists the side branches' commits too, and then a merge
carries only what differs from every parent (a conflict resolution). A prompt whose file
was renamed with the same content is a rename, and the log of it follows the old name.
Commits are compiled from git objects; the compile cache is keyed by content, so only
prompts that changed between commits cost anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.compile import build
from promptops.errors import UsageError, ValidationError
from promptops.release import _git

__all__ = ["MAX_LOG_COMMITS", "LogEntry", "prompt_log"]

MAX_LOG_COMMITS = 200
# How far back along first parents a commit that does not validate looks for a baseline.
_MAX_BASELINE_WALK = 50

Digests = dict[str, str]


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
    renamed: tuple[tuple[str, str], ...] = ()  # (old id, new id), same content
    merge: bool = False

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
            "renamed": [list(pair) for pair in self.renamed],
            "merge": self.merge,
            "invalid": self.invalid,
        }


@dataclass(frozen=True)
class _Row:
    commit: str
    parents: tuple[str, ...]
    date: str
    subject: str


def _commits(root: Path, limit: int, all_parents: bool) -> list[_Row]:
    fmt = "--format=%H%x1f%P%x1f%cI%x1f%s"
    walk = [] if all_parents else ["--first-parent"]
    args = ["log", fmt, *walk, f"-n{limit}", "--", *_git.PROMPT_SOURCES]
    if _git.git(root, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0:
        # git's own words here are its command line and "does not have any commits yet".
        raise UsageError(
            f"no commit yet in {root}, so no history to show; commit first "
            "(git add -A && git commit)"
        )
    out = _git.git(root, *args).stdout
    rows = [line.split("\x1f", 3) for line in out.splitlines() if line]
    return [_Row(r[0], tuple(r[1].split()), r[2], r[3]) for r in rows if len(r) == 4]


class _History:
    """Per-commit digests (None: does not validate), computed once each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._digests: dict[str, Digests | None] = {}

    def digests(self, commit: str) -> Digests | None:
        if commit not in self._digests:
            try:
                self._digests[commit] = dict(build(self.root, ref=commit).prompts)
            except ValidationError:
                self._digests[commit] = None
            except UsageError:  # no prompt repository at that commit (yet)
                self._digests[commit] = {}
        return self._digests[commit]

    def valid_ancestor(self, commit: str) -> str | None:
        """``commit``, or its nearest first-parent ancestor that validates (a broken
        commit has no bundle to compare with); None when there is none nearby."""
        for _ in range(_MAX_BASELINE_WALK):
            if self.digests(commit) is not None:
                return commit
            parent = _git.git(self.root, "rev-parse", "-q", "--verify", f"{commit}^", check=False)
            if parent.returncode != 0:
                return None
            commit = parent.stdout.strip()
        return None

    def baseline(self, commit: str) -> Digests:
        found = self.valid_ancestor(commit)
        return (self.digests(found) or {}) if found is not None else {}

    def shapes(self, commit: str, ids: set[str]) -> dict[str, str]:
        """A digest of each prompt's compiled object without its id and path: equal
        shapes under two ids mean a rename."""
        bundle = build(self.root, ref=commit)
        out = {}
        for pid in ids:
            obj = {k: v for k, v in bundle.prompt(pid).items() if k not in ("id", "path")}
            out[pid] = sha256_hex(canonical_bytes(obj))
        return out


def _delta(now: Digests, befores: list[Digests]) -> tuple[list[str], list[str], list[str]]:
    """(added, removed, changed) at a commit whose parents had ``befores``: only what
    differs from every parent is this commit's own change."""
    added, removed, changed = [], [], []
    for pid in sorted(now.keys() | {k for b in befores for k in b}):
        value = now.get(pid)
        if any(b.get(pid) == value for b in befores):
            continue
        if value is None:
            removed.append(pid)
        elif all(pid not in b for b in befores):
            added.append(pid)
        else:
            changed.append(pid)
    return added, removed, changed


def _renames(
    history: _History, row: _Row, added: list[str], removed: list[str]
) -> list[tuple[str, str]]:
    if not added or not removed or not row.parents:
        return []
    parent = history.valid_ancestor(row.parents[0])
    if parent is None:
        return []
    by_shape = {shape: pid for pid, shape in history.shapes(parent, set(removed)).items()}
    after = history.shapes(row.commit, set(added))
    return [(by_shape[s], pid) for pid, s in sorted(after.items()) if s in by_shape]


def _entry(history: _History, row: _Row, releases: tuple[str, ...], all_parents: bool) -> LogEntry:
    now = history.digests(row.commit)
    merge = len(row.parents) > 1
    if now is None:
        return LogEntry(row.commit, row.date, row.subject, releases, invalid=True, merge=merge)
    parents = row.parents if all_parents else row.parents[:1]
    befores = [history.baseline(p) for p in parents] or [{}]
    added, removed, changed = _delta(now, befores)
    renamed = _renames(history, row, added, removed)
    gone = {old for old, _ in renamed} | {new for _, new in renamed}
    return LogEntry(
        row.commit,
        row.date,
        row.subject,
        releases,
        now,
        tuple(p for p in added if p not in gone),
        tuple(p for p in removed if p not in gone),
        tuple(changed),
        renamed=tuple(renamed),
        merge=merge,
    )


def _only(entry: LogEntry, tracked: set[str], shown: Mapping[str, str]) -> LogEntry:
    return LogEntry(
        entry.commit,
        entry.date,
        entry.subject,
        entry.releases,
        dict(shown),
        tuple(p for p in entry.added if p in tracked),
        tuple(p for p in entry.removed if p in tracked),
        tuple(p for p in entry.changed if p in tracked),
        entry.invalid,
        tuple(pair for pair in entry.renamed if pair[1] in tracked),
        entry.merge,
    )


def prompt_log(
    root: Path,
    prompt_id: str | None = None,
    *,
    limit: int = MAX_LOG_COMMITS,
    all_parents: bool = False,
) -> list[LogEntry]:
    """The history of ``prompt_id`` (or of every prompt), newest first: per commit what
    was added, removed, renamed or changed relative to its parent, with the releases
    tagged on that commit. ``all_parents`` walks every parent, not only first parents.

    Raises:
        UsageError: if ``root`` is not a git repository, or ``prompt_id`` never existed.
    """
    if _git.toplevel(root) is None:
        raise UsageError(f"{root}: not inside a git repository")
    by_commit: dict[str, list[str]] = {}
    for tag in sorted(_git.release_tags(root).values(), key=lambda t: t.serial):
        by_commit.setdefault(tag.commit, []).append(tag.name)
    history = _History(root)
    tracked = {prompt_id} if prompt_id is not None else None
    seen = False
    entries: list[LogEntry] = []
    for row in _commits(root, min(limit, MAX_LOG_COMMITS), all_parents):
        entry = _entry(history, row, tuple(by_commit.get(row.commit, ())), all_parents)
        if entry.invalid:
            entries.append(entry)
            continue
        if tracked is None:
            # Every prompt: digests only for what this commit touched, not 10,000 per row.
            touched = [*entry.added, *entry.changed, *(new for _, new in entry.renamed)]
            if touched or entry.removed or entry.releases:
                shown_now = {p: entry.digests[p] for p in touched}
                entries.append(dataclasses.replace(entry, digests=shown_now))
            continue
        # Newest first: a rename's old name is followed into the older commits.
        shown = {p: d for p, d in entry.digests.items() if p in tracked}
        seen = seen or bool(shown) or any(p in tracked for p in entry.removed)
        mine = _only(entry, tracked, shown)
        tracked |= {old for old, new in entry.renamed if new in tracked}
        if mine.added or mine.removed or mine.changed or mine.renamed or (entry.releases and shown):
            entries.append(mine)
    if prompt_id is not None and not seen:
        raise UsageError(f"prompt {prompt_id!r} does not appear in the last {limit} commits")
    return entries

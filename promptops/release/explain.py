"""``promptops explain``: from a digest seen in a trace back to the reviewed change.

A prompt digest (``promptops.prompt.sha256`` on a span), a bundle digest or a release name
is found among the release tags (each tagged commit compiled from git objects, the compile
cache making repeats cheap); for a prompt, the history of its own files is walked back to
the commit that first produced exactly that digest. Then the mainline commit through which
that change arrived is found (a merge commit, or the change itself for squash and rebase
merges) and its pull-request reference read from the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.compile import build
from promptops.errors import UsageError, ValidationError
from promptops.release import _git
from promptops.release.history import MAX_LOG_COMMITS

__all__ = ["Explanation", "FileAtCommit", "explain"]

_DIGEST = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")
# Pull-request references in merge and squash messages: GitHub, GitLab, Bitbucket.
_PR_PATTERNS = (
    re.compile(r"^Merge pull request (#\d+)", re.M),
    re.compile(r"See merge request (\S+![0-9]+)"),
    re.compile(r"\(pull request (#\d+)\)"),
    re.compile(r"\((#\d+)\)\s*$", re.M),
)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str
    subject: str
    body: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FileAtCommit:
    path: str
    text: str | None  # None for shared files listed by path only (models.yaml, tools)


@dataclass(frozen=True)
class Explanation:
    """What a digest or release name is, and which reviewed change produced it."""

    query: str
    kind: str  # "prompt", "bundle" or "release"
    digest: str | None
    prompt_id: str | None
    releases: tuple[tuple[str, int, str], ...]  # (name, serial, commit), oldest first
    commit: Commit  # the change that produced it (for a release: the tagged commit)
    merge: Commit | None  # the mainline merge that brought ``commit`` in, if any
    pull_request: str | None
    files: tuple[FileAtCommit, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "kind": self.kind,
            "digest": self.digest,
            "prompt_id": self.prompt_id,
            "releases": [{"name": n, "serial": s, "commit": c} for n, s, c in self.releases],
            "commit": self.commit.to_dict(),
            "merge": self.merge.to_dict() if self.merge else None,
            "pull_request": self.pull_request,
            "files": [{"path": f.path, "text": f.text} for f in self.files],
        }


def _commit(root: Path, sha: str) -> Commit:
    fmt = "--format=%H%x1f%an <%ae>%x1f%aI%x1f%s%x1f%b"
    out = _git.git(root, "show", "-s", fmt, sha).stdout
    full, author, date, subject, body = out.split("\x1f", 4)
    return Commit(full, author, date, subject, body.strip())


def _digests(root: Path, commit: str) -> dict[str, str]:
    try:
        return dict(build(root, ref=commit).prompts)
    except ValidationError:
        return {}  # a commit that does not validate has no digests


def _prompt_files(root: Path, commit: str, prompt_id: str) -> tuple[FileAtCommit, ...]:
    obj = build(root, ref=commit).prompt(prompt_id)
    ids = [*obj["system"], *sorted(obj["partials"])]
    own = [obj["path"], *(p for i in ids if (p := _find_source(root, commit, i)) is not None)]
    files = [FileAtCommit(p, _git.git(root, "show", f"{commit}:{p}").stdout) for p in own]
    shared = ["models.yaml"] + (["policies/tools.yaml"] if obj["tools"] else [])
    return tuple(files + [FileAtCommit(p, None) for p in shared])


def _find_source(root: Path, commit: str, doc_id: str) -> str | None:
    for ext in (".yaml", ".yml"):
        path = f"prompts/{doc_id}{ext}"
        if _git.git(root, "cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0:
            return path
    return None


def _introduced(root: Path, start: str, prompt_id: str, digest: str) -> str:
    """The oldest commit in ``start``'s history since which ``prompt_id`` has ``digest``."""
    paths = [f.path for f in _prompt_files(root, start, prompt_id)]
    log = _git.git(root, "log", "--format=%H", f"-n{MAX_LOG_COMMITS}", start, "--", *paths)
    found = start
    for sha in log.stdout.split():
        if _digests(root, sha).get(prompt_id) != digest:
            break
        found = sha
    return found


def _merge(root: Path, commit: str, target: str) -> Commit | None:
    """The mainline (first-parent) commit of ``target`` through which ``commit`` arrived,
    if that is a different commit (a merge); ``None`` when ``commit`` is on the mainline."""
    mainline = _git.git(root, "rev-list", "--first-parent", target).stdout.split()
    if commit in mainline:
        return None
    after = set(_git.git(root, "rev-list", "--ancestry-path", f"{commit}..{target}").stdout.split())
    for sha in reversed(mainline):
        if sha in after:
            return _commit(root, sha)
    return None


def _pull_request(*commits: Commit | None) -> str | None:
    for c in commits:
        if c is None:
            continue
        for pattern in _PR_PATTERNS:
            m = pattern.search(f"{c.subject}\n{c.body}")
            if m:
                return m.group(1)
    return None


def explain(root: Path, query: str) -> Explanation:
    """Explain ``query``: ``sha256:HEX`` of a prompt or a bundle, or a release name.

    Raises:
        UsageError: if ``root`` is not a git repository or nothing matches ``query``.
    """
    if _git.toplevel(root) is None:
        raise UsageError(f"{root}: not inside a git repository")
    tags = sorted(_git.release_tags(root).values(), key=lambda t: t.serial)
    m = _DIGEST.match(query)
    if m is None:
        tag = next((t for t in tags if t.name == query), None)
        if tag is None:
            known = ", ".join(t.name for t in tags[-5:]) or "none"
            raise UsageError(
                f"{query!r} is neither sha256:<64 hex digits> nor a release (latest: {known})"
            )
        return _explain_release(root, query, "release", tag)
    digest = m.group(1)
    for tag in tags:
        if tag.bundle_sha256 == digest:
            return _explain_release(root, query, "bundle", tag)
    shipping: list[tuple[str, int, str]] = []
    prompt_id = None
    for tag in tags:
        ids = [pid for pid, d in _digests(root, tag.commit).items() if d == digest]
        if ids:
            prompt_id = prompt_id or ids[0]
            shipping.append((tag.name, tag.serial, tag.commit))
    start = shipping[0][2] if shipping else None
    if start is None:  # not released: search the recent history itself
        log = _git.git(root, "log", "--format=%H", f"-n{MAX_LOG_COMMITS}", "--",
                       *_git.PROMPT_SOURCES)  # fmt: skip
        for sha in log.stdout.split():
            ids = [pid for pid, d in _digests(root, sha).items() if d == digest]
            if ids:
                start, prompt_id = sha, ids[0]
                break
    if start is None or prompt_id is None:
        raise UsageError(
            f"no release, and none of the last {MAX_LOG_COMMITS} commits, has a prompt or "
            f"bundle with digest sha256:{digest}"
        )
    introduced = _commit(root, _introduced(root, start, prompt_id, digest))
    merge = _merge(root, introduced.sha, start)
    return Explanation(
        query=query,
        kind="prompt",
        digest=digest,
        prompt_id=prompt_id,
        releases=tuple(shipping),
        commit=introduced,
        merge=merge,
        pull_request=_pull_request(merge, introduced),
        files=_prompt_files(root, introduced.sha, prompt_id),
    )


def _explain_release(root: Path, query: str, kind: str, tag: _git.ReleaseTag) -> Explanation:
    commit = _commit(root, tag.commit)
    changed = _git.git(root, "show", "--format=", "--name-only", tag.commit, "--",
                       *_git.PROMPT_SOURCES).stdout.split()  # fmt: skip
    return Explanation(
        query=query,
        kind=kind,
        digest=tag.bundle_sha256,
        prompt_id=None,
        releases=((tag.name, tag.serial, tag.commit),),
        commit=commit,
        merge=None,
        pull_request=_pull_request(commit),
        files=tuple(FileAtCommit(p, None) for p in changed),
    )

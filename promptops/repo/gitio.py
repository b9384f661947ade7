"""Thin git plumbing: rev-parse, one ls-tree per tree, one batched cat-file per read.

Plumbing through subprocess rather than GitPython's object walk: one ``ls-tree -r`` lists a
10,000-blob tree several times faster, and ``cat-file --batch`` reads only the blobs the
cache does not already hold.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from promptops.errors import UsageError

__all__ = ["GitRepo", "Meanwhile", "StatusEntry", "git_repo_for"]

# Work to overlap with a running git command (e.g. loading the result cache).
Meanwhile = Callable[[], None] | None


# A regular file's modes; symbolic links (120000) and submodules (160000) are not sources.
_FILE_MODES = ("100644", "100755")
_NO_OID = "0" * 40


class StatusEntry(tuple[str, str, str, str]):
    """One ``git status --porcelain=v2`` entry: (path, index side X, work-tree side Y, the
    blob to use when only the index differs ("" when deleted there)), path relative to the
    prompt root. ``'?'`` marks untracked files and ``'u'`` conflicts (both read from disk)."""

    __slots__ = ()

    @property
    def path(self) -> str:
        return self[0]

    @property
    def on_disk(self) -> bool:
        """Whether the working tree's bytes decide (they differ from the index)."""
        return self[2] != "."

    @property
    def index_blob(self) -> str:
        return self[3]


def _popen(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _run(cwd: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)


class GitRepo:
    """A git work tree: its top level, git dir, and the prefix of the prompt root in it."""

    def __init__(self, top: Path, git_dir: Path) -> None:
        self.top = top
        self.git_dir = git_dir

    def resolve(self, ref: str) -> tuple[str, str]:
        """(commit, tree) of ``ref``.

        Raises:
            UsageError: ``ref`` names no commit.
        """
        if ref.startswith("-") or not ref.strip():
            raise UsageError(f"invalid git ref '{ref}'")
        proc = _run(self.top, "rev-parse", "-q", f"{ref}^{{commit}}", f"{ref}^{{tree}}")
        lines = proc.stdout.decode().split()
        if proc.returncode != 0 or len(lines) != 2:
            raise UsageError(
                f"unknown git ref '{ref}'; expected a branch, tag or commit "
                f"(see 'git log --oneline')"
            )
        return lines[0], lines[1]

    def merge_base(self, left: str, right: str) -> str | None:
        """The best common ancestor of two commits, or None when they share no history."""
        if left.startswith("-") or right.startswith("-"):
            return None  # never an option to git
        proc = _run(self.top, "merge-base", left, right)
        lines = proc.stdout.decode().split()
        return lines[0] if proc.returncode == 0 and lines else None

    def head(self) -> tuple[str, str] | None:
        """(commit, tree) of HEAD, or None in a repository without commits."""
        try:
            return self.resolve("HEAD")
        except UsageError:
            return None

    def ls_tree(
        self, tree: str, prefix: str, roots: Iterable[str], meanwhile: Meanwhile = None
    ) -> dict[str, tuple[str, int]]:
        """(blob id, size) of every regular file under ``roots``, relative to ``prefix``;
        ``meanwhile`` runs while git works."""
        proc = self._z(["ls-tree", "-r", "-l", "-z", "--full-tree", tree], prefix, roots, meanwhile)
        out: dict[str, tuple[str, int]] = {}
        for entry in proc:
            meta, _, path = entry.partition("\t")
            mode, kind, oid, size = meta.split()
            if kind == "blob" and mode != "120000":
                out[path[len(prefix) :]] = (oid, int(size))
        return out

    @staticmethod
    def _parse_index(text: str, prefix: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for entry in text.split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, oid, stage = meta.split()
            if mode not in ("120000", "160000"):
                # A conflicted path has no stage-0 entry; an impossible id marks it changed.
                out[path[len(prefix) :]] = oid if stage == "0" else "conflict"
        return out

    def worktree_state(
        self, prefix: str, roots: Iterable[str], meanwhile: Meanwhile = None
    ) -> tuple[tuple[str, str] | None, dict[str, str], list[str], str]:
        """(HEAD's commit and tree, index blob ids, paths whose working-tree bytes differ
        from the index or are untracked, and "clean", "changed" (only the working tree
        differs) or "staged" (the index differs from HEAD)).

        git's index is a stat cache: ``git status`` names the few files to re-read and hash.
        The three git commands run concurrently, and ``meanwhile`` while they do.
        """
        specs = ["--", *(f"{prefix}{r}" for r in roots)]
        procs = [
            _popen(self.top, "rev-parse", "-q", "HEAD^{commit}", "HEAD^{tree}"),
            _popen(self.top, "ls-files", "-s", "-z", *specs),
            _popen(
                self.top,
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--no-renames",
                *specs,
            ),
        ]
        if meanwhile is not None:
            meanwhile()
        outs = [p.communicate()[0] for p in procs]
        head_ids = outs[0].decode().split()
        head = (
            (head_ids[0], head_ids[1]) if procs[0].returncode == 0 and len(head_ids) == 2 else None
        )
        if procs[1].returncode != 0 or procs[2].returncode != 0:
            raise UsageError(f"git status failed in {self.top}")
        index = self._parse_index(outs[1].decode("utf-8", "surrogateescape"), prefix)
        changed: list[str] = []
        entries = [e for e in outs[2].decode("utf-8", "surrogateescape").split("\0") if e]
        for entry in entries:
            worktree_side, path = entry[1], entry[3:]
            if worktree_side != " " and path.startswith(prefix):
                changed.append(path[len(prefix) :])
        staged = any(e[0] not in " ?" for e in entries)
        state = "staged" if staged else "changed" if entries else "clean"
        return head, index, changed, state

    def status(
        self, prefix: str, roots: Iterable[str], meanwhile: Meanwhile = None
    ) -> tuple[tuple[str, str] | None, list[StatusEntry], dict[str, str]]:
        """(HEAD's commit and tree, every entry of one ``git status --porcelain=v2 -z``
        under ``roots``, HEAD's blob of each tracked entry).

        git's index is a stat cache: status names the few files whose bytes may differ from
        HEAD (staged or not, untracked, conflicted), each with HEAD's and the index's blob
        ids, so nothing else of the tree has to be listed or read.

        Raises:
            UsageError: git status failed.
        """
        specs = ["--", *(f"{prefix}{r}" for r in roots)]
        head_proc = _popen(self.top, "rev-parse", "-q", "HEAD^{commit}", "HEAD^{tree}")
        status_proc = _popen(
            self.top, "status", "--porcelain=v2", "-z", "--untracked-files=all",
            "--no-renames", *specs,
        )  # fmt: skip
        if meanwhile is not None:
            meanwhile()
        head_out = head_proc.communicate()[0].decode().split()
        out = status_proc.communicate()[0]
        if status_proc.returncode != 0:
            raise UsageError(f"git status failed in {self.top}")
        head = (
            (head_out[0], head_out[1]) if head_proc.returncode == 0 and len(head_out) == 2 else None
        )
        entries: list[StatusEntry] = []
        at_head: dict[str, str] = {}
        n = len(prefix)
        for raw in out.decode("utf-8", "surrogateescape").split("\0"):
            if not raw:
                continue
            kind = raw[0]
            if kind == "?":
                path = raw[2:]
                if path.startswith(prefix):
                    entries.append(StatusEntry((path[n:], "?", "?", "")))
            elif kind == "1":
                # 1 XY sub mH mI mW hH hI path
                fields = raw.split(" ", 8)
                path = fields[8]
                if not path.startswith(prefix):
                    continue
                xy, m_index, m_tree = fields[1], fields[4], fields[5]
                h_head, h_index = fields[6], fields[7]
                if fields[3] in _FILE_MODES:
                    at_head[path[n:]] = h_head
                index_blob = h_index if m_index in _FILE_MODES else ""
                y = xy[1] if m_tree in _FILE_MODES or xy[1] == "D" else "D"
                if y == "." and m_tree not in _FILE_MODES and m_index in _FILE_MODES:
                    index_blob = ""  # no longer a regular file
                entries.append(StatusEntry((path[n:], xy[0], y, index_blob)))
            elif kind == "u":
                # u XY sub m1 m2 m3 mW h1 h2 h3 path: a conflict, decided by the disk
                fields = raw.split(" ", 10)
                path = fields[10]
                if path.startswith(prefix):
                    if fields[3] in _FILE_MODES:
                        at_head[path[n:]] = fields[7]
                    entries.append(StatusEntry((path[n:], "u", "u", "")))
        return head, entries, at_head

    def diff_trees(
        self, old: str, new: str, prefix: str, roots: Iterable[str]
    ) -> dict[str, str | None]:
        """Paths under ``roots`` whose regular-file blob differs between two trees -> the
        new blob id (None: no regular file there any more). git compares tree ids and never
        descends into a subtree that did not change: the cost follows the change."""
        argv = ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new]
        items = self._z(argv, prefix, roots)
        out: dict[str, str | None] = {}
        n = len(prefix)
        for meta, path in zip(items[::2], items[1::2], strict=True):
            _, new_mode, _, new_oid, _ = meta[1:].split(" ")
            if path.startswith(prefix):
                out[path[n:]] = new_oid if new_mode in _FILE_MODES and new_oid != _NO_OID else None
        return out

    def blobs_at(self, tree: str, prefix: str, paths: Iterable[str]) -> dict[str, str]:
        """The blob ids of ``paths`` (relative to ``prefix``) in ``tree``; absent ones left out."""
        wanted = list(paths)
        out: dict[str, str] = {}
        for i in range(0, len(wanted), 500):  # bounded command lines
            argv = ["--literal-pathspecs", "ls-tree", "-r", "-l", "-z", "--full-tree", tree]
            for entry in self._z(argv, prefix, wanted[i : i + 500]):
                meta, _, path = entry.partition("\t")
                mode, kind, oid, _ = meta.split()
                if kind == "blob" and mode in _FILE_MODES:
                    out[path[len(prefix) :]] = oid
        return out

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Sizes of blobs, with one ``git cat-file --batch-check`` (nothing is read)."""
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        proc = _run(self.top, "cat-file", "--batch-check", data="\n".join(wanted).encode() + b"\n")
        out: dict[str, int] = {}
        for line in proc.stdout.decode().splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and parts[1] == "blob":
                out[parts[0]] = int(parts[2])
        return out

    def _z(
        self, args: list[str], prefix: str, roots: Iterable[str], meanwhile: Meanwhile = None
    ) -> list[str]:
        """Run a NUL-separated git listing limited to ``prefix``+``roots``."""
        argv = [*args, "--", *(f"{prefix}{r}" for r in roots)]
        proc = subprocess.Popen(
            ["git", *argv], cwd=self.top, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        if meanwhile is not None:
            meanwhile()
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise UsageError(f"git {argv[0]} failed: {err.decode().strip()}")
        text = out.decode("utf-8", "surrogateescape")
        return [e for e in text.split("\0") if e]

    def show(self, ref: str, path: str) -> bytes | None:
        """The bytes of ``path`` in commit ``ref``, or None when it has no such file."""
        if ref.startswith("-"):
            return None
        proc = _run(self.top, "cat-file", "blob", f"{ref}:{path}")
        return proc.stdout if proc.returncode == 0 else None

    def cat_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Read many blobs with one ``git cat-file --batch``."""
        if not oids:
            return {}
        proc = _run(self.top, "cat-file", "--batch", data="\n".join(oids).encode() + b"\n")
        if proc.returncode != 0:
            raise UsageError(f"git cat-file failed: {proc.stderr.decode().strip()}")
        buf = proc.stdout
        out: dict[str, bytes] = {}
        pos = 0
        for oid in oids:
            nl = buf.index(b"\n", pos)
            header = buf[pos:nl].split(b" ")
            pos = nl + 1
            if len(header) != 3:
                continue
            size = int(header[2])
            out[oid] = buf[pos : pos + size]
            pos += size + 1
        return out


def git_repo_for(path: Path) -> GitRepo | None:
    """The git work tree containing ``path``, or None outside git."""
    try:
        proc = _run(path, "rev-parse", "--show-toplevel", "--absolute-git-dir")
    except OSError:  # no git installed: treated like a directory outside git
        return None
    if proc.returncode != 0:
        return None
    lines = proc.stdout.decode().splitlines()
    if len(lines) != 2:
        return None
    return GitRepo(Path(lines[0]), Path(lines[1]))

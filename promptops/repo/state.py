"""The summary of one load, kept so the next load of the same repository reads only what changed.

A state holds the listing a load saw (path -> blob id), where it came from (a git tree plus
the working tree's differences from it), and every finding: per-file diagnostics, eval-case
checks, cross-file diagnostics, plus the few facts that say which files a change reaches
(eval and experiment targets, case counts). Facts of single files stay in the result store,
fetched only for the files a change touches.

States are stored by listing: ``<prefix>\\0tree:<tree id>`` for a commit (immutable, so a
later load of the same tree has nothing to list at all) and ``<prefix>\\0worktree`` for the
working tree. A new listing is derived from a stored one with ``git diff-tree`` between
their trees (git skips every subtree whose tree id did not change) and ``git status``.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from promptops import __version__
from promptops.repo.kinds import usual_kind
from promptops.repo.store import Store
from promptops.repo.types import Diagnostic

__all__ = [
    "STATE_VERSION",
    "DiagMap",
    "Kinds",
    "State",
    "StateSource",
    "diagnostics",
    "fingerprint",
    "group",
    "raw",
]

# Bumped whenever what a state holds, or what cross-file checks report, changes.
STATE_VERSION = 1

Raw = tuple[str, int, int, str, str, str]
DiagMap = dict[str, tuple[Raw, ...]]


def raw(d: Diagnostic) -> Raw:
    return (d.path, d.line, d.col, d.level, d.code, d.message)


def fingerprint(*parts: object) -> str:
    """A short digest of everything cross-file results depend on besides the files."""
    text = "\0".join([__version__, str(STATE_VERSION), *map(repr, parts)])
    return hashlib.sha1(text.encode()).hexdigest()[:20]


@dataclass
class State:
    """One load's listing and findings (paths are canonical ``.yaml`` names except in
    ``files`` and ``overrides``, which hold the real names git lists)."""

    tree: str | None
    overrides: dict[str, str | None]
    files: dict[str, str]
    context: str = ""
    # The kind of each document whose kind is not its path's usual one (``usual_kind``):
    # instructions, partials, and files that do not load (None). See ``Kinds``.
    kinds: dict[str, str | None] = field(default_factory=dict)
    own: DiagMap = field(default_factory=dict)
    pairs: DiagMap = field(default_factory=dict)
    cross: DiagMap = field(default_factory=dict)
    # eval path -> (target prompt id, number of cases) for every eval file; experiments too.
    evals: dict[str, tuple[str, int]] = field(default_factory=dict)
    experiments: dict[str, str] = field(default_factory=dict)
    # Files that sit where sources go but are none (warned about as unknown-file).
    stray: list[str] = field(default_factory=list)
    # Whether the listing spells any file .yml (names.py renames them).
    yml: bool = False

    def encode(self) -> bytes:
        return marshal.dumps(
            (
                STATE_VERSION,
                self.tree,
                self.overrides,
                self.files,
                self.context,
                self.kinds,
                self.own,
                self.pairs,
                self.cross,
                self.evals,
                self.experiments,
                self.stray,
                self.yml,
            )
        )

    @classmethod
    def decode(cls, blob: bytes) -> State | None:
        """The state in ``blob``, or None if it is not one of this version."""
        try:
            fields = marshal.loads(blob)
            if fields[0] != STATE_VERSION:
                return None
            return cls(*fields[1:])
        except Exception:  # a corrupt or foreign row is a lost speed-up
            return None


class Kinds:
    """The kind of every document of a listing: ``files`` (canonical path -> blob) and the
    state's exceptions to each path's usual kind. ``""``: no document at that path."""

    def __init__(self, files: Mapping[str, str], exceptions: dict[str, str | None]) -> None:
        self.files = files
        self.exceptions = exceptions

    def __getitem__(self, path: str) -> str | None:
        if path not in self.files:
            return ""
        if path in self.exceptions:
            return self.exceptions[path]
        return usual_kind(path) or ""

    def ids(self, kind: str | None) -> Collection[str]:
        """The ids (paths under prompts/ without the suffix) of documents of ``kind``."""
        return _Ids(self, kind)


class _Ids(Collection[str]):
    """Ids of one kind: a lookup costs one dict access; only iterating lists them all (a
    did-you-mean does)."""

    def __init__(self, kinds: Kinds, kind: str | None) -> None:
        self._kinds = kinds
        self._kind = kind
        self._all: list[str] | None = None

    def __contains__(self, name: object) -> bool:
        return self._kinds[f"prompts/{name}.yaml"] == self._kind

    def _list(self) -> list[str]:
        if self._all is None:
            kinds = self._kinds
            self._all = [
                p[len("prompts/") : -len(".yaml")]
                for p in kinds.files
                if p.startswith("prompts/") and p.endswith(".yaml") and kinds[p] == self._kind
            ]
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())


class StateSource:
    """States of the repository rooted at ``prefix`` inside its git work tree."""

    def __init__(self, store: Store, prefix: str) -> None:
        self.store = store
        self.prefix = prefix

    def _key(self, what: str) -> str:
        return f"{self.prefix}\0{what}"

    def _get(self, what: str) -> State | None:
        blob = self.store.state(self._key(what))
        return State.decode(blob) if blob is not None else None

    def for_tree(self, tree: str) -> State | None:
        """A state whose listing is exactly commit tree ``tree``."""
        found = self._get(f"tree:{tree}")
        if found is None:
            work = self._get("worktree")
            if work is not None and work.tree == tree and not work.overrides:
                found = work
        return found

    def nearest(self) -> State | None:
        """The state to derive a new listing from: the working tree's, else the latest."""
        found = self._get("worktree")
        if found is None:
            latest = self.store.latest_state(self._key(""))
            found = State.decode(latest[1]) if latest else None
        return found

    def save(self, state: State, worktree: bool) -> None:
        """Store ``state`` as the working tree's, or as its tree's."""
        what = "worktree" if worktree else f"tree:{state.tree}"
        with contextlib.suppress(Exception):  # a cache: never fails a load
            self.store.put_state(self._key(what), state.encode())


def diagnostics(*maps: DiagMap) -> list[Diagnostic]:
    """Every diagnostic of ``maps``."""
    out: list[Diagnostic] = []
    for m in maps:
        for items in m.values():
            out.extend(Diagnostic(p, line, col, level, code, msg)  # type: ignore[arg-type]
                       for p, line, col, level, code, msg in items)  # fmt: skip
    return out


def group(diags: list[Diagnostic]) -> DiagMap:
    """Diagnostics by path (only paths that have some)."""
    out: dict[str, list[Raw]] = {}
    for d in diags:
        out.setdefault(d.path, []).append(raw(d))
    return {p: tuple(items) for p, items in out.items()}

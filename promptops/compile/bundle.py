"""Repository -> canonical ``bundle.json`` (ADR 0002), reusing what earlier builds made.

Each prompt's bytes come from the cheapest place that has them: the bundle last written to
the same file (``reuse.py``) when neither the prompt nor any shared input changed, else the
compile cache by the digest of every input (``keys.py``), else a compile (``parallel.py``:
on every core, from the documents the loader stored). Bodies go through a spool file and are
streamed into the bundle (``writer.py``), so memory does not grow with the repository.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops import __version__
from promptops.canonical import canonical_bytes
from promptops.compile._format import IndexEntry, locate_index
from promptops.compile.cache import CompileCache
from promptops.compile.config import CompileConfig
from promptops.compile.keys import (
    KEY_VERSION,
    Deps,
    Digests,
    document_digest,
    experiment_digests,
    full_key,
    own_key,
)
from promptops.compile.parallel import Compiled, compile_documents
from promptops.compile.prompt import compile_prompt_object
from promptops.compile.reuse import Previous, load_previous, save_record
from promptops.compile.shared import Resolver
from promptops.compile.spool import Spool
from promptops.compile.writer import Entry, TooLarge, write_bundle
from promptops.errors import UsageError, ValidationError
from promptops.repo.types import Diagnostic, Repository, SourceInfo
from promptops.spec import Prompt

__all__ = ["BUNDLE_NAME", "Bundle", "compile_prompt", "compile_repository", "default_cache"]

BUNDLE_NAME = "bundle.json"
# Cache rows written per transaction while compiling.
_PUT_EVERY = 2_000
# Above this many prompts to parse in this process, read them all in one batch.
_BATCH_READ_AT = 200
# A build compiling more prompts than this (a first build) keeps their dependencies in the
# compile cache but not their bytes: writing 1.4 KB per prompt into SQLite costs more than
# compiling them again on every core, and the next build into the same place copies them
# from the bundle this one writes (reuse.py).
_CACHE_BODIES_MAX = 2_000


@dataclass(frozen=True)
class Bundle:
    """A compiled bundle: its ``bundle.json`` bytes (``data``) and what they hold."""

    sha256: str
    # id -> sha256 hex of the prompt's bytes (the index digests).
    prompts: Mapping[str, str]
    source: SourceInfo
    # How many prompts were compiled rather than reused (not part of identity).
    compiled: int = field(default=0, compare=False)
    size: int = field(default=0, compare=False)
    _data: bytes | None = field(default=None, repr=False, compare=False)
    # Where the bytes were written: read from there on first use.
    file: Path | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def data(self) -> bytes:
        """The exact ``bundle.json`` bytes.

        Raises:
            OSError: the bundle was written to a file that can no longer be read.
        """
        if self._data is not None:
            return self._data
        assert self.file is not None
        return self.file.read_bytes()

    @functools.cached_property
    def _layout(self) -> tuple[dict[str, tuple[int, int, str]], int]:
        return locate_index(self.data)

    def prompt(self, prompt_id: str) -> dict[str, Any]:
        """The compiled prompt object of ``prompt_id``, parsed from its slice.

        Raises:
            KeyError: if the bundle holds no such prompt.
        """
        index, base = self._layout
        offset, length, _ = index[prompt_id]
        value: dict[str, Any] = json.loads(self.data[base + offset : base + offset + length])
        return value


def default_cache(repo: Repository, config: CompileConfig | None = None) -> CompileCache | None:
    """The compile cache of ``repo``'s git repository, or None outside one.

    Lives at ``<git-dir>/promptops-cache/compile.sqlite3``: never committed, shared by
    every worktree build of that repository, removed with the clone.
    """
    config = config or CompileConfig()
    for directory in (repo.root, *repo.root.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            return CompileCache(
                dot_git / "promptops-cache" / "compile.sqlite3",
                max_entries=config.max_cache_entries,
            )
        if dot_git.is_file():
            # A linked worktree: ".git" is a file "gitdir: <path>".
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                git_dir = (directory / text.removeprefix("gitdir:").strip()).resolve()
                return CompileCache(
                    git_dir / "promptops-cache" / "compile.sqlite3",
                    max_entries=config.max_cache_entries,
                )
            return None
    return None


def _stamp(resolver: Resolver, digests: Digests, config: CompileConfig) -> str:
    """A digest of every shared input: equal stamps and an equal prompt file give equal
    bytes."""
    repo = resolver.repo
    digests.prefetch()
    parts = [
        KEY_VERSION,
        __version__,
        str(config.max_include_depth),
        sorted(digests.models.items()),
        sorted(digests.tools.items()),
        digests.partials,
        sorted((iid, digests.instruction(iid)) for iid in repo.instructions),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class _Build:
    """One compile: where each prompt's bytes come from, and the cache it updates."""

    def __init__(self, repo: Repository, config: CompileConfig, store: CompileCache | None) -> None:
        self.repo = repo
        self.config = config
        self.store = store
        self.resolver = Resolver(repo)
        self.digests = Digests(self.resolver)
        self.spool = Spool()
        self.compiled = 0
        self.diagnostics: list[Diagnostic] = []
        self._fresh: dict[str, tuple[bytes, str]] = {}
        self._learnt: dict[str, str] = {}
        self._keep_bodies = True
        self.previous: Previous | None = None

    def _put(self, force: bool = False) -> None:
        if self.store and (force or len(self._fresh) + len(self._learnt) >= _PUT_EVERY):
            self.store.put_many(self._fresh, self._learnt)
        if force or len(self._fresh) + len(self._learnt) >= _PUT_EVERY:
            self._fresh, self._learnt = {}, {}

    def _take(self, result: Compiled, own: str) -> None:
        if result.diagnostics:
            self.diagnostics.extend(result.diagnostics)
            return
        self.compiled += 1
        self.spool.add(result.prompt_id, result.body, result.sha256)
        if self._keep_bodies:
            self._fresh[result.key] = (result.body, result.sha256)
        self._learnt[own] = result.deps
        self._put()

    def _cached(self, ids: list[str], owns: dict[str, str]) -> list[str]:
        """Spool the prompts the compile cache holds; return the ids it does not."""
        if self.store is None:
            return ids
        known = self.store.get_deps(owns[pid] for pid in ids)
        keys: dict[str, str] = {}
        for pid in ids:
            deps = Deps.decode(known[owns[pid]]) if owns[pid] in known else None
            if deps is not None:
                keys[pid] = full_key(self.digests, owns[pid], deps)
        missing = [pid for pid in ids if pid not in keys]
        batch = 1_000  # bounded memory: bodies go to the spool as they are read
        with_keys = list(keys.items())
        for i in range(0, len(with_keys), batch):
            part = with_keys[i : i + batch]
            found = self.store.get_many(key for _, key in part)
            for pid, key in part:
                if key in found:
                    self.spool.add(pid, *found[key])
                else:
                    missing.append(pid)
        return missing

    def _compile(self, ids: list[str], owns: dict[str, str]) -> None:
        self._keep_bodies = len(ids) <= _CACHE_BODIES_MAX
        prompts = self.repo.prompts
        encoded = getattr(prompts, "encoded", None)
        documents: dict[str, bytes] = encoded(ids) if callable(encoded) else {}
        self.resolver.prefetch()
        self.digests.prefetch()
        for result in compile_documents(self.resolver, self.digests, self.config, documents, owns):
            self._take(result, owns[result.prompt_id])
        rest = [pid for pid in ids if pid not in documents]
        source: Mapping[str, Prompt] = prompts
        if len(rest) > _BATCH_READ_AT:
            # Many to parse: one batch read instead of one blob at a time.
            prefetch = getattr(prompts, "prefetch", None)
            if callable(prefetch):
                prefetch(rest)
            else:
                source = dict(prompts.items())
        for pid in rest:
            try:
                prompt = source[pid]
                obj = compile_prompt_object(self.resolver, pid, self.config, prompt)
            except ValidationError as exc:
                self.diagnostics.extend(exc.diagnostics)
                continue
            body = canonical_bytes(obj)
            result = Compiled(
                pid,
                body,
                hashlib.sha256(body).hexdigest(),
                Deps.of(prompt).encode(),
                full_key(self.digests, owns[pid], Deps.of(prompt)),
            )
            self._take(result, owns[pid])
        self._put(force=True)

    def run(
        self,
        ids: list[str],
        previous: Previous | None,
        sources: dict[str, tuple[str, str]],
        experiments: dict[str, str],
    ) -> list[Entry]:
        """Every prompt's (id, length, sha256), its bytes reachable through ``body``;
        ``experiments``: prompt id -> the digest of the experiment on it."""
        self.previous = previous
        reused: set[str] = set()
        if previous is not None:
            old = previous.sources
            reused = {pid for pid in ids if old.get(pid) == sources[pid] and pid in previous.index}
        todo = [pid for pid in ids if pid not in reused]
        owns = {pid: own_key(self.repo, pid, experiments.get(pid, "")) for pid in todo}
        self._compile(self._cached(todo, owns), owns)
        if self.diagnostics:
            raise ValidationError(
                f"cannot build: {len(self.diagnostics)} prompt(s) do not compile",
                sorted(self.diagnostics),
            )
        entries: list[Entry] = []
        for pid in ids:
            if pid in reused:
                assert previous is not None
                _, length, digest = previous.index[pid]
            else:
                _, length, digest = self.spool.at[pid]
            entries.append((pid, length, digest))
        return entries

    def body(self, prompt_id: str) -> Iterator[bytes | memoryview]:
        if prompt_id in self.spool.at:
            yield self.spool.read(prompt_id)
        else:
            assert self.previous is not None
            yield self.previous.body(prompt_id)


_Written = tuple[str, int, dict[str, IndexEntry], int]


def _write(
    target: Path | None, entries: list[Entry], build: _Build, source: SourceInfo, max_size: int
) -> tuple[_Written, bytes | None]:
    """Write the bundle to ``target`` atomically (or into memory): what ``write_bundle``
    returns, and the bytes (None when written to a file).

    Raises:
        ValidationError: the bundle would be larger than ``max_size`` (nothing is written).
    """
    ids = [entry[0] for entry in entries]

    def write(sink: Any) -> _Written:
        try:
            return write_bundle(
                sink, entries, lambda n: build.body(ids[n]), source.to_dict(), max_size
            )
        except TooLarge as exc:
            raise ValidationError(
                f"cannot build: the bundle is {exc.size} bytes, over the limit of {max_size}"
            ) from None

    if target is None:
        sink = io.BytesIO()
        written = write(sink)
        return written, sink.getvalue()
    created = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            written = write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if created:  # nothing the user had is left behind, not even an empty directory
            with contextlib.suppress(OSError):
                target.parent.rmdir()
        raise
    return written, None


def compile_repository(
    repo: Repository,
    *,
    config: CompileConfig | None = None,
    cache: CompileCache | bool = True,
    out: Path | None = None,
) -> Bundle:
    """Compile every prompt of ``repo`` into one canonical bundle, written atomically to
    ``out/bundle.json`` when ``out`` is given (then its bytes are read back only if asked).

    ``cache``: True uses the repository's default cache (if it lives in git), False none,
    or a given CompileCache. The bytes never depend on the cache, nor on the previous bundle
    in ``out`` that unchanged prompts are copied from. The limits the repository was loaded
    with (rules.yaml's ``limits:`` and the caller's overrides, ``repo.limits``) apply over
    ``config``.

    Raises:
        ValidationError: if ``repo`` has errors, or a prompt does not compile; carries the
            diagnostics.
        OSError: if ``out`` cannot be written.
    """
    config = (config or CompileConfig()).with_settings(repo.limits)
    if not repo.ok:
        errors = sorted(repo.errors)
        raise ValidationError(
            f"cannot build: the repository has {len(errors)} error(s); "
            "run `promptops validate` and fix them",
            list(errors),
        )
    if len(repo.prompts) > config.max_prompts:
        raise ValidationError(
            f"cannot build: {len(repo.prompts)} prompts exceed the limit of {config.max_prompts}"
        )
    store = default_cache(repo, config) if cache is True else (cache or None)
    target = None if out is None else Path(out) / BUNDLE_NAME
    ids = sorted(repo.prompts)
    build = _Build(repo, config, store)
    try:
        stamp = _stamp(build.resolver, build.digests, config)
        experiments = experiment_digests(repo)
        # What each prompt's entry is built from besides the shared inputs of the stamp: its
        # file, and the experiment on it (whose arms the entry holds, ADR 0018).
        sources = {
            pid: (
                repo.paths.get(pid) or "",
                document_digest(repo, pid, repo.prompts) + experiments.get(pid, ""),
            )
            for pid in ids
        }
        cache_dir = store.path.parent if store is not None else None
        previous = load_previous(cache_dir, target, stamp) if target is not None else None
        entries = build.run(ids, previous, sources, experiments)
        (sha, size, index, base), data = _write(
            target, entries, build, repo.source, config.max_bundle_bytes
        )
        if target is not None:
            save_record(cache_dir, target, sha, stamp, sources, index, base)
    finally:
        build.spool.close()
        if store:
            store.close()
    return Bundle(
        sha256=sha,
        prompts={pid: digest for pid, _, digest in entries},
        source=repo.source,
        compiled=build.compiled,
        size=size,
        _data=data,
        file=target,
    )


def compile_prompt(
    repo: Repository, prompt_id: str, *, config: CompileConfig | None = None
) -> dict[str, Any]:
    """The compiled object of one prompt (the value ``bundle.json`` holds for it), without
    building the rest; for diff and evals.

    Raises:
        UsageError: if ``repo`` has no prompt ``prompt_id``.
        ValidationError: if the prompt does not compile.
    """
    if prompt_id not in repo.prompts:
        raise UsageError(f"unknown prompt {prompt_id!r}")
    config = (config or CompileConfig()).with_settings(repo.limits)
    return compile_prompt_object(Resolver(repo), prompt_id, config)

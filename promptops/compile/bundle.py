"""Repository -> canonical ``bundle.json`` (ADR 0002), reusing cached prompt bytes."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from promptops.canonical import canonical_bytes
from promptops.compile._format import assemble, locate_index
from promptops.compile.cache import CompileCache
from promptops.compile.config import CompileConfig
from promptops.compile.keys import Deps, Digests, full_key, own_key
from promptops.compile.prompt import compile_prompt_object
from promptops.compile.shared import Resolver
from promptops.errors import UsageError, ValidationError
from promptops.repo.types import Diagnostic, Repository, SourceInfo

__all__ = ["Bundle", "compile_prompt", "compile_repository", "default_cache"]

# Above this many prompts to compile, read them all in one batch (see compile_repository).
_BATCH_READ_AT = 200


@dataclass(frozen=True)
class Bundle:
    """A compiled bundle: the exact ``bundle.json`` bytes and what they hold."""

    data: bytes
    sha256: str
    # id -> sha256 hex of the prompt's bytes (the index digests).
    prompts: Mapping[str, str]
    source: SourceInfo
    # How many prompts were compiled rather than reused from the cache (not part of identity).
    compiled: int = field(default=0, compare=False)

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


def _batch_read(repo: Repository, missing: int) -> Repository:
    # Many prompts to parse: ``items()`` lets a lazy loader read and parse them in one
    # batch instead of one blob at a time (a plain dict is copied for next to nothing).
    if missing > _BATCH_READ_AT:
        return replace(repo, prompts=dict(repo.prompts.items()))
    return repo


def _keys(
    repo: Repository, digests: Digests, store: CompileCache | None
) -> tuple[Repository, dict[str, str], dict[str, str]]:
    """Full cache keys by prompt id and the dependencies newly learnt (own key -> deps),
    with ``repo`` (its prompts read in one batch if many had to be parsed)."""
    # Iterate ids only: the loader builds documents lazily, and unchanged prompts should
    # never be parsed (their dependencies come from the cache).
    owns = {pid: own_key(repo, pid) for pid in repo.prompts}
    known = store.get_deps(owns.values()) if store else {}
    repo = _batch_read(repo, sum(own not in known for own in owns.values()))
    learnt: dict[str, str] = {}
    keys: dict[str, str] = {}
    for pid, own in owns.items():
        deps = Deps.decode(known[own]) if own in known else None
        if deps is None:
            deps = Deps.of(repo.prompts[pid])
            learnt[own] = deps.encode()
        keys[pid] = full_key(digests, own, deps)
    return repo, keys, learnt


def _entries(
    repo: Repository, config: CompileConfig, store: CompileCache | None
) -> tuple[list[tuple[str, bytes, str]], int]:
    """(id, canonical bytes, sha256hex) of every prompt, from the cache or compiled, and
    how many were compiled.

    Raises:
        ValidationError: with the diagnostics of every prompt that does not compile.
    """
    repo, keys, learnt = _keys(repo, Digests(Resolver(repo)), store)
    cached = store.get_many(keys.values()) if store else {}
    resolver = Resolver(_batch_read(repo, sum(key not in cached for key in keys.values())))
    entries: list[tuple[str, bytes, str]] = []
    fresh: dict[str, tuple[bytes, str]] = {}
    diagnostics: list[Diagnostic] = []
    for pid, key in keys.items():
        entry = cached.get(key)
        if entry is None:
            try:
                obj = compile_prompt_object(resolver, pid, config)
            except ValidationError as exc:
                diagnostics.extend(exc.diagnostics)
                continue
            body = canonical_bytes(obj)
            entry = fresh[key] = (body, hashlib.sha256(body).hexdigest())
        entries.append((pid, *entry))
    if diagnostics:
        raise ValidationError(
            f"cannot build: {len(diagnostics)} prompt(s) do not compile", sorted(diagnostics)
        )
    if store:
        store.put_many(fresh, learnt)
    return entries, len(fresh)


def compile_repository(
    repo: Repository,
    *,
    config: CompileConfig | None = None,
    cache: CompileCache | bool = True,
) -> Bundle:
    """Compile every prompt of ``repo`` into one canonical bundle.

    ``cache``: True uses the repository's default cache (if it lives in git), False none,
    or a given CompileCache. The bytes never depend on the cache. The limits the repository
    was loaded with (rules.yaml's ``limits:`` and the caller's overrides, ``repo.limits``)
    apply over ``config``.

    Raises:
        ValidationError: if ``repo`` has errors, or a prompt does not compile; carries the
            diagnostics.
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
    try:
        entries, compiled = _entries(repo, config, store)
    finally:
        if store:
            store.close()
    data, index = assemble(entries, repo.source.to_dict())
    if len(data) > config.max_bundle_bytes:
        raise ValidationError(
            f"cannot build: the bundle is {len(data)} bytes, over the limit of "
            f"{config.max_bundle_bytes}"
        )
    return Bundle(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        prompts={pid: entry[2] for pid, entry in index.items()},
        source=repo.source,
        compiled=compiled,
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

"""Compare two loaded repositories prompt by prompt, paying only for what changed.

Fast path: when no shared document (models.yaml, tools.yaml, an instruction, a partial)
changed, a prompt is unchanged exactly when its own file's content digest (git blob id) is,
so the candidates are read off the digest maps without parsing a single prompt (the loader
builds documents lazily); only they are compiled, on both sides. Otherwise a shared change
may reach any prompt: both sides are compiled whole (the compiler's content cache makes
that cost follow the change too) and the bundles' per-prompt digests decide. Either way
only prompts whose compiled bytes differ are deep-compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.compile import compile_prompt, compile_repository
from promptops.diff.config import DiffConfig
from promptops.diff.prompt import diff_prompt
from promptops.diff.repository import diff_repository
from promptops.diff.shared import link_shared
from promptops.diff.types import Change, PromptDiff
from promptops.repo.types import Repository

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Structural differences plus the compiled objects of every non-unchanged prompt
    (behaviour diff renders exactly these)."""

    prompts: tuple[PromptDiff, ...]
    repository: tuple[Change, ...]
    unchanged: int
    base_compiled: Mapping[str, dict[str, Any]]
    head_compiled: Mapping[str, dict[str, Any]]


def _shared_keys(repo: Repository) -> set[str]:
    return {"models", "tools", *repo.instructions.keys(), *repo.partials.keys()}


def _documents(repo: Repository) -> set[str]:
    return {*repo.prompts.keys(), *repo.instructions.keys(), *repo.partials.keys()}


def _fast_candidates(base: Repository, head: Repository) -> set[str] | None:
    """Prompt ids whose own file changed, or None when that does not decide (a shared
    document changed, or a document has no recorded digest)."""
    for repo in (base, head):
        if any(key not in repo.digests for key in _documents(repo)):
            return None  # built in memory, not by the loader: no digests to trust
    # models.yaml and tools.yaml absent on both sides compare equal (None == None).
    for key in _shared_keys(base) | _shared_keys(head):
        if base.digests.get(key) != head.digests.get(key):
            return None
    ids = set(base.prompts.keys()) | set(head.prompts.keys())
    return {pid for pid in ids if base.digests.get(pid) != head.digests.get(pid)}


def _prefetch(documents: Mapping[str, Any], keys: Iterable[str]) -> None:
    # The loader builds documents lazily, and one by one each read from a git ref costs a
    # subprocess; ask for what the candidates need in one batch when the mapping can.
    prefetch = getattr(documents, "prefetch", None)
    if callable(prefetch):
        prefetch(list(keys))


def _prefetch_for(repo: Repository, prompt_ids: list[str]) -> None:
    present = [pid for pid in prompt_ids if pid in repo.prompts]
    if not present:
        return
    _prefetch(repo.prompts, present)
    _prefetch(repo.instructions, {i for pid in present for i in repo.prompts[pid].system})
    _prefetch(repo.partials, repo.partials.keys())


class _Compiled:
    """Compiled prompt objects and digests of one side, computed on demand."""

    def __init__(self, repo: Repository, whole: bool) -> None:
        self.repo = repo
        self.bundle = compile_repository(repo) if whole else None
        self._objects: dict[str, dict[str, Any]] = {}

    def digest(self, pid: str) -> str | None:
        if pid not in self.repo.prompts:
            return None
        if self.bundle is not None:
            return self.bundle.prompts[pid]
        return _digest(self.get(pid))

    def get(self, pid: str) -> dict[str, Any]:
        if pid not in self._objects:
            self._objects[pid] = (
                self.bundle.prompt(pid) if self.bundle else compile_prompt(self.repo, pid)
            )
        return self._objects[pid]


def _own_params(
    base: Repository, head: Repository, pid: str
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The ``params:`` each side's prompt file sets itself (the rest is the pin's)."""
    return base.prompts[pid].params, head.prompts[pid].params


def _digest(obj: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_bytes(obj))


def compare(base: Repository, head: Repository, config: DiffConfig) -> Comparison:
    """Structural comparison of two valid repositories.

    Raises:
        ValidationError: if a prompt whose inputs changed does not compile.
    """
    ids = set(base.prompts.keys()) | set(head.prompts.keys())
    fast = _fast_candidates(base, head)
    b_side, h_side = _Compiled(base, fast is None), _Compiled(head, fast is None)
    candidates = sorted(ids if fast is None else fast)
    if fast is not None:
        _prefetch_for(base, candidates)
        _prefetch_for(head, candidates)
    unchanged = len(ids) - len(candidates)
    diffs: list[PromptDiff] = []
    b_objs: dict[str, dict[str, Any]] = {}
    h_objs: dict[str, dict[str, Any]] = {}
    for pid in candidates:
        bd, hd = b_side.digest(pid), h_side.digest(pid)
        if bd == hd:
            unchanged += 1
            continue
        b = None if bd is None else b_side.get(pid)
        h = None if hd is None else h_side.get(pid)
        if b is not None:
            b_objs[pid] = b
        if h is not None:
            h_objs[pid] = h
        own = _own_params(base, head, pid) if b is not None and h is not None else None
        diffs.append(diff_prompt(pid, b, h, config, bd, hd, own))
    prompts, repository = link_shared(diffs, diff_repository(base, head, config), b_objs, h_objs)
    return Comparison(
        prompts=tuple(prompts),
        repository=tuple(repository),
        unchanged=unchanged,
        base_compiled=b_objs,
        head_compiled=h_objs,
    )

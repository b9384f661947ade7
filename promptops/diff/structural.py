"""Compare two loaded repositories prompt by prompt, paying only for what changed.

Each prompt's compile cache key (``promptops.compile.keys.prompt_key``) digests every input
that shapes its compiled object: equal keys on both sides mean an equal prompt, decided
without compiling or deep-diffing it. Only prompts whose keys differ are compiled (both
sides) and compared; a differing key with identical compiled bytes counts as unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.compile import compile_prompt
from promptops.compile.keys import Digests, prompt_key
from promptops.compile.prompt import compile_model, compile_tool
from promptops.diff.config import DiffConfig
from promptops.diff.prompt import diff_prompt
from promptops.diff.repository import diff_repository
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


def _keys(repo: Repository) -> dict[str, str]:
    models = {name: compile_model(name, pin) for name, pin in repo.models.models.items()}
    tools: dict[str, dict[str, Any]] = {}
    for name, tool in repo.tools.tools.items():
        try:
            tools[name] = compile_tool(name, tool)
        except TypeError:
            # A tool JSON cannot hold fails validation; leave it out of the key, as the
            # compiler does.
            continue
    digests = Digests(repo, models, tools)
    return {pid: prompt_key(digests, pid, p) for pid, p in repo.prompts.items()}


def _digest(obj: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_bytes(obj))


def compare(base: Repository, head: Repository, config: DiffConfig) -> Comparison:
    """Structural comparison of two valid repositories.

    Raises:
        ValidationError: if a prompt whose inputs changed does not compile.
    """
    b_keys, h_keys = _keys(base), _keys(head)
    diffs: list[PromptDiff] = []
    b_objs: dict[str, dict[str, Any]] = {}
    h_objs: dict[str, dict[str, Any]] = {}
    unchanged = 0
    for pid in sorted(b_keys.keys() | h_keys.keys()):
        bk, hk = b_keys.get(pid), h_keys.get(pid)
        if bk == hk:
            unchanged += 1
            continue
        b = compile_prompt(base, pid) if bk is not None else None
        h = compile_prompt(head, pid) if hk is not None else None
        bd = None if b is None else _digest(b)
        hd = None if h is None else _digest(h)
        if bd == hd:
            unchanged += 1
            continue
        if b is not None:
            b_objs[pid] = b
        if h is not None:
            h_objs[pid] = h
        diffs.append(diff_prompt(pid, b, h, config, bd, hd))
    return Comparison(
        prompts=tuple(diffs),
        repository=tuple(diff_repository(base, head, config)),
        unchanged=unchanged,
        base_compiled=b_objs,
        head_compiled=h_objs,
    )

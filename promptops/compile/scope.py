"""Compile some prompts of a repository that may not validate as a whole.

``render PROMPT`` and ``eval --prompt X`` need those prompts to be sound, not every file of
the repository: a prompt elsewhere that lacks evals, or a typo in an unrelated file, must
not stop them. The files a prompt needs are its own, the instructions and partials it
reaches, models.yaml and tools.yaml (and, for evals, the eval sets that target it). Errors
in those files stop the command, except the repository's policy (rules, model lifecycle),
which is reported and let through; everything else is counted, for a one-line summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.compile._format import assemble
from promptops.compile.bundle import compile_prompt
from promptops.compile.config import CompileConfig
from promptops.errors import UsageError, ValidationError
from promptops.repo import load_repository
from promptops.repo.codes import POLICY_CODES
from promptops.repo.names import YAML_SUFFIXES
from promptops.repo.templates import analyse_template
from promptops.repo.types import Diagnostic, Repository
from promptops.spec import EvalSet, Prompt

__all__ = ["Preview", "Selection", "preview_bundle", "select_prompts"]


@dataclass(frozen=True)
class Selection:
    """Compiled objects of the selected prompts, their eval sets (when asked for), the
    diagnostics of the files they need that did not stop them, and how many errors and
    warnings the other files have."""

    objects: dict[str, dict[str, Any]]
    evals: dict[str, EvalSet]
    in_scope: tuple[Diagnostic, ...]
    other_errors: int
    other_warnings: int


def _spellings(stem: str) -> set[str]:
    return {stem + suffix for suffix in YAML_SUFFIXES}


def _partials(repo: Repository, texts: Iterable[str]) -> set[str]:
    """Partial ids reachable from ``texts`` (broken partials included, unexplored)."""
    found: set[str] = set()
    pending = [name for text in texts for name in analyse_template(text).includes]
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found.add(pid)
        if pid in repo.partials:
            pending.extend(analyse_template(repo.partials[pid].template).includes)
    return found


def _needed(repo: Repository, pid: str, prompt: Prompt, with_evals: bool) -> set[str]:
    paths = _spellings("models") | _spellings("policies/tools") | {repo.paths[pid]}
    texts = [t for m in prompt.messages for t in m.templates()]
    refs = [*prompt.system, *_partials(repo, texts)]
    for ref in refs:
        paths |= {repo.paths[ref]} if ref in repo.paths else _spellings(f"prompts/{ref}")
    if with_evals:
        paths |= {path for path, target in repo.eval_targets.items() if target == pid}
    return paths


def _prompt(repo: Repository, pid: str) -> Prompt:
    if pid in repo.prompts:
        return repo.prompts[pid]
    own = [d for d in repo.errors if d.path in _spellings(f"prompts/{pid}")]
    if own:
        raise ValidationError(f"prompt {pid!r} has {len(own)} error(s)", sorted(own))
    import difflib

    close = difflib.get_close_matches(pid, list(repo.prompts), n=1)
    raise UsageError(f"no prompt {pid!r}" + (f"; did you mean {close[0]!r}?" if close else ""))


def select_prompts(
    repo: Repository,
    prompt_ids: Sequence[str],
    *,
    with_evals: bool = False,
    config: CompileConfig | None = None,
) -> Selection:
    """Compile ``prompt_ids`` if the files they need are sound (see the module docstring).

    Raises:
        UsageError: a prompt id names no prompt.
        ValidationError: a needed file has errors (other than policy); carries them.
    """
    needed: set[str] = set()
    for pid in prompt_ids:
        needed |= _needed(repo, pid, _prompt(repo, pid), with_evals)
    blocking = [d for d in repo.errors if d.path in needed and d.code not in POLICY_CODES]
    if blocking:
        names = ", ".join(repr(p) for p in prompt_ids)
        raise ValidationError(
            f"{names}: {len(blocking)} error(s) in the files it needs; fix them "
            "(other files do not matter here)",
            sorted(blocking),
        )
    objects = {pid: compile_prompt(repo, pid, config=config) for pid in prompt_ids}
    evals = {path: es for path, es in repo.evals.items() if with_evals and es.prompt in prompt_ids}
    in_scope = tuple(d for d in repo.diagnostics if d.path in needed)
    others = [d for d in repo.diagnostics if d.path not in needed]
    errors = sum(1 for d in others if d.level == "error")
    return Selection(objects, evals, in_scope, errors, len(others) - errors)


@dataclass(frozen=True)
class Preview:
    """A bundle holding one prompt, built from the working tree or a ref: for rendering
    at a terminal (nothing signed, nothing verified)."""

    data: bytes
    selection: Selection


def preview_bundle(path: str | Path, prompt_id: str, *, ref: str | None = None) -> Preview:
    """Build a bundle of ``prompt_id`` alone, needing only the files it needs to be sound.

    Raises:
        UsageError: no prompt repository at ``path``, an unknown ``ref`` or prompt id.
        ValidationError: a file the prompt needs has errors; carries them.
    """
    repo = load_repository(Path(path), ref=ref)
    selection = select_prompts(repo, [prompt_id])
    body = canonical_bytes(selection.objects[prompt_id])
    data, _ = assemble([(prompt_id, body, sha256_hex(body))], repo.source.to_dict())
    return Preview(data, selection)

"""``diff_refs``: the one function ``promptops diff`` calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from promptops.diff.config import DiffConfig
from promptops.diff.refs import resolve_range
from promptops.diff.structural import compare
from promptops.diff.types import DiffResult
from promptops.errors import ValidationError
from promptops.repo import Repository, load_repository

if TYPE_CHECKING:
    # The eval machinery loads only for --behaviour (runner, runtime renderer, providers).
    from promptops.evals import EvalSession, Progress

__all__ = ["DiffOptions", "diff_refs"]


@dataclass(frozen=True)
class DiffOptions:
    """What to compare and how. ``provider`` overrides every model pin's provider for the
    behaviour diff; ``env`` holds API keys and base URLs for live providers; ``session``
    replaces the eval session the behaviour diff would create (tests count calls with it);
    ``progress`` is called with (done, total) as eval samples are answered; ``limits``
    overrides the repository limits on both sides (name -> value, as ``--limit``)."""

    behaviour: bool = False
    provider: str | None = None
    config: DiffConfig = field(default_factory=DiffConfig)
    env: Mapping[str, str] = field(default_factory=dict)
    session: EvalSession | None = None
    progress: Progress | None = None
    limits: Mapping[str, int] = field(default_factory=dict)


def _load(root: Path, ref: str | None, side: str, limits: Mapping[str, int]) -> Repository:
    repo = load_repository(root, ref=ref, overrides=limits)
    if not repo.ok:
        command = "promptops validate" + (f" --ref {ref}" if ref is not None else "")
        raise ValidationError(
            f"the {side} ({ref or 'working tree'}) has {len(repo.errors)} error(s); "
            f"run `{command}` and fix them",
            sorted(repo.errors),
        )
    return repo


def diff_refs(
    root: Path, base_ref: str, head_ref: str | None = None, options: DiffOptions | None = None
) -> DiffResult:
    """Compare the prompt repository at ``root`` between ``base_ref`` and ``head_ref``
    (None: the working tree), structurally and, with ``options.behaviour``, by running the
    eval cases of changed prompts on both sides.

    The arguments mean what they mean to git and GitHub (``diff/refs.py``): ``A...B`` and a
    lone ``BRANCH`` compare from a merge base, ``A..B`` and ``A B`` compare exactly.

    A case the provider cannot answer (network failure, replay miss) is reported as a
    case that could not run (kind ``error``), not raised.

    Raises:
        UsageError: if a ref does not exist, ``root`` is not a prompt repository, or the
            provider name is unknown.
        ValidationError: if either side does not validate, or an eval set is malformed.
    """
    options = options or DiffOptions()
    refs = resolve_range(root, base_ref, head_ref)
    base = _load(root, refs.base, "base", options.limits)
    head = _load(root, refs.head, "head", options.limits)
    cmp = compare(base, head, options.config)
    behaviour = None
    notes: list[str] = []
    if options.behaviour:
        from promptops.diff.behaviour import open_session, run_behaviour

        session = options.session or open_session(base, head, options.provider, options.env)
        try:
            behaviour = run_behaviour(base, head, cmp, session, options.config, options.progress)
        finally:
            if options.session is None:  # a caller's session is the caller's to close
                session.close()
        if not behaviour.prompts:
            notes.append("no eval cases target the changed prompts; add some under evals/")
    return DiffResult(
        base_ref=refs.base_name,
        head_ref=refs.head_name,
        base_commit=base.source.commit,
        # A dirty working tree is no commit; a clean one is exactly HEAD.
        head_commit=None if head.source.dirty else head.source.commit,
        prompts=cmp.prompts,
        repository=cmp.repository,
        unchanged=cmp.unchanged,
        behaviour=behaviour,
        notes=tuple(notes),
        merge_base_of=refs.merge_base_of,
    )

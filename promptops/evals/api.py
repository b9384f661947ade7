"""``evaluate_repository``: the one function behind ``promptops eval``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from promptops.compile import compile_repository
from promptops.errors import UsageError, ValidationError
from promptops.evals.cache import ResponseCache
from promptops.evals.config import EvalConfig
from promptops.evals.git_recordings import git_source
from promptops.evals.judge_prompts import judge_setup
from promptops.evals.prune import prune_recordings
from promptops.evals.recordings import Recorder, RecordingSource, directory_source
from promptops.evals.report import EvalReport
from promptops.evals.runner import NOT_MODELS, EvalSession, Progress, refuse_record
from promptops.repo import load_repository
from promptops.repo.gitio import git_repo_for

__all__ = ["EvalRun", "default_cache_dir", "evaluate_repository"]


@dataclass(frozen=True)
class EvalRun:
    """A report, the recording files ``--record`` wrote and ``--prune`` removed
    (repository-relative), and why pruning was skipped, if it was."""

    report: EvalReport
    recorded: tuple[str, ...] = ()
    pruned: tuple[str, ...] = ()
    prune_skipped: str | None = None


def default_cache_dir(root: Path) -> Path | None:
    """``<git-dir>/promptops-cache/responses``: never committed, removed with the clone."""
    git = git_repo_for(root)
    return None if git is None else git.git_dir / "promptops-cache" / "responses"


def evaluate_repository(
    path: str | Path = ".",
    *,
    ref: str | None = None,
    prompt_ids: Sequence[str] = (),
    provider: str | None = None,
    record: bool = False,
    prune: bool = False,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    concurrency: int | None = None,
    progress: Progress | None = None,
    config: EvalConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> EvalRun:
    """Compile the repository at ``path`` (working tree or ``ref``) and run its eval cases.

    ``provider`` overrides every model pin's provider. ``record`` writes each answer to
    ``evals/recordings/`` of the working tree, for ``--provider replay``; ``prune``
    removes the recordings there that no request of this run used.

    Raises:
        ValidationError: if the repository or an eval set is invalid.
        UsageError: for an unknown prompt id or provider, ``--record`` with replay, or
            a bad ref.
    """
    config = config or EvalConfig()
    if concurrency is not None:
        if concurrency < 1:
            raise UsageError(f"--concurrency must be at least 1, found {concurrency}")
        config = replace(config, concurrency=concurrency)
    if record and provider in NOT_MODELS:
        raise UsageError(refuse_record(provider))
    repo = load_repository(path, ref)
    if not repo.ok:
        raise ValidationError(
            f"cannot evaluate: the repository has {len(repo.errors)} error(s); "
            "run `promptops validate` and fix them",
            list(repo.errors),
        )
    bundle = compile_repository(repo)
    unknown = [p for p in prompt_ids if p not in bundle.prompts]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(bundle.prompts), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"--prompt {unknown[0]!r}: no such prompt{hint}")
    sources: list[RecordingSource] = (
        [directory_source(repo.root)] if ref is None else [git_source(repo.root, ref)]
    )
    recorder = Recorder(repo.root) if record else None
    directory = cache_dir if cache_dir is not None else default_cache_dir(repo.root)
    with EvalSession(
        config=config,
        provider=provider,
        cache=ResponseCache(directory, enabled=use_cache),
        recordings=sources,
        recorder=recorder,
        env=env,
    ) as session:
        judges = judge_setup(repo, bundle.prompts, bundle.prompt)
        report = session.run(
            bundle,
            repo.evals,
            prompt_ids=set(prompt_ids) or None,
            progress=progress,
            judges=judges,
        )
        used = session.used_recordings
    written = recorder.flush() if recorder is not None else []
    root = repo.root.resolve()
    recorded = tuple(p.resolve().relative_to(root).as_posix() for p in written)
    if not prune:
        return EvalRun(report, recorded)
    if ref is not None:
        return EvalRun(
            report, recorded, prune_skipped="--prune works on the working tree, not --ref"
        )
    if report.totals.errors:
        skipped = (
            f"--prune skipped: {report.totals.errors} case(s) could not run, so which "
            "recordings they (and their judges) use is unknown; fix them and prune again"
        )
        return EvalRun(report, recorded, prune_skipped=skipped)
    scope = list(prompt_ids) if prompt_ids else None
    return EvalRun(report, recorded, tuple(prune_recordings(repo.root, used, scope)))

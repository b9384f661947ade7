"""``evaluate_repository``: the one function behind ``promptops eval``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from promptops.compile import Selection, compile_repository, select_prompts
from promptops.compile.shared import compile_model
from promptops.errors import UsageError, ValidationError
from promptops.evals.cache import ResponseCache
from promptops.evals.config import EvalConfig
from promptops.evals.git_recordings import git_source
from promptops.evals.judge_prompts import judge_setup
from promptops.evals.plan import PromptLookup, PromptTable
from promptops.evals.providers import PROVIDER_NAMES
from promptops.evals.recordings import Recorder, RecordingSource, directory_source
from promptops.evals.report import EvalReport
from promptops.evals.runner import NOT_MODELS, EvalSession, Progress, refuse_record
from promptops.evals.variants import SEP, chosen_targets, split_target, variant_targets
from promptops.repo import Repository, load_repository
from promptops.repo.gitio import git_repo_for
from promptops.spec import BASE_VARIANT, EvalSet, ModelsFile

if TYPE_CHECKING:
    # Loaded only by what uses them: a plain `promptops eval` needs neither.
    from promptops.evals.matrix import MatrixReport, Target

__all__ = [
    "EvalRun",
    "default_cache_dir",
    "evaluate_matrix",
    "evaluate_repository",
    "resolve_target",
]


@dataclass(frozen=True)
class EvalRun:
    """A report, the recording files ``--record`` wrote and ``--prune`` removed
    (repository-relative), and why pruning was skipped, if it was."""

    report: EvalReport
    recorded: tuple[str, ...] = ()
    pruned: tuple[str, ...] = ()
    prune_skipped: str | None = None
    # With --prompt: what the files those prompts need reported, and the rest counted.
    selection: Selection | None = None


def default_cache_dir(root: Path) -> Path | None:
    """``<git-dir>/promptops-cache/responses``: never committed, removed with the clone."""
    git = git_repo_for(root)
    return None if git is None else git.git_dir / "promptops-cache" / "responses"


def _cache_dir(given: Path | None, root: Path, needed: bool) -> Path | None:
    """``given``, else the default when the run uses a cache directory at all: finding the
    git directory costs a ``git`` process, which ``--no-cache`` has no use for."""
    if given is not None or not needed:
        return given
    return default_cache_dir(root)


def evaluate_repository(
    path: str | Path = ".",
    *,
    ref: str | None = None,
    prompt_ids: Sequence[str] = (),
    provider: str | None = None,
    record: bool = False,
    prune: bool = False,
    batch: bool = False,
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
    removes the recordings there that no request of this run used; ``batch`` sends
    remote requests through the providers' batch APIs (resumable, half price).

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
    selection: Selection | None = None
    lookup: PromptLookup
    eval_sets: Mapping[str, EvalSet] = repo.evals
    # --prompt p@v selects one variant of p (p@base: p as written); the prompts are the p's.
    chosen = chosen_targets(prompt_ids)
    if prompt_ids:
        # Only these prompts, their eval sets and what they reach must be sound.
        for pid in chosen:
            if pid not in repo.prompts and not _has_file(repo, pid):
                import difflib  # a mistyped --prompt only

                close = difflib.get_close_matches(pid, list(repo.prompts), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise UsageError(f"--prompt {pid!r}: no such prompt{hint}")
        selection = select_prompts(repo, list(chosen), with_evals=True)
        # Judge prompts (judges/...) answer graded assertions: they must compile too.
        judge_ids = [p for p in repo.prompts if p.startswith("judges/") and p not in chosen]
        objects = {**selection.objects, **select_prompts(repo, judge_ids).objects}
        lookup, eval_sets = PromptTable(objects), selection.evals
    elif not repo.ok:
        raise ValidationError(
            f"cannot evaluate: the repository has {len(repo.errors)} error(s); "
            "run `promptops validate` and fix them (or evaluate some prompts with --prompt)",
            list(repo.errors),
        )
    else:
        lookup = compile_repository(repo)
    _check_variants(chosen, lookup)
    sources: list[RecordingSource] = (
        [directory_source(repo.root)] if ref is None else [git_source(repo.root, ref)]
    )
    recorder = Recorder(repo.root) if record else None
    directory = _cache_dir(cache_dir, repo.root, use_cache or batch)
    batch_dir = None
    if batch:
        if directory is None:
            raise UsageError("--batch keeps batch ids in the cache directory: run inside git")
        batch_dir = directory.parent / "batches"
    with EvalSession(
        config=config,
        provider=provider,
        cache=ResponseCache(directory, enabled=use_cache),
        recordings=sources,
        recorder=recorder,
        env=env,
        batch_dir=batch_dir,
    ) as session:
        judges = judge_setup(repo, lookup.prompts, lookup.prompt)
        report = session.run(
            lookup,
            eval_sets,
            prompt_ids=set(prompt_ids) or None,
            progress=progress,
            judges=judges,
        )
        used = session.used_recordings
    written = recorder.flush() if recorder is not None else []
    root = repo.root.resolve()
    recorded = tuple(p.resolve().relative_to(root).as_posix() for p in written)
    if not prune:
        return EvalRun(report, recorded, selection=selection)
    if ref is not None:
        return EvalRun(
            report,
            recorded,
            prune_skipped="--prune works on the working tree, not --ref",
            selection=selection,
        )
    if report.totals.errors:
        skipped = (
            f"--prune skipped: {report.totals.errors} case(s) could not run, so which "
            "recordings they (and their judges) use is unknown; fix them and prune again"
        )
        return EvalRun(report, recorded, prune_skipped=skipped, selection=selection)
    # A scoped run sweeps the recordings of the targets it ran (prompt@variant has its own).
    scope = sorted({c.prompt_id for c in report.cases}) if prompt_ids else None
    from promptops.evals.prune import prune_recordings

    pruned = tuple(prune_recordings(repo.root, used, scope))
    return EvalRun(report, recorded, pruned, selection=selection)


def _check_variants(chosen: Mapping[str, frozenset[str] | None], lookup: PromptLookup) -> None:
    """Every ``--prompt p@v`` names a variant ``p`` has (or ``base``).

    Raises:
        UsageError: naming the variants the prompt has.
    """
    for pid, names in chosen.items():
        if not names or pid not in lookup.prompts:
            continue
        have = sorted(split_target(t)[1] or "" for t in variant_targets(lookup.prompt(pid)))
        for name in sorted(names - {BASE_VARIANT, *have}):
            listed = ", ".join(have) if have else "none"
            raise UsageError(
                f"--prompt {pid}{SEP}{name}: prompt {pid!r} has no variant {name!r} (its "
                f"variants: {listed}; {pid}{SEP}{BASE_VARIANT} is the prompt as written)"
            )


def resolve_target(name: str, models: ModelsFile) -> Target:
    """A target from a pin name of ``models`` or a ``provider:model-id`` candidate.

    Raises:
        UsageError: if ``name`` is neither, naming the closest pin.
    """
    from promptops.evals.matrix import Target

    pin = models.models.get(name)
    if pin is not None:
        return Target(name, compile_model(name, pin), dict(pin.params))
    provider, sep, model = name.partition(":")
    if sep and model and provider in PROVIDER_NAMES:
        candidate = {"name": name, "provider": provider, "model": model, "base_url": None,
                     "context_window": None, "pricing": None, "lifecycle": None}  # fmt: skip
        return Target(name, candidate, {})
    import difflib  # an unknown target only

    close = difflib.get_close_matches(name, list(models.models), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(
        f"{name!r} is neither a pin of models.yaml nor provider:model-id (providers: "
        f"{', '.join(PROVIDER_NAMES)}){hint}"
    )


def evaluate_matrix(
    path: str | Path = ".",
    targets: Sequence[str] = (),
    *,
    ref: str | None = None,
    prompt_ids: Sequence[str] = (),
    pin_filter: str | None = None,
    provider: str | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    concurrency: int | None = None,
    progress: Progress | None = None,
    config: EvalConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> MatrixReport:
    """Run the same eval cases on each of ``targets`` (pin names or ``provider:model-id``)
    through one session: identical requests are sent once, answers share the cache.

    ``pin_filter`` keeps only prompts whose own pin is that name (``migrate``).

    Raises:
        ValidationError: if the repository or an eval set is invalid.
        UsageError: for an unknown target, prompt id or provider, or fewer than 1 target.
    """
    config = config or EvalConfig()
    if concurrency is not None:
        config = replace(config, concurrency=concurrency)
    if not targets:
        raise UsageError("name at least one target: --pin NAME or --model provider:model-id")
    for pid in prompt_ids:
        if SEP in pid:
            raise UsageError(
                f"--prompt {pid}: a side-by-side run (--pin, --model) compares prompts as "
                f"written, not their variants; name the prompt alone ({split_target(pid)[0]})"
            )
    repo = load_repository(path, ref)
    if not repo.ok:
        raise ValidationError(
            f"cannot evaluate: the repository has {len(repo.errors)} error(s); "
            "run `promptops validate` and fix them",
            list(repo.errors),
        )
    resolved = [resolve_target(t, repo.models) for t in targets]
    bundle = compile_repository(repo)
    wanted = set(prompt_ids) or {s.prompt for s in repo.evals.values()}
    if pin_filter is not None:
        wanted = {p for p in wanted if p in repo.prompts and repo.prompts[p].model == pin_filter}
    ids = sorted(p for p in wanted if p in bundle.prompts)
    sources = [directory_source(repo.root)] if ref is None else [git_source(repo.root, ref)]
    directory = _cache_dir(cache_dir, repo.root, use_cache)
    judges = judge_setup(repo, bundle.prompts, bundle.prompt)
    reports = []
    with EvalSession(
        config=config,
        provider=provider,
        cache=ResponseCache(directory, enabled=use_cache),
        recordings=sources,
        env=env,
    ) as session:
        for target in resolved:
            table = PromptTable(
                {p: target.apply(bundle.prompt(p), repo.prompts[p].params) for p in ids}
            )
            reports.append(
                # A matrix compares models for the prompts as written: a variant's own pin
                # would override the target's.
                session.run(
                    table,
                    repo.evals,
                    prompt_ids=ids,
                    progress=progress,
                    judges=judges,
                    variants=False,
                )
            )
        from promptops.evals.matrix import MatrixReport
        from promptops.evals.select_best import select_best

        matrix = MatrixReport(tuple(t.label for t in resolved), tuple(reports))
        return select_best(matrix, repo.evals, session, judges)


def _has_file(repo: Repository, pid: str) -> bool:
    """Whether some file is prompt ``pid``, even one that failed to load."""
    return any(d.path in (f"prompts/{pid}.yaml", f"prompts/{pid}.yml") for d in repo.errors)

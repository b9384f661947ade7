"""``load_repository``: read, check and assemble a prompt repository."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Mapping
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.assemble import assemble
from promptops.repo.config import DEFAULT_LIMITS, Limits
from promptops.repo.context import CheckContext
from promptops.repo.fixed import fixed_results, limit_settings, min_version
from promptops.repo.foreign import foreign_hint
from promptops.repo.gitio import GitRepo, git_repo_for
from promptops.repo.kinds import FIXED_PATHS, classify
from promptops.repo.locator import Locator
from promptops.repo.names import canonicalise
from promptops.repo.patterns import PatternSet
from promptops.repo.pins import pin_use
from promptops.repo.reading import (
    Snapshot,
    prefix_of,
    snapshot_contents,
    snapshot_ref,
    snapshot_worktree,
)
from promptops.repo.result import FileResult
from promptops.repo.state import StateSource, fingerprint
from promptops.repo.store import Store
from promptops.repo.trustcheck import SIGNERS, trust_diagnostics, trust_paths
from promptops.repo.types import Diagnostic, Repository
from promptops.repo.update import update
from promptops.spec import ModelsFile, Rules, RulesFile

__all__ = ["find_root", "load_repository", "validate_repository"]


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``models.yaml``.

    Raises:
        UsageError: no such directory.
    """
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "models.yaml").is_file() or (candidate / "models.yml").is_file():
            return candidate
    raise UsageError(
        f"no models.yaml in {start} or any parent directory; pass the path of a prompt "
        "repository (in a monorepo: --root DIR, for pre-commit args: [--root, DIR]) or "
        "create one with 'promptops init'"
    )


def _context(
    result: FileResult | None, oid: str, limits: Limits, where: Locator
) -> tuple[CheckContext, Rules, list[Diagnostic]]:
    rules = RulesFile.model_validate(result.data).rules if result and result.kind else Rules()
    user: list[tuple[re.Pattern[str], str]] = []
    problems: list[Diagnostic] = []
    for i, fp in enumerate(rules.forbidden_patterns):
        try:
            user.append((re.compile(fp.pattern), fp.message))
        except re.error as exc:
            path = "policies/rules.yaml"
            line, col = where(path, ("value", ("rules", "forbidden_patterns", i, "pattern")))
            problems.append(
                Diagnostic(
                    path,
                    line,
                    col,
                    "error",
                    "invalid-pattern",
                    f"forbidden pattern is not a valid regular expression: {exc}",
                )
            )
    ctx = CheckContext(
        limits,
        PatternSet(rules.default_forbidden_patterns, user),
        rules.require_owner,
        rules.max_template_chars,
        oid,
    )
    return ctx, rules, problems


def _stray(paths: list[str]) -> list[Diagnostic]:
    """Warnings for files that are not prompt sources but sit where sources go."""
    out: list[Diagnostic] = []
    for p in paths:
        if p.startswith("prompts/") and not p.endswith(".yaml"):  # .yml is canonical .yaml
            out.append(
                Diagnostic(
                    p,
                    1,
                    1,
                    "warning",
                    "unknown-file",
                    foreign_hint(p)
                    or "ignored: files under prompts/ must end in '.yaml' or '.yml'",
                )
            )
        elif p.startswith("policies/"):
            out.append(
                Diagnostic(
                    p,
                    1,
                    1,
                    "warning",
                    "unknown-file",
                    "ignored: policies/ holds tools.yaml, rules.yaml, signers.yaml and "
                    "trust/<N>.json",
                )
            )
    return out


def _root_and_git(start: Path, ref: str | None) -> tuple[Path, GitRepo | None]:
    if not start.is_dir():
        raise UsageError(f"{start} is not a directory")
    git = git_repo_for(start)
    if ref is None:
        return find_root(start), git
    if git is None:
        raise UsageError(f"{start} is not inside a git repository; --ref needs git")
    try:
        return find_root(start), git
    except UsageError:
        return start.resolve(), git


def load_repository(
    path: str | Path = ".",
    ref: str | None = None,
    *,
    cache: bool = True,
    today: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    overrides: Mapping[str, int] | None = None,
    contents: Mapping[str, bytes] | None = None,
) -> Repository:
    """Read and check the prompt repository at ``path`` (working tree, or commit ``ref``).

    Bad user files never raise: they become diagnostics, and failing documents are left out.
    Per-file results are cached by content (in memory and under ``<git-dir>/promptops-cache``);
    ``cache=False`` checks every file afresh and reads and writes no cache. ``today`` decides
    which model pins are deprecated or retired; ``limits`` caps what is read, as changed by
    the ``limits:`` of policies/rules.yaml and then by ``overrides`` (name -> value: the
    command line's ``--limit``). ``contents`` (path -> bytes) is the whole repository,
    checked as if it stood at ``path`` without reading anything from disk (no git, no cache).

    Raises:
        UsageError: no repository root, ``ref`` given outside git, or an unknown ``ref``.
    """
    # Tens of thousands of small, long-lived objects are made below; the cyclic collector
    # would rescan them over and over for nothing (none of them form cycles).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(
            Path(path), ref, cache, today or dt.date.today(), limits, overrides or {}, contents
        )
    finally:
        if collecting:
            gc.enable()


def _too_many(snap: Snapshot, limits: Limits) -> list[Diagnostic]:
    if len(snap.files) <= limits.max_files:
        return []
    snap.files = dict(sorted(snap.files.items())[: limits.max_files])
    return [
        Diagnostic(
            "prompts",
            1,
            1,
            "error",
            "too-many-files",
            f"more than {limits.max_files} files under models.yaml, prompts/, policies/ and "
            f"evals/; the limit is {limits.max_files} (raise it with 'limits: {{max_files: N}}' "
            "in policies/rules.yaml or --limit max_files=N)",
        )
    ]


def _pin_statuses(fixed: dict[str, FileResult], today: dt.date) -> tuple[object, ...]:
    """What ``today`` changes in cross-file results: each pin's deprecated/retired status."""
    models = fixed.get("models.yaml")
    if models is None or models.kind is None:
        return ()
    pins = ModelsFile.model_validate(models.data).models
    return tuple((name, pin_use(name, pin, today)) for name, pin in sorted(pins.items()))


def _trust(snap: Snapshot, fixed: dict[str, FileResult], where: Locator) -> list[Diagnostic]:
    """The trust chain's diagnostics: its few files are read and walked on every load, so
    the stored state never needs to know about them."""
    trust = [p for p in snap.files if p.startswith("policies/trust/") and classify(p) == "trust"]
    chain = trust_paths(trust)
    if not chain:
        return []
    return trust_diagnostics(chain, snap.read(list(chain.values())), fixed.get(SIGNERS), where)


def _load(
    start: Path,
    ref: str | None,
    cache: bool,
    today: dt.date,
    base: Limits,
    overrides: Mapping[str, int],
    contents: Mapping[str, bytes] | None = None,
) -> Repository:
    if contents is not None:  # a repository in memory: no git, no cache
        root, git, cache = start, None, False
    else:
        root, git = _root_and_git(start, ref)
    store = Store(git.git_dir / "promptops-cache" if git else None, shared=cache)
    try:
        settings = limit_settings(root, git, ref, base, overrides, contents, store)
        limits = base.with_settings(settings)
        states = StateSource(store, prefix_of(git, root)) if git is not None and cache else None
        if contents is not None:
            snap = snapshot_contents(root, dict(contents))
        elif ref is None or git is None:
            snap = snapshot_worktree(git, root, limits, states)
        else:
            snap = snapshot_ref(git, root, ref, limits, states)
        listing = snap.files  # the real names, before renames and truncation
        prior, changed = snap.base, snap.changed
        # Renaming .yml files means looking at every name: skipped when nothing can be one.
        yml = not (prior is not None and changed is not None and not prior.yml) or any(
            p.endswith(".yml") for p in changed or ()
        )
        extra = [*snap.problems, *(canonicalise(snap) if yml else ())]
        too_many = _too_many(snap, limits)
        extra += too_many
        version = min_version(snap, limits, store)
        if version is not None and "needs promptops" in version.message:
            return Repository(root=root, source=snap.source, diagnostics=(version,))
        extra += [version] if version is not None else []
        # The four fixed files' data is needed every time: from the store by blob, else parsed.
        fixed = [p for p in sorted(FIXED_PATHS) if p in snap.files]
        base_ctx = CheckContext(limits, PatternSet(False, []))
        results = fixed_results(snap, fixed, base_ctx, store)
        where = Locator(snap.read, limits)
        rules_oid = snap.files.get("policies/rules.yaml", "")
        rules_result = results.get("policies/rules.yaml")
        ctx, rules, problems = _context(rules_result, rules_oid, limits, where)
        extra += problems
        context = fingerprint(
            ctx.key,
            sorted(settings.items()),
            _pin_statuses(results, today),
            sorted((p, snap.files[p]) for p in fixed),
        )
        outcome = update(snap, ctx, store, rules, today, where, results, context, not too_many)
        extra += _stray(outcome.state.stray)
        extra += _trust(snap, results, where)
        outcome.state.files = listing
        outcome.state.yml = yml and any(p.endswith(".yml") for p in listing)
        if states is not None and (outcome.full or snap.changed):
            states.save(outcome.state, worktree=ref is None)
        store.flush()
        return assemble(root, snap, outcome, extra, store, limits, settings)
    finally:
        store.close()


def validate_repository(
    path: str | Path = ".",
    ref: str | None = None,
    *,
    cache: bool = True,
    today: dt.date | None = None,
    overrides: Mapping[str, int] | None = None,
) -> Repository:
    """Alias of :func:`load_repository`; ``Repository.ok`` tells whether validation passed.

    Raises:
        UsageError: as :func:`load_repository`.
    """
    return load_repository(path, ref, cache=cache, today=today, overrides=overrides)

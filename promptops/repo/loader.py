"""``load_repository``: read, check and assemble a prompt repository."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from promptops.errors import UsageError
from promptops.repo.assemble import assemble
from promptops.repo.cache import ResultStore
from promptops.repo.config import DEFAULT_LIMITS, Limits
from promptops.repo.context import CheckContext
from promptops.repo.filecheck import check_file, classify
from promptops.repo.gitio import git_repo_for
from promptops.repo.patterns import PatternSet
from promptops.repo.positions import locate
from promptops.repo.reading import Snapshot, snapshot_ref, snapshot_worktree
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic, Repository
from promptops.repo.version import check_min_version
from promptops.repo.yamlload import YamlProblem, parse_yaml
from promptops.spec import Rules, RulesFile

__all__ = ["find_root", "load_repository", "validate_repository"]


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``models.yaml``.

    Raises:
        UsageError: no such directory.
    """
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "models.yaml").is_file():
            return candidate
    raise UsageError(
        f"no models.yaml in {start} or any parent directory; pass the path of "
        "a prompt repository or create one with 'promptops init'"
    )


def _min_version(data: bytes | None, limits: Limits) -> Diagnostic | None:
    if data is None:
        return None
    try:
        parsed = parse_yaml(data, limits)
    except YamlProblem:
        return None  # reported with the file's other diagnostics
    if not isinstance(parsed.data, dict):
        return None
    pos = locate(parsed.root, ("minimum_promptops_version",))
    return check_min_version(parsed.data.get("minimum_promptops_version"), pos)


def _context(
    rules_result: FileResult | None, rules_oid: str, limits: Limits
) -> tuple[CheckContext, Rules, list[Diagnostic]]:
    rules = Rules()
    if rules_result is not None and rules_result.data is not None:
        rules = RulesFile.model_validate(rules_result.data).rules
    user: list[tuple[re.Pattern[str], str]] = []
    problems: list[Diagnostic] = []
    for i, fp in enumerate(rules.forbidden_patterns):
        try:
            user.append((re.compile(fp.pattern), fp.message))
        except re.error as exc:
            problems.append(
                Diagnostic(
                    "policies/rules.yaml",
                    1,
                    1,
                    "error",
                    "invalid-pattern",
                    f"rules.forbidden_patterns[{i}].pattern is not a valid "
                    f"regular expression: {exc}",
                )
            )
    ctx = CheckContext(
        limits,
        PatternSet(rules.default_forbidden_patterns, user),
        rules.require_owner,
        rules.max_template_chars,
        rules_oid,
    )
    return ctx, rules, problems


def _check_all(
    snap: Snapshot, paths: Sequence[str], ctx: CheckContext, store: ResultStore
) -> dict[str, FileResult]:
    out: dict[str, FileResult] = {}
    missing: list[str] = []
    for p in paths:
        hit = store.get((ctx.key, p, snap.files[p]))
        if hit is None:
            missing.append(p)
        else:
            out[p] = hit
    if missing:
        contents = snap.read(missing)
        for p in missing:
            result = check_file(p, contents.get(p, b""), ctx)
            store.put((ctx.key, p, snap.files[p]), result)
            out[p] = result
    return out


def load_repository(
    path: str | Path = ".",
    ref: str | None = None,
    *,
    cache: bool = True,
    today: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Repository:
    """Read and check the prompt repository at ``path`` (working tree, or commit ``ref``).

    Bad user files never raise: they become diagnostics, and failing documents are left out.

    Raises:
        UsageError: no repository root, ``ref`` given outside git, or an unknown ``ref``.
    """
    start = Path(path)
    git = git_repo_for(start if start.is_dir() else start.parent) if start.exists() else None
    if ref is None:
        root = find_root(start)
    else:
        if git is None:
            raise UsageError(f"{start} is not inside a git repository; --ref needs git")
        try:
            root = find_root(start)
        except UsageError:
            root = start.resolve()
    cache_dir = git.git_dir / "promptops-cache" if (git is not None and cache) else None
    snap = (
        snapshot_worktree(git, root, limits, cache_dir)
        if ref is None or git is None
        else snapshot_ref(git, root, ref, limits)
    )
    store = ResultStore(cache_dir) if cache else ResultStore(None)
    today = today or dt.date.today()
    skip = {d.path for d in snap.problems}
    paths = [p for p in snap.files if p not in skip and classify(p) is not None]
    first = snap.read(["models.yaml"]) if "models.yaml" in snap.files else {}
    if (too_new := _min_version(first.get("models.yaml"), limits)) is not None and (
        "needs promptops" in too_new.message
    ):
        return Repository(root=root, source=snap.source, diagnostics=(too_new,))
    base = CheckContext(limits, PatternSet(False, []))
    fixed = [p for p in ("models.yaml", "policies/rules.yaml") if p in paths]
    results = _check_all(snap, fixed, base, store)
    rules_oid = snap.files.get("policies/rules.yaml", "")
    ctx, rules, problems = _context(results.get("policies/rules.yaml"), rules_oid, limits)
    results.update(_check_all(snap, [p for p in paths if p not in results], ctx, store))
    store.save()
    extra: list[Diagnostic] = [*snap.problems, *problems]
    if too_new is not None:
        extra.append(too_new)
    return assemble(root, snap, results, rules, today, extra)


def validate_repository(
    path: str | Path = ".",
    ref: str | None = None,
    *,
    cache: bool = True,
    today: dt.date | None = None,
) -> Repository:
    """Alias of :func:`load_repository`; ``Repository.ok`` tells whether validation passed.

    Raises:
        UsageError: as :func:`load_repository`.
    """
    return load_repository(path, ref, cache=cache, today=today)

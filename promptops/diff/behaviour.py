"""Behaviour diff: run the eval cases of changed prompts on both refs and pair the results.

Both runs go through one :class:`~promptops.evals.runner.EvalSession`, whose response cache
is keyed by the request digest: a case that renders identically on base and head is sent
once and answered from the cache the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptops.compile import compile_prompt
from promptops.diff.config import DiffConfig
from promptops.diff.structural import Comparison
from promptops.diff.types import BehaviourResult, CaseFlip, PromptBehaviour, Totals
from promptops.evals import (
    EvalSession,
    Progress,
    PromptTable,
    RecordingSource,
    ResponseCache,
    default_cache_dir,
    directory_source,
)
from promptops.evals.git_recordings import git_source
from promptops.evals.judge_prompts import JudgeSetup, judge_setup
from promptops.evals.report import CaseResult, EvalReport
from promptops.evals.variants import base_id
from promptops.repo.types import Repository
from promptops.spec import EvalSet

__all__ = ["open_session", "run_behaviour"]


def _recordings(repo: Repository) -> RecordingSource:
    if repo.source.ref is None:
        return directory_source(repo.root)
    return git_source(repo.root, repo.source.ref)


def open_session(
    base: Repository, head: Repository, provider: str | None, env: Mapping[str, str]
) -> EvalSession:
    """The eval session of one behaviour diff: one response cache (on disk for remote
    providers) and the recordings of both refs. The caller closes it.

    Raises:
        UsageError: if a ref's recordings cannot be read from git.
    """
    return EvalSession(
        provider=provider,
        cache=ResponseCache(default_cache_dir(head.root)),
        # Recordings are filed by request digest: head's answer what is new on head,
        # base's what only base sends; identical requests are found in either.
        recordings=(_recordings(head), _recordings(base)),
        env=env,
    )


def _judges(repo: Repository, compiled: Mapping[str, Any]) -> JudgeSetup:
    # Judge prompts are compiled from each side's repository, changed or not.
    return judge_setup(
        repo,
        repo.prompts,
        lambda pid: dict(compiled[pid]) if pid in compiled else compile_prompt(repo, pid),
    )


def _sets(repo: Repository, compiled: Mapping[str, Any]) -> dict[str, EvalSet]:
    return {path: s for path, s in repo.evals.items() if s.prompt in compiled}


def _totals(cases: list[CaseResult]) -> Totals:
    samples = [s for c in cases for s in c.samples]
    return Totals(
        passed=sum(1 for c in cases if c.passed),
        failed=sum(1 for c in cases if not c.passed),
        tokens=sum(s.tokens_in + s.tokens_out for s in samples),
        cost=sum(s.cost or 0.0 for s in samples),
        latency_ms=sum(s.latency_ms for s in samples),
        samples=len(samples),
    )


def _flip(b: CaseResult | None, h: CaseResult | None, config: DiffConfig) -> CaseFlip:
    some = h if h is not None else b
    assert some is not None
    cut = config.max_output_chars
    b_out = None if b is None else b.output
    h_out = None if h is None else h.output
    failing = h if h is not None and not h.passed else b if b is not None and b.error else None
    return CaseFlip(
        eval_set=some.eval_path,
        case=some.case,
        base_passed=None if b is None else b.passed,
        head_passed=None if h is None else h.passed,
        output_changed=b is not None and h is not None and b_out != h_out,
        base_output=None if b_out is None else b_out[:cut],
        head_output=None if h_out is None else h_out[:cut],
        failure=None if failing is None else "; ".join(failing.failures),
        base_error=b is not None and b.error is not None,
        head_error=h is not None and h.error is not None,
    )


def _by_prompt(report: EvalReport) -> dict[str, dict[tuple[str, str], CaseResult]]:
    out: dict[str, dict[tuple[str, str], CaseResult]] = {}
    for case in report.cases:
        out.setdefault(case.prompt_id, {})[(case.eval_path, case.case)] = case
    return out


def run_behaviour(
    base: Repository,
    head: Repository,
    comparison: Comparison,
    session: EvalSession,
    config: DiffConfig,
    progress: Progress | None = None,
) -> BehaviourResult:
    """Run the eval cases of every added or changed prompt under base and head.

    Raises:
        ValidationError: if an eval set is malformed (before anything is sent).
        UsageError: if a provider name is unknown.
    """
    targets = sorted(p.id for p in comparison.prompts if p.status in ("added", "changed"))
    before = session.cache.stats
    base_report = session.run(
        PromptTable(comparison.base_compiled),
        _sets(base, comparison.base_compiled),
        prompt_ids=targets,
        progress=progress,
        judges=_judges(base, comparison.base_compiled),
    )
    head_report = session.run(
        PromptTable(comparison.head_compiled),
        _sets(head, comparison.head_compiled),
        prompt_ids=targets,
        progress=progress,
        judges=_judges(head, comparison.head_compiled),
    )
    after = session.cache.stats
    b_cases, h_cases = _by_prompt(base_report), _by_prompt(head_report)
    prompts: list[PromptBehaviour] = []
    # Each prompt, then each of its variants (prompt@variant) on either side.
    wanted = set(targets)
    for pid in sorted(p for p in b_cases.keys() | h_cases.keys() if base_id(p) in wanted):
        b, h = b_cases.get(pid, {}), h_cases.get(pid, {})
        if not b and not h:
            continue
        keys = sorted(b.keys() | h.keys())
        prompts.append(
            PromptBehaviour(
                prompt=pid,
                cases=tuple(_flip(b.get(k), h.get(k), config) for k in keys),
                base=_totals(list(b.values())),
                head=_totals(list(h.values())),
            )
        )
    return BehaviourResult(
        prompts=tuple(prompts),
        provider=_provider_label(base_report, head_report),
        requests_sent=after.calls - before.calls,
        requests_total=base_report.totals.samples + head_report.totals.samples,
    )


def _provider_label(*reports: EvalReport) -> str:
    """``--provider``'s name when one was forced, else "model pins"."""
    names = {r.provider for r in reports if r.provider}
    return ", ".join(sorted(names)) if names else "model pins"

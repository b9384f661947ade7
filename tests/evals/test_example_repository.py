"""The example repository at the project root replays offline and passes."""

from __future__ import annotations

from promptops.evals import evaluate_repository
from tests.evals.example_recordings import ANSWERS, ROOT

RERECORD = "re-record with: .venv/bin/python -m tests.evals.example_recordings"


def test_every_example_case_replays_and_passes() -> None:
    report = evaluate_repository(ROOT, provider="replay", use_cache=False).report
    failures = [f"{c.eval_path} :: {c.case}: {c.failures}" for c in report.cases if not c.passed]
    assert not failures, f"{failures}; {RERECORD}"
    assert {(c.eval_path, c.case) for c in report.cases} == set(ANSWERS)


def test_example_replay_is_deterministic() -> None:
    first = evaluate_repository(ROOT, provider="replay", use_cache=False).report
    second = evaluate_repository(ROOT, provider="replay", use_cache=False).report
    assert first.to_dict() == second.to_dict()
    assert first.totals.cost is not None and first.totals.latency_p95_ms > 0

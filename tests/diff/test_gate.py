"""The --fail-on ladder: never < error < regression < high-risk < any."""

from __future__ import annotations

import pytest

from promptops.diff import (
    BehaviourResult,
    CaseFlip,
    Change,
    DiffResult,
    PromptBehaviour,
    PromptDiff,
    Totals,
    evaluate_gate,
)
from promptops.diff.gate import FailOn


def _result(risk: str | None, regression: bool = False, error: bool = False) -> DiffResult:
    prompts: tuple[PromptDiff, ...] = ()
    if risk is not None:
        change = Change("params", "params.t", "t", risk, "why")  # type: ignore[arg-type]
        prompts = (PromptDiff("p", "changed", "a", "b", (change,)),)
    flip = CaseFlip("evals/p.yaml", "c", True, not regression, False, head_error=error)
    behaviour = BehaviourResult((PromptBehaviour("p", (flip,), Totals(), Totals()),), "echo", 1, 2)
    return DiffResult("base", None, None, None, prompts, (), 3, behaviour)


@pytest.mark.parametrize(
    ("fail_on", "risk", "regression", "failed", "reason"),
    [
        ("never", "high", True, False, "gate disabled (--fail-on never)"),
        ("error", "high", True, False, "no failure under --fail-on error"),
        ("regression", "high", False, False, "no failure under --fail-on regression"),
        ("regression", None, True, True, "1 eval case(s) regressed (passed on base)"),
        ("high-risk", "high", False, True, "high-risk change(s) need review"),
        ("high-risk", "medium", False, False, "no failure under --fail-on high-risk"),
        ("high-risk", "low", True, True, "1 eval case(s) regressed (passed on base)"),
        ("any", "low", False, True, "prompt repository changed (--fail-on any)"),
        ("any", None, False, False, "no failure under --fail-on any"),
    ],
)
def test_gate_ladder(
    fail_on: FailOn, risk: str | None, regression: bool, failed: bool, reason: str
) -> None:
    outcome = evaluate_gate(_result(risk, regression), fail_on)
    assert (outcome.failed, outcome.reason) == (failed, reason)


def test_cases_that_cannot_run_fail_the_gate() -> None:
    outcome = evaluate_gate(_result("low", regression=True, error=True), "regression")
    assert (outcome.failed, outcome.reason) == (
        True,
        "1 eval case(s) could not run (errors, not failures); see the report",
    )
    assert not evaluate_gate(_result("low", error=True), "never").failed


def test_fail_on_error_fails_only_on_cases_without_a_verdict() -> None:
    # Issue 14: an outage is `error`, not `fail`, and the gate can ask for just that.
    outcome = evaluate_gate(_result("low", error=True), "error")
    assert (outcome.failed, outcome.reason) == (
        True,
        "1 eval case(s) could not run (errors, not failures); see the report",
    )
    assert not evaluate_gate(_result("high", regression=True), "error").failed

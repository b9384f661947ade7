"""The CI gate: does a diff fail under ``--fail-on``? (exit 0 pass, 1 gate failed)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from promptops.diff.types import DiffResult

__all__ = ["FAIL_ON", "FailOn", "GateOutcome", "evaluate_gate"]

# A ladder: each level fails on everything the previous one fails on, and more.
FailOn = Literal["never", "error", "regression", "high-risk", "any"]
FAIL_ON: tuple[str, ...] = get_args(FailOn)


@dataclass(frozen=True)
class GateOutcome:
    failed: bool
    reason: str


def evaluate_gate(result: DiffResult, fail_on: FailOn) -> GateOutcome:
    """Decide the gate.

    ``never`` always passes; ``error`` fails when an eval case could not run on a side
    (an outage, a replay miss: no verdict); ``regression`` also when a case passed on base
    and fails on head; ``high-risk`` also on any high-risk change; ``any`` also on any
    change at all. Errors and regressions are counted and named apart.
    """
    regressions = 0 if result.behaviour is None else result.behaviour.regressions
    errors = 0 if result.behaviour is None else result.behaviour.errors
    changed = bool(result.prompts or result.repository)
    if fail_on == "never":
        return GateOutcome(False, "gate disabled (--fail-on never)")
    reasons = []
    if regressions and fail_on != "error":
        reasons.append(f"{regressions} eval case(s) regressed (passed on base)")
    if errors:
        # No verdict is not a pass: a gate that cannot run its cases must not wave them on.
        reasons.append(
            f"{errors} eval case(s) could not run (errors, not failures); see the report"
        )
    if reasons:
        return GateOutcome(True, "; ".join(reasons))
    if fail_on in ("high-risk", "any") and result.risk == "high":
        return GateOutcome(True, "high-risk change(s) need review")
    if fail_on == "any" and changed:
        return GateOutcome(True, "prompt repository changed (--fail-on any)")
    return GateOutcome(False, f"no failure under --fail-on {fail_on}")

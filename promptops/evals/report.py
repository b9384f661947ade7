"""Results of an eval run: per sample, per case, and totals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from promptops.evals.types import ToolCall

if TYPE_CHECKING:
    from promptops.evals.judges import Grade

__all__ = ["CaseResult", "EvalReport", "EvalTotals", "SampleResult", "percentile"]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values): always one of the observed values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class SampleResult:
    """One provider answer to one case (``repeat`` gives several) and its verdict."""

    output: str
    tool_calls: tuple[ToolCall, ...]
    tokens_in: int
    tokens_out: int
    latency_ms: float
    cost: float | None
    failures: tuple[str, ...]
    cached: bool = False
    grades: tuple[Grade, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class CaseResult:
    """One eval case. ``error`` is set when it could not run (render or provider failure)."""

    eval_path: str
    prompt_id: str
    case: str
    repeat: int
    min_pass: int
    samples: tuple[SampleResult, ...] = ()
    request_digest: str | None = None
    error: str | None = None

    @property
    def passes(self) -> int:
        return sum(1 for s in self.samples if s.passed)

    @property
    def passed(self) -> bool:
        return self.error is None and self.passes >= self.min_pass

    @property
    def status(self) -> str:
        """``pass``, ``fail`` (an assertion did not hold) or ``error`` (no verdict: the
        provider failed, a recording is missing, the prompt did not render)."""
        if self.error is not None:
            return "error"
        return "pass" if self.passed else "fail"

    @property
    def shown(self) -> SampleResult | None:
        """The sample to show: the first failing one, else the first."""
        first = self.samples[0] if self.samples else None
        return next((s for s in self.samples if not s.passed), first)

    @property
    def failures(self) -> tuple[str, ...]:
        """Why the case failed (empty when it passed)."""
        if self.error is not None:
            return (self.error,)
        if self.passed:
            return ()
        shown = self.shown
        reasons = shown.failures if shown is not None else ()
        if self.repeat > 1:
            reasons = (
                f"{self.passes} of {self.repeat} samples passed; {self.min_pass} needed",
                *reasons,
            )
        return reasons

    @property
    def output(self) -> str:
        shown = self.shown
        return shown.output if shown is not None else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "eval": self.eval_path,
            "prompt": self.prompt_id,
            "case": self.case,
            "passed": self.passed,
            "status": self.status,
            "passes": self.passes,
            "repeat": self.repeat,
            "min_pass": self.min_pass,
            "failures": list(self.failures),
            "error": self.error,
            "request": self.request_digest,
            "output": self.output,
            "samples": [
                {
                    "output": s.output,
                    "tool_calls": [c.to_dict() for c in s.tool_calls],
                    "tokens_in": s.tokens_in,
                    "tokens_out": s.tokens_out,
                    "latency_ms": s.latency_ms,
                    "cost": s.cost,
                    "passed": s.passed,
                    "failures": list(s.failures),
                    "cached": s.cached,
                    "grades": [g.to_dict() for g in s.grades],
                }
                for s in self.samples
            ],
        }


@dataclass(frozen=True)
class EvalTotals:
    """Sums over a run. ``failed`` counts cases whose assertions did not hold; ``errors``
    those that got no verdict (outage, replay miss, render failure), counted apart."""

    cases: int
    passed: int
    failed: int
    samples: int
    tokens_in: int
    tokens_out: int
    # None when no answered sample's model has pricing in models.yaml.
    cost: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    calls: int
    cache_hits: int
    errors: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EvalReport:
    cases: tuple[CaseResult, ...]
    totals: EvalTotals
    provider: str | None = None

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.cases)

    @classmethod
    def build(
        cls,
        cases: list[CaseResult],
        *,
        calls: int,
        cache_hits: int,
        provider: str | None,
        priced: bool = False,
    ) -> EvalReport:
        """Sum ``cases`` into totals (tokens and cost over every sample).

        ``priced``: some evaluated prompt's model pin has pricing, so the cost is a number
        (0 when nothing was answered) rather than unknown."""
        samples = [s for c in cases for s in c.samples]
        costs = [s.cost for s in samples if s.cost is not None]
        latencies = [s.latency_ms for s in samples]
        passed = sum(1 for c in cases if c.passed)
        errors = sum(1 for c in cases if c.error is not None)
        totals = EvalTotals(
            cases=len(cases),
            passed=passed,
            failed=len(cases) - passed - errors,
            errors=errors,
            samples=len(samples),
            tokens_in=sum(s.tokens_in for s in samples),
            tokens_out=sum(s.tokens_out for s in samples),
            cost=round(sum(costs), 9) if costs or priced else None,
            latency_p50_ms=percentile(latencies, 50),
            latency_p95_ms=percentile(latencies, 95),
            calls=calls,
            cache_hits=cache_hits,
        )
        return cls(tuple(cases), totals, provider)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "provider": self.provider,
            "totals": self.totals.to_dict(),
            "cases": [c.to_dict() for c in self.cases],
        }

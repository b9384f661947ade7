"""Side by side: the same cases on several targets (``eval --pin A --pin B``, ``migrate``).

A :class:`Target` says what one column evaluates: every selected prompt under a model pin
of models.yaml, or under a candidate model not yet pinned (``provider:model-id``). The
runner's unit stays "a prompt under a pin": a target only swaps the compiled prompt's
``model`` and re-merges params (the new pin's, then the prompt's own), so every target goes
through the same session, cache and recordings, and requests identical across targets are
sent once.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from promptops.evals.report import CaseResult, EvalReport
from promptops.evals.variants import suffix

__all__ = ["MatrixReport", "Target", "TargetSummary", "mean_interval", "summarise"]

# Two-sided 95% Student t critical values by degrees of freedom (1-30); 1.96 beyond.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """One column: ``label`` as shown; ``model`` the compiled pin object (ADR 0002) every
    prompt is evaluated under, ``params`` that pin's params; both None: each prompt's own pin."""

    label: str
    model: Mapping[str, Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, obj: Mapping[str, Any], own_params: Mapping[str, Any]) -> dict[str, Any]:
        """The compiled prompt ``obj`` under this target (``own_params``: the prompt's own)."""
        if self.model is None:
            return dict(obj)
        return {**obj, "model": dict(self.model), "params": {**self.params, **own_params}}


def mean_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """Mean and the half-width of its 95% confidence interval (Student t), or None."""
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) == 1:
        return mean, 0.0
    df = len(values) - 1
    t = _T95[df - 1] if df <= len(_T95) else 1.96
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


@dataclass(frozen=True)
class TargetSummary:
    """One row of the side-by-side table."""

    label: str
    cases: int
    passed: int
    failed: int
    errors: int
    # kind -> (mean score, 95% CI half-width) over every graded sample (repeat included).
    scores: Mapping[str, tuple[float, float]]
    tokens: int
    cost: float | None
    latency_p50_ms: float
    latency_p95_ms: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "cases": self.cases,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "pass_rate": self.pass_rate,
            "scores": {k: {"mean": m, "ci95": h} for k, (m, h) in self.scores.items()},
            "tokens": self.tokens,
            "cost": self.cost,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
        }


def summarise(label: str, report: EvalReport) -> TargetSummary:
    """The table row of one target's report."""
    by_kind: dict[str, list[float]] = {}
    for case in report.cases:
        for sample in case.samples:
            for grade in sample.grades:
                if grade.score is not None:
                    by_kind.setdefault(grade.kind, []).append(grade.score)
    scores = {k: ci for k, v in sorted(by_kind.items()) if (ci := mean_interval(v)) is not None}
    t = report.totals
    return TargetSummary(
        label, t.cases, t.passed, t.failed, t.errors, scores, t.tokens_in + t.tokens_out,
        t.cost, t.latency_p50_ms, t.latency_p95_ms,
    )  # fmt: skip


@dataclass(frozen=True)
class MatrixReport:
    """One report per target, over the same cases, and what the table shows."""

    labels: tuple[str, ...]
    reports: tuple[EvalReport, ...]

    @property
    def summaries(self) -> list[TargetSummary]:
        return [summarise(lb, r) for lb, r in zip(self.labels, self.reports, strict=True)]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    def rows(self) -> list[tuple[str, str, list[CaseResult | None]]]:
        """Every case as (eval path, case name, its result under each target); a case run
        on a prompt variant is named ``CASE @VARIANT``."""
        keys: dict[tuple[str, str], None] = {}
        index: list[dict[tuple[str, str], CaseResult]] = []
        for report in self.reports:
            mine = {(c.eval_path, c.case + suffix(c.prompt_id)): c for c in report.cases}
            keys.update(dict.fromkeys(mine))
            index.append(mine)
        return [(p, n, [m.get((p, n)) for m in index]) for p, n in keys]

    def disagreements(self) -> list[tuple[str, str, list[CaseResult | None]]]:
        """The cases whose status (pass / fail / error) differs between targets."""
        return [
            row
            for row in self.rows()
            if len({c.status if c is not None else "missing" for c in row[2]}) > 1
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "promptops.matrix/v1",
            "targets": [s.to_dict() for s in self.summaries],
            "disagreements": [
                {"eval": p, "case": n, "status": [c.status if c else None for c in cs]}
                for p, n, cs in self.disagreements()
            ],
            "reports": {lb: r.to_dict() for lb, r in zip(self.labels, self.reports, strict=True)},
        }

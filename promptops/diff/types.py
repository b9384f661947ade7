"""What a diff yields: typed, JSON-able results that every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "RISK_ORDER",
    "BehaviourResult",
    "CaseFlip",
    "Change",
    "DiffResult",
    "PromptBehaviour",
    "PromptDiff",
    "Risk",
    "Status",
    "Totals",
    "max_risk",
]

Risk = Literal["low", "medium", "high"]
Status = Literal["added", "removed", "changed", "unchanged"]

RISK_ORDER: dict[str, int] = {"none": 0, "low": 1, "medium": 2, "high": 3}


def max_risk(risks: list[Risk]) -> Risk | None:
    """The highest of ``risks``, or None when there are none."""
    if not risks:
        return None
    return max(risks, key=lambda r: RISK_ORDER[r])


@dataclass(frozen=True)
class Change:
    """One structural change with its risk and the reason for that risk.

    ``area`` groups changes (template, params, model, tools, output_schema, ...); ``path``
    points inside the prompt or file (``messages[1]``, ``tools.lookup.parameters``);
    ``diff`` carries a unified diff for text changes.
    """

    area: str
    path: str
    summary: str
    risk: Risk
    reason: str
    before: Any = None
    after: Any = None
    diff: str | None = None
    # For a change to a shared file (an instruction, a partial, a model pin, a tool): the
    # changed prompts it reaches. It is reported once, here, not in each of them.
    affects: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "path": self.path,
            "summary": self.summary,
            "risk": self.risk,
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
            "diff": self.diff,
            "affects": list(self.affects),
        }


@dataclass(frozen=True)
class PromptDiff:
    """The structural difference of one prompt between base and head."""

    id: str
    status: Status
    base_digest: str | None
    head_digest: str | None
    changes: tuple[Change, ...] = ()  # made in the prompt's own file
    # Paths of repository-level changes (shared files) that reach this prompt.
    via: tuple[str, ...] = ()

    @property
    def risk(self) -> Risk | None:
        """The highest risk of the prompt's own changes (shared ones carry theirs)."""
        return max_risk([c.risk for c in self.changes])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "risk": self.risk,
            "base_digest": self.base_digest,
            "head_digest": self.head_digest,
            "changes": [c.to_dict() for c in self.changes],
            "via": list(self.via),
        }


@dataclass(frozen=True)
class CaseFlip:
    """One eval case's outcome under base and head (None: the case exists on one side only)."""

    eval_set: str
    case: str
    base_passed: bool | None
    head_passed: bool | None
    output_changed: bool
    base_output: str | None = None
    head_output: str | None = None
    failure: str | None = None
    # The case could not run on a side (render failure, provider error, replay miss).
    base_error: bool = False
    head_error: bool = False

    @property
    def kind(self) -> str:
        """``error`` (could not run on either side: no verdict), ``regression`` (pass to
        fail), ``fixed`` (fail to pass), ``new``, ``removed``, ``pass``/``fail`` (unchanged
        outcome)."""
        if self.base_error or self.head_error:
            return "error"
        if self.base_passed is None:
            return "new"
        if self.head_passed is None:
            return "removed"
        if self.base_passed and not self.head_passed:
            return "regression"
        if not self.base_passed and self.head_passed:
            return "fixed"
        return "pass" if self.head_passed else "fail"

    def to_dict(self) -> dict[str, Any]:
        return {
            "eval_set": self.eval_set,
            "case": self.case,
            "kind": self.kind,
            "base_passed": self.base_passed,
            "head_passed": self.head_passed,
            "output_changed": self.output_changed,
            "base_output": self.base_output,
            "head_output": self.head_output,
            "failure": self.failure,
            "base_error": self.base_error,
            "head_error": self.head_error,
        }


@dataclass(frozen=True)
class Totals:
    """Sums over a set of eval results on one side."""

    passed: int = 0
    failed: int = 0
    tokens: int = 0
    cost: float = 0.0
    latency_ms: float = 0.0  # summed over samples
    samples: int = 0

    @property
    def mean_latency_ms(self) -> float:
        return self.latency_ms / self.samples if self.samples else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "tokens": self.tokens,
            "cost": round(self.cost, 9),
            "latency_ms": round(self.latency_ms, 3),
            "mean_latency_ms": round(self.mean_latency_ms, 3),
            "samples": self.samples,
        }


@dataclass(frozen=True)
class PromptBehaviour:
    """Eval outcomes of one changed prompt under base and head."""

    prompt: str
    cases: tuple[CaseFlip, ...]
    base: Totals
    head: Totals

    @property
    def regressions(self) -> int:
        return sum(1 for c in self.cases if c.kind == "regression")

    @property
    def fixed(self) -> int:
        return sum(1 for c in self.cases if c.kind == "fixed")

    @property
    def errors(self) -> int:
        return sum(1 for c in self.cases if c.kind == "error")

    @property
    def outputs_changed(self) -> int:
        return sum(1 for c in self.cases if c.output_changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "regressions": self.regressions,
            "fixed": self.fixed,
            "errors": self.errors,
            "outputs_changed": self.outputs_changed,
            "base": self.base.to_dict(),
            "head": self.head.to_dict(),
            "cases": [c.to_dict() for c in self.cases],
        }


@dataclass(frozen=True)
class BehaviourResult:
    """Behaviour diff over every changed prompt that has eval cases."""

    prompts: tuple[PromptBehaviour, ...]
    provider: str
    requests_sent: int
    requests_total: int

    @property
    def regressions(self) -> int:
        return sum(p.regressions for p in self.prompts)

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.prompts)

    def total(self, side: Literal["base", "head"]) -> Totals:
        parts = [getattr(p, side) for p in self.prompts]
        return Totals(
            passed=sum(t.passed for t in parts),
            failed=sum(t.failed for t in parts),
            tokens=sum(t.tokens for t in parts),
            cost=sum(t.cost for t in parts),
            latency_ms=sum(t.latency_ms for t in parts),
            samples=sum(t.samples for t in parts),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "requests_sent": self.requests_sent,
            "requests_total": self.requests_total,
            "regressions": self.regressions,
            "errors": self.errors,
            "base": self.total("base").to_dict(),
            "head": self.total("head").to_dict(),
            "prompts": [p.to_dict() for p in self.prompts],
        }


@dataclass(frozen=True)
class DiffResult:
    """Everything `promptops diff` found between two refs."""

    base_ref: str
    head_ref: str | None  # None: the working tree
    base_commit: str | None
    head_commit: str | None
    prompts: tuple[PromptDiff, ...]  # added, removed and changed only, sorted by id
    repository: tuple[Change, ...]  # models.yaml, policies/*, instructions, partials
    unchanged: int
    behaviour: BehaviourResult | None = None
    notes: tuple[str, ...] = field(default=())
    # Set when the base is the merge base of these two refs (``A...B``, or ``BRANCH`` and
    # HEAD for a lone ``diff BRANCH``), not the tip of ``base_ref``.
    merge_base_of: tuple[str, str] | None = None

    @property
    def base_label(self) -> str:
        """How reports name the base: ``merge base of main and HEAD`` or the ref."""
        if self.merge_base_of is not None:
            return f"merge base of {self.merge_base_of[0]} and {self.merge_base_of[1]}"
        return self.base_ref

    @property
    def head_label(self) -> str:
        return self.head_ref if self.head_ref is not None else "working tree"

    @property
    def risk(self) -> Risk | None:
        risks: list[Risk] = [c.risk for c in self.repository]
        risks += [r for p in self.prompts if (r := p.risk) is not None]
        return max_risk(risks)

    def count(self, status: Status) -> int:
        if status == "unchanged":
            return self.unchanged
        return sum(1 for p in self.prompts if p.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "promptops.diff/v1",
            "base": {
                "ref": self.base_ref,
                "commit": self.base_commit,
                "merge_base_of": None if self.merge_base_of is None else list(self.merge_base_of),
            },
            "head": {"ref": self.head_ref, "commit": self.head_commit},
            "risk": self.risk,
            "summary": {s: self.count(s) for s in ("added", "removed", "changed", "unchanged")},
            "repository": [c.to_dict() for c in self.repository],
            "prompts": [p.to_dict() for p in self.prompts],
            "behaviour": None if self.behaviour is None else self.behaviour.to_dict(),
            "notes": list(self.notes),
        }

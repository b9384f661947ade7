"""``promptops experiment report NAME --data FILE``: per-arm means, lift, and a verdict.

Events are grouped by assignment unit (the experiment's ``unit``: the key the arm was
assigned by), so a user with ten events counts once, with the mean of their values: the
units are what was randomised, and treating their events as independent would overstate
the evidence. Events of other experiments or prompts, of unknown arms, and units seen in
more than one arm are left out and counted. The verdict uses the primary (first) metric:
``ship ARM`` when a treatment beats the control under the always-valid test (Bonferroni
across treatments), ``stop`` when every treatment is worse, ``continue`` otherwise or
while an arm has fewer than ``min_samples`` units.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.errors import UsageError
from promptops.experiments.data import read_rows
from promptops.experiments.stats import Comparison, Summary, compare, summarise
from promptops.spec import Experiment

__all__ = ["ArmResult", "ExperimentReport", "analyse", "experiment_report"]

# Where each field is read from: event columns first, then span attribute names.
# A span carries the experiment's arm and, during a canary, the channel's: the first wins.
ARM_FIELDS = ("arm", "promptops.experiment.arm", "promptops.arm", "variant", "promptops.variant")
KEY_FIELDS = ("key", "promptops.assignment_key")
EXPERIMENT_FIELDS = ("experiment", "promptops.experiment")
PROMPT_FIELDS = ("prompt", "gen_ai.prompt.name")


@dataclass(frozen=True)
class ArmResult:
    arm: str
    weight: float
    metrics: dict[str, Summary]  # metric -> per-unit summary
    comparisons: dict[str, Comparison | None] = field(default_factory=dict)  # vs control


@dataclass(frozen=True)
class ExperimentReport:
    name: str
    experiment: Experiment
    arms: tuple[ArmResult, ...]
    verdict: str  # "continue", "ship ARM" or "stop"
    reason: str
    alpha: float  # per comparison, after the Bonferroni split
    skipped: dict[str, int]  # why rows or units were left out -> how many

    def to_dict(self) -> dict[str, Any]:
        def comparison(c: Comparison | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {"difference": c.difference, "lift": c.lift, "p_value": c.p_value,
                    "interval": list(c.interval), "significant": c.significant}  # fmt: skip

        return {
            "experiment": self.name,
            "prompt": self.experiment.prompt,
            "control": self.experiment.control_arm,
            "primary": self.experiment.metrics[0].name,
            "verdict": self.verdict,
            "reason": self.reason,
            "alpha": self.alpha,
            "skipped": self.skipped,
            "arms": [
                {
                    "arm": a.arm,
                    "weight": a.weight,
                    "metrics": {
                        m: {
                            "n": s.n,
                            "mean": s.mean,
                            "sd": math.sqrt(s.variance),
                            "interval": s.interval(self.experiment.alpha),
                        }
                        for m, s in a.metrics.items()
                    },
                    "vs_control": {m: comparison(c) for m, c in a.comparisons.items()},
                }
                for a in self.arms
            ],
        }


def _first(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if row.get(name) is not None:
            return row[name]
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _units(
    name: str, exp: Experiment, rows: Any
) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    """arm -> metric -> per-unit means, and counts of what was left out."""
    skipped: dict[str, int] = defaultdict(int)
    metrics = [m.name for m in exp.metrics]
    # (arm, unit) -> metric -> values; unit -> arms it was seen in
    sums: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[str, set[str]] = defaultdict(set)
    for index, row in enumerate(rows):
        other = _first(row, EXPERIMENT_FIELDS)
        if other is not None and str(other) != name:
            skipped["rows of other experiments"] += 1
            continue
        prompt = _first(row, PROMPT_FIELDS)
        if prompt is not None and str(prompt) != exp.prompt:
            skipped["rows of other prompts"] += 1
            continue
        arm = _first(row, ARM_FIELDS)
        if arm is None:
            skipped["rows without an arm"] += 1
            continue
        if str(arm) not in exp.arms:
            skipped[f"rows of unknown arm {arm!r}"] += 1
            continue
        key = _first(row, (*KEY_FIELDS, exp.unit))
        unit = str(key) if key is not None else f"#{index}"  # no key: each event a unit
        seen[unit].add(str(arm))
        for metric in metrics:
            value = _number(row.get(metric, row.get(f"promptops.metric.{metric}")))
            if value is not None:
                sums[(str(arm), unit)][metric].append(value)
    per_arm: dict[str, dict[str, list[float]]] = {a: {m: [] for m in metrics} for a in exp.arms}
    for (arm, unit), values in sums.items():
        if len(seen[unit]) > 1:
            continue
        for metric, xs in values.items():
            per_arm[arm][metric].append(sum(xs) / len(xs))
    mixed = sum(1 for arms in seen.values() if len(arms) > 1)
    if mixed:
        skipped[f"{exp.unit}s seen in more than one arm"] = mixed
    return per_arm, dict(skipped)


def analyse(name: str, exp: Experiment, rows: Any) -> ExperimentReport:
    """The report for ``rows`` (flat mappings, see :mod:`promptops.experiments.data`)."""
    per_arm, skipped = _units(name, exp, rows)
    control = exp.control_arm
    treatments = [a for a in exp.arms if a != control]
    alpha = exp.alpha / len(treatments)
    primary = exp.metrics[0]
    sign = 1 if primary.goal == "increase" else -1
    results = []
    for arm, spec in exp.arms.items():
        summaries = {m: summarise(xs) for m, xs in per_arm[arm].items()}
        comparisons: dict[str, Comparison | None] = {}
        if arm != control:
            for metric in per_arm[arm]:
                comparisons[metric] = compare(
                    summaries[metric], summarise(per_arm[control][metric]), alpha, exp.effect_size
                )
        results.append(ArmResult(arm, spec.weight, summaries, comparisons))
    verdict, reason = _verdict(exp, results, control, primary.name, sign)
    return ExperimentReport(name, exp, tuple(results), verdict, reason, alpha, skipped)


def _verdict(
    exp: Experiment, results: list[ArmResult], control: str, primary: str, sign: int
) -> tuple[str, str]:
    short = [r.arm for r in results if r.metrics[primary].n < exp.min_samples]
    if short:
        return "continue", (
            f"fewer than {exp.min_samples} {exp.unit}s with {primary!r} in arm(s) "
            f"{', '.join(short)}"
        )
    treatments = [r for r in results if r.arm != control]
    better = [r for r in treatments if _significant(r, primary, sign)]
    if better:
        best = max(better, key=lambda r: sign * r.metrics[primary].mean)
        return f"ship {best.arm}", f"{best.arm} beats {control} on {primary!r}"
    if all(_significant(r, primary, -sign) for r in treatments):
        return "stop", f"every treatment is worse than {control} on {primary!r}; keep {control}"
    return "continue", f"no arm differs from {control} on {primary!r} yet"


def _significant(result: ArmResult, metric: str, sign: int) -> bool:
    c = result.comparisons.get(metric)
    return c is not None and c.significant and sign * c.difference > 0


def experiment_report(
    root: Path, name: str, data: Path, ref: str | None = None
) -> ExperimentReport:
    """Analyse ``data`` against ``experiments/NAME.yaml`` of the repository at ``root``.

    Raises:
        UsageError: if the repository has no valid experiment ``name`` or ``data`` cannot
            be read.
    """
    from promptops.repo import load_repository  # the report itself needs no repository

    repo = load_repository(root, ref=ref)
    exp = repo.experiments.get(name)
    if exp is None:
        problems = [d for d in repo.errors if d.path == f"experiments/{name}.yaml"]
        if problems:
            raise UsageError(f"experiments/{name}.yaml does not validate: {problems[0]}")
        known = ", ".join(sorted(repo.experiments)) or "none"
        raise UsageError(f"no experiment {name!r} in experiments/ (known: {known})")
    return analyse(name, exp, read_rows(data))

"""Experiment definitions under ``experiments/`` (``experiments/NAME.yaml``).

An experiment names one prompt, its arms with their traffic weights, the assignment unit
(the key the application assigns by: a user, a session) and the outcome metrics;
``promptops experiment report NAME --data FILE`` analyses the outcomes (ADR 0016).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from promptops.spec._base import SpecModel

__all__ = ["Arm", "Experiment", "Metric"]

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
BUCKETS = 10_000  # the runtime's assignment resolution (runtime/assign.py)


class Arm(SpecModel):
    """One arm of the experiment."""

    weight: float = Field(gt=0, description="Relative share of the traffic, e.g. 50.")
    description: str = Field(default="", description="What this arm changes, in one line.")
    variant: str | None = Field(
        default=None,
        description="The prompt variant this arm serves (a name under the prompt's "
        "variants:, or 'base' for the prompt as written); default: the arm's name.",
    )

    def serves(self, arm: str) -> str:
        """The variant name this arm (named ``arm``) serves."""
        return self.variant if self.variant is not None else arm


class Metric(SpecModel):
    """An outcome measured per assignment unit (a number; 0/1 for yes/no outcomes)."""

    name: str = Field(pattern=NAME_PATTERN, description="Column or attribute name in the data.")
    goal: Literal["increase", "decrease"] = Field(
        default="increase", description="Which direction is better."
    )
    description: str = Field(default="", description="What it measures.")


class Experiment(SpecModel):
    """An experiment between arms of one prompt, decided on its first (primary) metric."""

    kind: Literal["experiment"] = Field(
        default="experiment", description="This file is an experiment."
    )
    description: str = Field(default="", description="The question the experiment answers.")
    owner: str | None = Field(default=None, description="Who decides on the result.")
    prompt: str = Field(description="The id of the prompt under test.")
    unit: str = Field(
        default="user",
        pattern=NAME_PATTERN,
        description="The assignment unit: the key outcomes are grouped by (user, session...).",
    )
    arms: dict[str, Arm] = Field(min_length=2, description="Arm name -> weight; at least two.")
    control: str | None = Field(default=None, description="The baseline arm (default: the first).")
    salt: str | None = Field(
        default=None,
        min_length=1,
        description="Assignment salt (default: the experiment's name); a new salt reshuffles "
        "every unit between the arms.",
    )
    metrics: list[Metric] = Field(min_length=1, description="Outcomes; the first decides.")
    alpha: float = Field(default=0.05, gt=0, lt=0.5, description="False-positive rate to bound.")
    min_samples: int = Field(
        default=100, ge=2, description="Units per arm before a verdict other than continue."
    )
    effect_size: float = Field(
        default=0.1,
        gt=0,
        description="The effect the sequential test is tuned for, in standard deviations of "
        "the primary metric (the mSPRT mixture's scale).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        for name in self.arms:
            if not _valid_name(name):
                raise ValueError(f"arm name {name!r} must match {NAME_PATTERN}")
        if self.control is not None and self.control not in self.arms:
            raise ValueError(
                f"control {self.control!r} is not an arm; arms are {', '.join(self.arms)}"
            )
        buckets = self.buckets()
        starved = next((a for a, b in buckets.items() if b == 0), None)
        if starved is not None:
            raise ValueError(
                f"arm {starved!r} gets less than 1/{BUCKETS:,} of the traffic; raise its weight"
            )
        names = [m.name for m in self.metrics]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise ValueError(f"metric {duplicate!r} is listed twice")
        return self

    @property
    def control_arm(self) -> str:
        return self.control or next(iter(self.arms))

    def buckets(self) -> dict[str, int]:
        """Each arm's share in whole buckets of 10,000 (what the runtime assigns by), by
        largest remainder: the weights' proportions, summing to exactly 10,000."""
        total = sum(a.weight for a in self.arms.values())
        exact = {name: a.weight * BUCKETS / total for name, a in self.arms.items()}
        out = {name: int(share) for name, share in exact.items()}
        # Ties go to the earlier arm: file order is part of the reviewed file.
        order = sorted(exact, key=lambda n: -(exact[n] - out[n]))
        for name in order[: BUCKETS - sum(out.values())]:
            out[name] += 1
        return out


def _valid_name(name: str) -> bool:
    return re.match(NAME_PATTERN, name) is not None

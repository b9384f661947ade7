"""``models.yaml``: model pins; its presence marks the repository root."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from promptops.spec._base import SpecModel

__all__ = ["Lifecycle", "ModelPin", "ModelsFile", "Pricing"]


class Pricing(SpecModel):
    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


class Lifecycle(SpecModel):
    deprecated: dt.date | None = None
    retires: dt.date | None = None
    replacement: str | None = None


class ModelPin(SpecModel):
    provider: str = Field(description="openai | anthropic | openai-compatible | echo | replay")
    model: str = Field(description="A dated snapshot, not a floating alias.")
    base_url: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    pricing: Pricing | None = None
    context_window: int | None = Field(default=None, gt=0)
    lifecycle: Lifecycle | None = None


class ModelsFile(SpecModel):
    minimum_promptops_version: str | None = None
    models: dict[str, ModelPin] = Field(default_factory=dict)

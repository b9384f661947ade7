"""``models.yaml``: model pins; its presence marks the repository root."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from promptops.spec._base import Provider, SpecModel
from promptops.spec.prompts import PARAMS_HINT

__all__ = ["MAX_FALLBACKS", "Lifecycle", "ModelPin", "ModelsFile", "Pricing"]

MAX_FALLBACKS = 3  # a chain longer than this is a design problem, and a slow outage


class Pricing(SpecModel):
    """Prices in US dollars per million tokens, for cost totals in evals and diffs."""

    input_per_mtok: float = Field(ge=0, description="USD per million input tokens.")
    output_per_mtok: float = Field(ge=0, description="USD per million output tokens.")


class Lifecycle(SpecModel):
    """The provider's announced end of life for this snapshot."""

    deprecated: dt.date | None = Field(
        default=None, description="From this date validate warns and names the replacement."
    )
    retires: dt.date | None = Field(
        default=None, description="From this date the model is gone: validate reports an error."
    )
    replacement: str | None = Field(
        default=None, description="The models.yaml name to move prompts to."
    )


class ModelPin(SpecModel):
    """A named, dated model snapshot that prompts refer to by name."""

    provider: Provider = Field(
        description="openai | anthropic | openai-compatible (base_url) | azure-openai | "
        "gemini | bedrock | echo | replay."
    )
    model: str = Field(
        description="A dated snapshot (gpt-4o-2024-08-06), not a floating alias (gpt-4o)."
    )
    base_url: str | None = Field(
        default=None, description="API base URL, for openai-compatible servers."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Default request params; prompts override them key by key.",
        json_schema_extra=PARAMS_HINT,
    )
    pricing: Pricing | None = Field(default=None, description="Token prices for cost reports.")
    context_window: int | None = Field(default=None, gt=0, description="Maximum tokens in+out.")
    lifecycle: Lifecycle | None = Field(default=None, description="Deprecation and retirement.")
    judge: bool = Field(
        default=False,
        description="The default judge of graded eval assertions (rubric, factuality, ...).",
    )
    embedding: bool = Field(
        default=False,
        description="An embedding model: the default embedder of similar assertions.",
    )
    fallback: str | None = Field(
        default=None,
        description="Another pin to call when this one's provider is down: every request "
        "rendered for this pin carries the fallback's request, complete (its fallback's too).",
    )


class ModelsFile(SpecModel):
    """models.yaml: the model pins; its presence marks the repository root."""

    minimum_promptops_version: str | None = Field(
        default=None, description="Oldest promptops that may read this repository (e.g. 0.1.0)."
    )
    models: dict[str, ModelPin] = Field(
        default_factory=dict, description="Pin name (used by prompts' model:) -> model pin."
    )

    def fallbacks(self, name: str) -> list[str]:
        """The fallback chain of pin ``name``, in order, without ``name``: stops at an
        unknown pin, a cycle, or :data:`MAX_FALLBACKS` (validate reports all three)."""
        chain: list[str] = []
        pin = self.models.get(name)
        while pin is not None and pin.fallback is not None and len(chain) < MAX_FALLBACKS:
            nxt = pin.fallback
            if nxt == name or nxt in chain or nxt not in self.models:
                break
            chain.append(nxt)
            pin = self.models[nxt]
        return chain

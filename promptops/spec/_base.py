"""Shared base for file models: unknown keys are errors (ADR 0014)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["PROVIDERS", "RISKS", "ROLES", "Provider", "Risk", "Role", "SpecModel"]

# Unknown keys are errors: a misspelt key (``parms:``) would otherwise drop a setting
# silently. Every file model forbids extras here, in one place, so a model added later is
# strict too; the repo layer turns pydantic's ``extra_forbidden`` into a positioned
# diagnostic with a did-you-mean. Files written for a newer promptops say so with a
# ``promptops: ">=X"`` header (``spec/header.py``) instead of relying on leniency.
# defer_build: a model's validator is built on first use, not at import, so a command that
# finds every file in the result cache never pays for it (~35 ms of start-up).
STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

# Closed vocabularies, kept here so the models, the exported JSON Schemas (editor
# completion) and the code dispatching on them share one definition.
Provider = Literal[
    "openai", "anthropic", "openai-compatible", "azure-openai", "gemini", "bedrock", "echo",
    "replay",
]  # fmt: skip
PROVIDERS: tuple[Provider, ...] = (
    "openai", "anthropic", "openai-compatible", "azure-openai", "gemini", "bedrock", "echo",
    "replay",
)  # fmt: skip
Risk = Literal["low", "medium", "high"]
RISKS: tuple[Risk, ...] = ("low", "medium", "high")
Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")


class SpecModel(BaseModel):
    model_config = STRICT

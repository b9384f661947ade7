"""Shared base for file models: unknown keys are kept (the validator warns about them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["PROVIDERS", "RISKS", "ROLES", "Provider", "Risk", "Role", "SpecModel"]

# Unknown keys are warnings with a did-you-mean, not errors, so models allow extras;
# the repo layer reports them from ``model_extra`` with a position and a suggestion.
# defer_build: a model's validator is built on first use, not at import, so a command that
# finds every file in the result cache never pays for it (~35 ms of start-up).
STRICT = ConfigDict(extra="allow", frozen=True, populate_by_name=True, defer_build=True)

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

"""Shared base for file models: unknown keys are kept (the validator warns about them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# Unknown keys are warnings with a did-you-mean, not errors, so models allow extras;
# the repo layer reports them from ``model_extra`` with a position and a suggestion.
STRICT = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class SpecModel(BaseModel):
    model_config = STRICT

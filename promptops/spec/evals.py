"""Eval sets under ``evals/`` (``*.yaml``; recordings are ``*.json`` and are not eval sets)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from promptops.spec._base import SpecModel

__all__ = ["ASSERTION_TYPES", "EvalCase", "EvalSet"]

# Each assertion is a one-key mapping {type: argument}; ``not: {type: argument}`` negates.
ASSERTION_TYPES = (
    "equals",
    "contains",
    "icontains",
    "not_contains",
    "regex",
    "starts_with",
    "is_json",
    "json_schema",
    "json_path",
    "max_chars",
    "max_tokens",
    "tool_called",
    "latency_ms_max",
    "cost_max",
    "not",
)


class EvalCase(SpecModel):
    name: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    assert_: list[dict[str, Any]] = Field(default_factory=list, alias="assert")
    repeat: int = Field(default=1, ge=1, le=100)
    min_pass: int | None = Field(default=None, ge=1)


class EvalSet(SpecModel):
    kind: Literal["eval"] = "eval"
    prompt: str = Field(description="The id of the prompt under test.")
    description: str = ""
    provider: str | None = None
    cases: list[EvalCase] = Field(min_length=1)

"""Eval sets under ``evals/`` (``*.yaml``; recordings are ``*.json`` and are not eval sets)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from promptops.spec._base import Provider, SpecModel

__all__ = ["ASSERTION_ARGUMENTS", "ASSERTION_TYPES", "EvalCase", "EvalSet"]

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

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_AMOUNT: dict[str, Any] = {"type": "number", "minimum": 0}
_ONE_KEY: dict[str, Any] = {"type": "object", "minProperties": 1, "maxProperties": 1}

# The argument each assertion type takes: editor completion and typo detection only.
# The evals layer owns the semantics; keep this in step with ASSERTION_TYPES.
ASSERTION_ARGUMENTS: dict[str, dict[str, Any]] = {
    "equals": {"description": "The whole output equals this value."},
    "contains": {**_TEXT, "description": "The output contains this text."},
    "icontains": {**_TEXT, "description": "Contains, ignoring case."},
    "not_contains": {**_TEXT, "description": "The output does not contain this text."},
    "regex": {**_TEXT, "description": "A Python regular expression searched in the output."},
    "starts_with": {**_TEXT, "description": "The output starts with this text."},
    "is_json": {"enum": [True, None], "description": "The output parses as JSON (is_json: true)."},
    "json_schema": {"type": "object", "description": "The output is JSON valid for this schema."},
    "json_path": {
        "type": "object",
        "description": "The JSON output's value at path equals the given value.",
        "properties": {"path": {**_TEXT, "description": "e.g. $.total"}, "equals": {}},
        "required": ["path", "equals"],
        "additionalProperties": False,
    },
    "max_chars": {**_COUNT, "description": "The output has at most this many characters."},
    "max_tokens": {**_COUNT, "description": "The output has at most this many tokens."},
    "tool_called": {
        "description": "The model called this tool (a name, or {name, args: a subset}).",
        "anyOf": [
            _TEXT,
            {
                "type": "object",
                "properties": {"name": _TEXT, "args": {"type": "object"}},
                "required": ["name"],
                "additionalProperties": False,
            },
        ],
    },
    "latency_ms_max": {**_AMOUNT, "description": "The call took at most this many ms."},
    "cost_max": {**_AMOUNT, "description": "The call cost at most this many USD."},
    "not": {**_ONE_KEY, "description": "Negation of one assertion, e.g. {regex: '...'}."},
}

ASSERTION_SCHEMA: dict[str, Any] = {
    **_ONE_KEY,
    "description": "One assertion: a one-key mapping {type: argument}.",
    "properties": ASSERTION_ARGUMENTS,
    "additionalProperties": False,
}


class EvalCase(SpecModel):
    """One case: inputs for the prompt and assertions on the output."""

    name: str = Field(description="Unique within the set; shown in reports.")
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="Values for the prompt's declared inputs."
    )
    assert_: list[dict[str, Any]] = Field(
        default_factory=list,
        alias="assert",
        description="Assertions, all of which must hold.",
        json_schema_extra={"items": ASSERTION_SCHEMA},
    )
    repeat: int = Field(default=1, ge=1, le=100, description="Runs per case, for flaky outputs.")
    min_pass: int | None = Field(
        default=None, ge=1, description="Runs that must pass (default: all of repeat)."
    )

    @model_validator(mode="after")
    def _min_pass_within_repeat(self) -> EvalCase:
        if self.min_pass is not None and self.min_pass > self.repeat:
            raise ValueError(
                f"min_pass ({self.min_pass}) is larger than repeat ({self.repeat}); "
                "lower min_pass or raise repeat"
            )
        return self


class EvalSet(SpecModel):
    """An eval set: cases run against one prompt."""

    kind: Literal["eval"] = Field(default="eval", description="This file is an eval set.")
    prompt: str = Field(description="The id of the prompt under test.")
    description: str = Field(default="", description="What the set checks, in one line.")
    provider: Provider | None = Field(
        default=None, description="Overrides the provider of the prompt's model pin."
    )
    cases: list[EvalCase] = Field(min_length=1, description="The cases, run in order.")

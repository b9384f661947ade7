"""Eval sets under ``evals/`` (``*.yaml``; recordings are ``*.json`` and are not eval sets)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from promptops.spec._base import Provider, SpecModel

__all__ = [
    "ASSERTION_ARGUMENTS",
    "ASSERTION_TYPES",
    "GRADED_ASSERTION_TYPES",
    "JSON_PATH_TESTS",
    "MAX_REGEX_CHARS",
    "EvalCase",
    "EvalDefaults",
    "EvalSet",
]

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
    "rubric",
    "groundedness",
    "relevance",
    "factuality",
    "similar",
    "python",
    "select_best",
)
# Assertions graded with a score against a threshold (a judge model, embeddings or code).
GRADED_ASSERTION_TYPES = (
    "rubric", "groundedness", "relevance", "factuality", "similar", "python", "select_best",
)  # fmt: skip

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_AMOUNT: dict[str, Any] = {"type": "number", "minimum": 0}
_ONE_KEY: dict[str, Any] = {"type": "object", "minProperties": 1, "maxProperties": 1}
_PIN: dict[str, Any] = {**_TEXT, "description": "A model pin of models.yaml."}
_THRESHOLD: dict[str, Any] = {
    "type": "number",
    "minimum": 0,
    "maximum": 1,
    "description": "Passing score (default 0.7; similar 0.8; python 0.5).",
}


def _graded(
    description: str,
    main: str,
    properties: dict[str, Any],
    *,
    allow_true: bool = False,
    threshold: bool = True,
) -> dict[str, Any]:
    """A graded assertion's argument: its main value as a string, or a mapping."""
    props = {**properties, **({"threshold": _THRESHOLD} if threshold else {})}
    forms: list[dict[str, Any]] = [
        {**properties[main], "description": f"The {main}."},
        {"type": "object", "properties": props, "additionalProperties": False},
    ]
    if allow_true:
        forms.append({"const": True})
    return {"description": description, "anyOf": forms}


# Longest regular expression an eval set may hold (EvalConfig.max_regex_chars agrees).
MAX_REGEX_CHARS = 1_000
_REGEX: dict[str, Any] = {**_TEXT, "maxLength": MAX_REGEX_CHARS, "format": "regex"}
JSON_PATH_TESTS = ("equals", "exists", "contains", "matches")

# The argument each assertion type takes, as a JSON Schema: the one table behind editor
# completion (the exported eval schema) and `promptops validate`, which checks every
# assertion's argument against its row. A new assertion type adds a row here (and its
# check in promptops/evals/checks.py). ``format`` names a check JSON Schema cannot
# express (``regex`` compiles, ``json-schema`` is a valid schema, ``json-path`` is in
# the supported subset); ``errorMessage`` (which VS Code shows too) replaces the generic
# message of a failing keyword of that schema (not of its properties).
ASSERTION_ARGUMENTS: dict[str, dict[str, Any]] = {
    "equals": {"description": "The whole output equals this value."},
    "contains": {**_TEXT, "description": "The output contains this text."},
    "icontains": {**_TEXT, "description": "Contains, ignoring case."},
    "not_contains": {**_TEXT, "description": "The output does not contain this text."},
    "regex": {**_REGEX, "description": "A Python regular expression searched in the output."},
    "starts_with": {**_TEXT, "description": "The output starts with this text."},
    "is_json": {"enum": [True, None], "description": "The output parses as JSON (is_json: true)."},
    "json_schema": {
        "type": "object",
        "format": "json-schema",
        "description": "The output is JSON valid for this schema.",
    },
    "json_path": {
        "type": "object",
        "description": "A value of the JSON output: {path, and one of equals, exists, "
        "contains, matches}.",
        "properties": {
            "path": {**_TEXT, "format": "json-path", "description": "e.g. $.total, $.items[0]"},
            "equals": {"description": "The value at path equals this."},
            "exists": {"type": "boolean", "description": "Whether a value is at path."},
            "contains": {"description": "The text or list at path contains this."},
            "matches": {**_REGEX, "description": "The text at path matches this regex."},
        },
        "required": ["path"],
        "minProperties": 2,
        "maxProperties": 2,
        "additionalProperties": False,
        "errorMessage": "json_path takes 'path' and exactly one of: equals, exists, "
        "contains, matches",
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
        "errorMessage": "tool_called takes a tool name, or {name: NAME, args: {...}}",
    },
    "latency_ms_max": {**_AMOUNT, "description": "The call took at most this many ms."},
    "cost_max": {**_AMOUNT, "description": "The call cost at most this many USD."},
    "not": {**_ONE_KEY, "description": "Negation of one assertion, e.g. {regex: '...'}."},
    "rubric": _graded(
        "A judge model scores the output against free-text criteria (0-1).",
        "criteria",
        {"criteria": _TEXT, "judge": _PIN},
    ),
    "groundedness": _graded(
        "A judge checks every claim is supported by the context (a case input).",
        "context",
        {"context": {**_TEXT, "description": "The case input holding the context."}, "judge": _PIN},
        allow_true=True,
    ),
    "relevance": _graded(
        "A judge checks the output addresses the question.",
        "question",
        {
            "question": {
                **_TEXT,
                "description": "The case input holding the question "
                "(default: the last user message).",
            },
            "judge": _PIN,
        },
        allow_true=True,
    ),
    "factuality": _graded(
        "A judge checks the output is consistent with a reference answer.",
        "reference",
        {"reference": _TEXT, "judge": _PIN},
    ),
    "similar": _graded(
        "Embedding cosine similarity to the expected text (default threshold 0.8).",
        "expected",
        {"expected": _TEXT, "embedder": _PIN},
    ),
    "python": _graded(
        "module:function of the repository's code, given the case's data.",
        "function",
        {
            "function": {**_TEXT, "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"},
            "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        },
    ),
    "select_best": _graded(
        "A judge picks the best output of the case across targets (--pin A --pin B).",
        "criteria",
        {"criteria": _TEXT, "judge": _PIN},
        threshold=False,
    ),
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


class EvalDefaults(SpecModel):
    """What every case of the set gets (promptfoo's defaultTest): inputs a case may
    override, and assertions that come before the case's own."""

    inputs: dict[str, Any] = Field(default_factory=dict, description="Default input values.")
    assert_: list[dict[str, Any]] = Field(
        default_factory=list,
        alias="assert",
        description="Assertions every case must also pass.",
        json_schema_extra={"items": ASSERTION_SCHEMA},
    )


class EvalSet(SpecModel):
    """An eval set: cases run against one prompt."""

    kind: Literal["eval"] = Field(default="eval", description="This file is an eval set.")
    prompt: str = Field(description="The id of the prompt under test.")
    description: str = Field(default="", description="What the set checks, in one line.")
    provider: Provider | None = Field(
        default=None, description="Overrides the provider of the prompt's model pin."
    )
    judge: str | None = Field(
        default=None,
        description="The model pin that answers this set's graded assertions "
        "(default: the pin marked judge: true).",
    )
    defaults: EvalDefaults | None = Field(
        default=None, description="Inputs and assertions every case gets."
    )
    cases: list[EvalCase] = Field(min_length=1, description="The cases, run in order.")

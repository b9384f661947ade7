"""Files under ``prompts/``: prompts, instructions and partials (id = path without .yaml)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from promptops.spec._base import Role, SpecModel

__all__ = [
    "BASE_VARIANT",
    "VARIANT_PATTERN",
    "ContentPart",
    "Instruction",
    "Message",
    "OutputSpec",
    "Partial",
    "Prompt",
    "PromptFile",
    "Variant",
]

# Ids are ASCII so the bundle index stays pure ASCII (the runtime parses it without
# decoding prompt bodies): lower-case words joined by '/', '-', '_' or '.'.
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

_OWNER = "The team or person accountable for this file (required when rules.require_owner)."

# Editor hints only: params stay open (providers differ), these are the common keys.
PARAMS_HINT: dict[str, Any] = {
    "properties": {
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "max_tokens": {"type": "integer", "minimum": 1},
        "stop": {"type": "array", "items": {"type": "string"}},
        "seed": {"type": "integer"},
    }
}


_JSON_TYPES = ["string", "number", "integer", "boolean", "array", "object", "null"]

# Editor hint for places that hold a JSON Schema: catches `type: strnig` early without
# closing the mapping (any JSON Schema keyword stays allowed).
JSON_SCHEMA_HINT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {
            "anyOf": [
                {"enum": _JSON_TYPES},
                {"type": "array", "items": {"enum": _JSON_TYPES}, "minItems": 1},
            ]
        },
        "description": {"type": "string"},
        "enum": {"type": "array"},
        "required": {"type": "array", "items": {"type": "string"}},
        "properties": {"type": "object"},
    },
}


class ContentPart(SpecModel):
    """One part of a multimodal message: text, or an image or a file taken from an input."""

    text: str | None = Field(default=None, description="A Jinja2 template.")
    image: str | None = Field(
        default=None,
        description="An input (type: object) holding an image: {url} or {data, media_type}.",
    )
    file: str | None = Field(
        default=None,
        description="An input (type: object) holding a file: {data, media_type, name} or {url}.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ContentPart:
        kinds = [k for k in ("text", "image", "file") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a content part is one of {text: TEMPLATE}, {image: INPUT} or {file: INPUT}; "
                f"found {', '.join(kinds) or 'none of them'}"
            )
        return self

    @property
    def kind(self) -> str:
        """``text``, ``image`` or ``file``."""
        return "text" if self.text is not None else "image" if self.image is not None else "file"


def _content_kind(value: Any) -> str:
    return "parts" if isinstance(value, list) else "text"


# A template, or a list of parts; the discriminator sends a list straight to the parts, so
# a mistake in one part is reported there, not as "expected a string".
Content = Annotated[
    Annotated[str, Tag("text")] | Annotated[list[ContentPart], Tag("parts")],
    Discriminator(_content_kind),
]


class Message(SpecModel):
    """A chat message (role and content), or ``{history: INPUT}``: the conversation held by
    that input (a list of messages) goes here."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["role", "content"]}, {"required": ["history"]}]}
    )

    role: Role | None = Field(default=None, description="Who speaks: system, user or assistant.")
    content: Content | None = Field(
        default=None,
        description="A Jinja2 template (variables are declared inputs), or a list of content "
        "parts: {text: TEMPLATE}, {image: INPUT}, {file: INPUT}.",
    )
    history: str | None = Field(
        default=None,
        description="An input (type: array) of chat messages, inserted here: "
        "[{role: user|assistant, content: text or parts}].",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Message:
        if self.history is not None:
            if self.role is not None or self.content is not None:
                raise ValueError(
                    "a history placeholder stands alone: {history: INPUT}, without role or content"
                )
        elif self.role is None or self.content is None:
            missing = "role" if self.role is None else "content"
            raise ValueError(
                f"a message needs role and content (or is {{history: INPUT}}); {missing} is missing"
            )
        return self

    def templates(self) -> list[str]:
        """The message's templates: its content, or the text of its text parts."""
        if isinstance(self.content, str):
            return [self.content]
        return [p.text for p in self.content or [] if p.text is not None]


class OutputSpec(SpecModel):
    schema_: dict[str, Any] = Field(
        alias="schema",
        description="JSON Schema the model's output must satisfy.",
        json_schema_extra=JSON_SCHEMA_HINT,
    )


# Variant names appear in provenance, trace attributes and eval results (``prompt@name``).
VARIANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
BASE_VARIANT = "base"
"""The reserved variant name of the prompt as written (an experiment arm may serve it)."""


class Variant(SpecModel):
    """An alternative version of the prompt for an experiment: what it overrides. Inputs,
    tools, system instructions and output are the prompt's own (the same contract)."""

    description: str = Field(default="", description="What this variant changes, in one line.")
    model: str | None = Field(
        default=None, description="A model name in models.yaml instead of the prompt's."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Params over the prompt's (key by key), e.g. {temperature: 0.7}.",
        json_schema_extra=PARAMS_HINT,
    )
    messages: list[Message] | None = Field(
        default=None, min_length=1, description="The chat messages instead of the prompt's."
    )


class Prompt(SpecModel):
    """A prompt: model pin, system instructions, templated messages, tools."""

    kind: Literal["prompt"] = Field(description="This file is a prompt.")
    description: str = Field(default="", description="What the prompt is for, in one line.")
    owner: str | None = Field(default=None, description=_OWNER)
    model: str = Field(description="A model name declared in models.yaml.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the model pin's params (temperature, max_tokens, ...).",
        json_schema_extra=PARAMS_HINT,
    )
    system: list[str] = Field(
        default_factory=list,
        description="Instruction ids (e.g. instructions/tone), concatenated in order.",
    )
    inputs: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Input name -> JSON Schema; required unless the schema has a default.",
        json_schema_extra={"additionalProperties": JSON_SCHEMA_HINT},
    )
    messages: list[Message] = Field(min_length=1, description="The chat messages, in order.")
    tools: list[str] = Field(default_factory=list, description="Tool names in policies/tools.yaml.")
    output: OutputSpec | None = Field(default=None, description="Optional structured output.")
    tags: list[str] = Field(
        default_factory=list, description="Free labels; rules.eval_coverage selects by tag."
    )
    variants: dict[str, Variant] = Field(
        default_factory=dict,
        description="Variant name -> overrides of messages, params or model, for experiments "
        "(experiments/NAME.yaml); 'base' is reserved for the prompt as written.",
        # Names are checked by validate (repo/variantcheck.py) at the key's position.
        json_schema_extra={
            "propertyNames": {"pattern": VARIANT_PATTERN, "not": {"const": BASE_VARIANT}}
        },
    )


class Instruction(SpecModel):
    """Reusable system text, literal (no templating)."""

    kind: Literal["instruction"] = Field(description="This file is a system instruction.")
    description: str = Field(default="", description="What the instruction is for, in one line.")
    owner: str | None = Field(default=None, description=_OWNER)
    text: str = Field(description="Literal system text (not a template).")


class Partial(SpecModel):
    """A template snippet included with ``{% include "partials/name" %}``."""

    kind: Literal["partial"] = Field(description="This file is a template partial.")
    description: str = Field(default="", description="What the partial renders, in one line.")
    owner: str | None = Field(default=None, description=_OWNER)
    template: str = Field(description='A Jinja2 snippet, included with {% include "<id>" %}.')


PromptFile = Annotated[Prompt | Instruction | Partial, Field(discriminator="kind")]

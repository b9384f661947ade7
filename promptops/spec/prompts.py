"""Files under ``prompts/``: prompts, instructions and partials (id = path without .yaml)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from promptops.spec._base import SpecModel

__all__ = ["Instruction", "Message", "OutputSpec", "Partial", "Prompt", "PromptFile"]

# Ids are ASCII so the bundle index stays pure ASCII (the runtime parses it without
# decoding prompt bodies): lower-case words joined by '/', '-', '_' or '.'.
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Message(SpecModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(description="A Jinja2 template; variables must be declared inputs.")


class OutputSpec(SpecModel):
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of the output.")


class Prompt(SpecModel):
    kind: Literal["prompt"]
    description: str = ""
    owner: str | None = None
    model: str = Field(description="A model name declared in models.yaml.")
    params: dict[str, Any] = Field(default_factory=dict)
    system: list[str] = Field(default_factory=list, description="Instruction ids, in order.")
    inputs: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Input name -> JSON Schema; required unless the schema has a default.",
    )
    messages: list[Message] = Field(min_length=1)
    tools: list[str] = Field(default_factory=list, description="Tool names in policies/tools.yaml.")
    output: OutputSpec | None = None
    tags: list[str] = Field(default_factory=list)


class Instruction(SpecModel):
    kind: Literal["instruction"]
    description: str = ""
    owner: str | None = None
    text: str


class Partial(SpecModel):
    kind: Literal["partial"]
    description: str = ""
    owner: str | None = None
    template: str


PromptFile = Annotated[Prompt | Instruction | Partial, Field(discriminator="kind")]

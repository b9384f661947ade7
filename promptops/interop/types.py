"""What importing yields before it becomes repository files: drafts and diagnostics.

Each format reader turns its files into :class:`PromptDraft` objects (promptops-shaped,
templates already Jinja) plus positioned diagnostics; the assembler then makes the
repository files (pins, instructions, tools, eval sets) from all drafts together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from promptops.repo.types import Diagnostic, Level

__all__ = [
    "Content",
    "ImportResult",
    "MessageDraft",
    "ModelRef",
    "PartDraft",
    "PartialDraft",
    "PromptDraft",
    "Sample",
    "ToolDraft",
    "VariantDraft",
    "VariantOf",
    "Where",
    "diag",
]

# The promptops fields a format can hold. On re-import into a repository, fields the
# format has no slot for are kept from the existing prompt file.
Slot = Literal[
    "description", "owner", "tags", "model", "params", "inputs", "output", "tools", "variants"
]


@dataclass(frozen=True)
class Where:
    """A position in a source file (1-based)."""

    path: str
    line: int = 1
    col: int = 1

    def shifted(self, lines: int) -> Where:
        return Where(self.path, self.line + lines, self.col)


def diag(where: Where, level: Level, code: str, message: str) -> Diagnostic:
    """A diagnostic ``SOURCE:line:col: level: message [import-CODE]``."""
    return Diagnostic(where.path, where.line, where.col, level, f"import-{code}", message)


@dataclass(frozen=True)
class ModelRef:
    """A model as the source names it, and the promptops pin it maps to."""

    raw: str  # as written in the source, e.g. "openai/gpt-4o-mini"
    provider: str  # a promptops provider
    model: str  # the provider's model id
    where: Where
    base_url: str | None = None


@dataclass(frozen=True)
class ToolDraft:
    name: str
    description: str
    parameters: dict[str, Any]
    where: Where
    # True when the source names the tool without defining it (Dotprompt: defined in code):
    # a definition the repository already has is then used as it is.
    reference_only: bool = False


@dataclass(frozen=True)
class PartDraft:
    """One content part of a message (ADR 0014): Jinja text, or the input holding an image
    or a file."""

    kind: Literal["text", "image", "file"]
    value: str  # the Jinja template (text) or the input's name (image, file)


@dataclass
class MessageDraft:
    role: str
    template: str  # promptops Jinja
    where: Where
    # A chat history message ({history: INPUT}): the conversation held by that input is
    # spliced in here (role and template unused).
    history: str | None = None
    # Content parts instead of one text (template unused).
    parts: list[PartDraft] | None = None

    @property
    def plain(self) -> bool:
        return self.history is None and self.parts is None

    def same_as(self, other: MessageDraft) -> bool:
        """The same message, wherever each was written."""
        return (self.role, self.template, self.history, self.parts) == (
            other.role,
            other.template,
            other.history,
            other.parts,
        )


# A message's content as compared by the import's proof: its text, or its parts as
# (kind, text or media URL) pairs (a base64 image as its data: URL).
Content = str | tuple[tuple[str, str], ...]


@dataclass
class Sample:
    """Inputs from the source's test data, what the source engine renders for them, and
    the assertions that become the eval case."""

    name: str
    inputs: dict[str, Any]
    where: Where
    # (role, content) as the source tool would send them; None when it cannot be known.
    expected: Sequence[tuple[str, Content]] | None = None
    assertions: list[dict[str, Any]] = field(default_factory=list)
    # False for inputs only used to prove rendering (defaults, examples): no eval case.
    is_case: bool = True
    # The prompt variant this sample renders (None: the prompt as written).
    variant: str | None = None


@dataclass(frozen=True)
class VariantOf:
    """What a source file's name says: it is variant ``name`` of prompt ``base_id``
    (Dotprompt's ``joke.pirate.prompt``), whose own file is ``base_file``."""

    base_id: str
    name: str
    base_file: str  # as diagnostics show it
    base_exists: bool  # the base file is on disk (imported or not)


@dataclass
class VariantDraft:
    """A variant of a prompt (ADR 0018) as its source states it, whole: the assembler
    writes only what differs from the prompt (its pin, params, messages)."""

    name: str
    where: Where
    description: str
    model: ModelRef | None
    params: dict[str, Any]
    messages: list[MessageDraft]


@dataclass
class PromptDraft:
    id: str
    where: Where
    messages: list[MessageDraft]
    description: str = ""
    model: ModelRef | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_schema: dict[str, Any] | None = None
    tools: list[ToolDraft] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    samples: list[Sample] = field(default_factory=list)
    # The fields this source format can express (the others are kept on re-import).
    slots: frozenset[str] = frozenset()
    # Variant name -> the variant, once folded into this prompt.
    variants: dict[str, VariantDraft] = field(default_factory=dict)
    # Set when the source names this prompt as a variant of another.
    variant_of: VariantOf | None = None


@dataclass
class PartialDraft:
    id: str
    template: str
    where: Where
    # False for a partial file read on its own (a directory scan): translated without the
    # including prompt's input types, so the version a prompt brings wins.
    from_prompt: bool = True


@dataclass
class ImportResult:
    """What one format reader made of its sources."""

    documents: list[PromptDraft | PartialDraft] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        self.documents.extend(other.documents)
        self.diagnostics.extend(other.diagnostics)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

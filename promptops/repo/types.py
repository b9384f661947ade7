"""What reading a prompt repository yields: documents plus diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from promptops.spec import (
    EvalSet,
    Experiment,
    Instruction,
    ModelsFile,
    Partial,
    Prompt,
    RulesFile,
    SignersFile,
    ToolsFile,
)

__all__ = ["Diagnostic", "Level", "Repository", "SourceInfo"]

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, positioned in the user's file (1-based line and column)."""

    path: str
    line: int
    col: int
    level: Level
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class SourceInfo:
    """Where the documents came from. For a working tree whose prompt sources equal HEAD's,
    ``commit``/``tree`` are HEAD's and ``dirty`` is False, so the bundle is byte-identical
    to one built from ``--ref HEAD``."""

    commit: str | None
    tree: str | None
    dirty: bool
    ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "tree": self.tree, "dirty": self.dirty}


@dataclass(frozen=True)
class Repository:
    """A prompt repository read from the working tree or a git ref.

    Documents that failed validation are absent from the mappings; ``diagnostics`` says why.
    ``paths`` maps every document key (prompt/instruction/partial id, eval path, or the
    fixed names ``models``, ``tools``, ``rules``, ``signers``; experiments by name) to its
    repository-relative path.
    """

    root: Path
    source: SourceInfo
    models: ModelsFile = field(default_factory=ModelsFile)
    prompts: Mapping[str, Prompt] = field(default_factory=dict)
    instructions: Mapping[str, Instruction] = field(default_factory=dict)
    partials: Mapping[str, Partial] = field(default_factory=dict)
    tools: ToolsFile = field(default_factory=ToolsFile)
    rules: RulesFile = field(default_factory=RulesFile)
    signers: SignersFile | None = None
    evals: Mapping[str, EvalSet] = field(default_factory=dict)
    experiments: Mapping[str, Experiment] = field(default_factory=dict)  # by NAME
    paths: Mapping[str, str] = field(default_factory=dict)
    # Content digests (git blob id or sha256) of each document key; lets the compiler and
    # diff cache by content.
    digests: Mapping[str, str] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    # Every eval file (usable or not) -> the prompt id its ``prompt:`` names.
    eval_targets: Mapping[str, str] = field(default_factory=dict)
    # Limits set for this repository (name -> value): rules.yaml's ``limits:``, then the
    # caller's overrides (``--limit``); the compiler applies the compile ones.
    limits: Mapping[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.level == "error")

    @property
    def ok(self) -> bool:
        return not self.errors

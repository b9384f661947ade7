"""The cacheable outcome of checking one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from promptops.repo.types import Diagnostic

__all__ = ["FileResult", "Pos", "Ref"]

Pos = tuple[int, int]
# A reference to another document: (name, line, col).
Ref = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class FileResult:
    """``kind`` is the document kind (None when unusable); ``data`` the validated plain data
    the model is rebuilt from; ``facts`` what cross-file checks need, with positions."""

    kind: str | None
    data: Any = None
    diagnostics: tuple[Diagnostic, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

"""What a translation reports: positioned problems and how the template uses its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Problem", "Segment", "Translation", "Usage"]


@dataclass(frozen=True)
class Problem:
    """A construct with no exact Jinja equivalent (or a syntax error), at ``offset`` of the
    source template; ``code`` becomes the diagnostic's ``import-CODE``."""

    offset: int
    level: Literal["error", "warning"]
    code: str
    message: str


@dataclass
class Usage:
    """How a template uses one input: printed, iterated, tested, or looked into."""

    print: bool = False
    iterate: bool = False
    test: bool = False
    # Attribute paths read below the input (('address', 'city'), ...).
    attrs: set[tuple[str, ...]] = field(default_factory=set)

    def note(self, path: tuple[str, ...], kind: str) -> None:
        """Record one use of ``path`` (the input first) as ``print``, ``iterate`` or
        ``test``; a use below the input records the attribute path."""
        if len(path) == 1:
            self.print |= kind == "print"
            self.iterate |= kind == "iterate"
            self.test |= kind == "test"
        else:
            self.attrs.add(path[1:] + (("[]",) if kind == "iterate" else ()))


@dataclass(frozen=True)
class Segment:
    """One message of a translated template: its role (None: the format's default) and
    its Jinja source; ``offset`` is where it starts in the source template. A history
    segment stands for the conversation spliced in there; a segment with ``parts`` holds
    content parts ``(kind, Jinja or input name)`` instead of one text."""

    role: str | None
    jinja: str
    offset: int
    history: bool = False
    parts: tuple[tuple[str, str], ...] | None = None


@dataclass
class Translation:
    segments: list[Segment]
    problems: list[Problem]
    usage: dict[str, Usage]
    # Source input names that are not Jinja names, and what they became.
    renames: dict[str, str] = field(default_factory=dict)
    # Inputs sent as media parts, and whether the template gave the URL as the input
    # itself ("string") or as its 'url' field ("object").
    media: dict[str, str] = field(default_factory=dict)

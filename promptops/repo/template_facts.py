"""What a template uses, as found by either template reader."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TemplateFacts"]


@dataclass
class TemplateFacts:
    """What a template uses. Names/includes map to the first template line using them."""

    variables: dict[str, int] = field(default_factory=dict)
    includes: dict[str, int] = field(default_factory=dict)
    # (template line, code, message) for syntax errors and refused constructs.
    problems: list[tuple[int, str, str]] = field(default_factory=list)

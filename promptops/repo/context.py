"""What per-file checks depend on besides the file itself (part of the cache key)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from promptops import __version__
from promptops.repo.config import Limits
from promptops.repo.patterns import PatternSet

__all__ = ["CHECKS_VERSION", "CheckContext"]

# Bumped whenever single-file checks change what they report or the facts they keep, so a
# result cached by an older build of the same promptops version is not reused.
CHECKS_VERSION = 4


@dataclass(frozen=True)
class CheckContext:
    """Caps and the rules that apply to single files. ``key`` changes when any of them does,
    so cached per-file results are never reused under different rules."""

    limits: Limits
    patterns: PatternSet
    require_owner: bool = False
    max_template_chars: int | None = None
    rules_digest: str = ""
    key: str = field(init=False)

    def __post_init__(self) -> None:
        raw = f"{__version__}\0{CHECKS_VERSION}\0{self.limits}\0{self.require_owner}"
        raw += f"\0{self.max_template_chars}\0{self.rules_digest}"
        object.__setattr__(self, "key", hashlib.sha1(raw.encode()).hexdigest()[:16])

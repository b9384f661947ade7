"""Caps on what the compiler accepts, in one frozen object (STYLE.md habit 5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

__all__ = ["CompileConfig"]


@dataclass(frozen=True)
class CompileConfig:
    """Limits for one build. Defaults fit a 10,000-prompt repository with room to spare."""

    # Prompts in one bundle; the runtime has its own cap on what it accepts.
    max_prompts: int = 100_000
    # Bytes of the finished bundle.json.
    max_bundle_bytes: int = 512 * 1024 * 1024
    # Nesting of {% include %} chains through partials.
    max_include_depth: int = 16
    # Entries kept in the content cache before the oldest are dropped.
    max_cache_entries: int = 200_000

    def with_settings(self, settings: Mapping[str, int]) -> CompileConfig:
        """This config with ``settings`` (name -> value, e.g. rules.yaml's ``limits:``)
        applied; names that are not compile limits (repository limits) are ignored."""
        names = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in settings.items() if k in names})

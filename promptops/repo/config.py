"""Caps on everything read from a prompt repository, in one frozen object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

__all__ = ["DEFAULT_LIMITS", "Limits"]

_LIBYAML_MAX_DEPTH = 1_000


@dataclass(frozen=True)
class Limits:
    """Input caps. A file or repository over a cap becomes a diagnostic, never a crash."""

    max_file_bytes: int = 1_000_000
    max_files: int = 50_000
    # Real prompt files nest a handful of levels; 64 leaves room and keeps every walk shallow.
    max_depth: int = 64
    # Alias references per document, and nodes a document may expand to through them:
    # a "billion laughs" document is refused from its node graph, never expanded.
    max_aliases: int = 100
    max_nodes: int = 100_000
    # libyaml composes recursively in C; above this cheap depth bound we first scan events
    # (iteratively) so a hostile nesting never reaches the recursive composer.
    compose_depth_guard: int = 1_000

    def __post_init__(self) -> None:
        # libyaml (PyYAML >= 6.0.4) refuses nesting beyond 1,000 levels on its own; a higher
        # cap would give a different diagnostic depending on the installed PyYAML.
        if not 1 <= self.max_depth <= _LIBYAML_MAX_DEPTH:
            raise ValueError(
                f"max_depth must be between 1 and {_LIBYAML_MAX_DEPTH}, got {self.max_depth}"
            )

    def with_settings(self, settings: Mapping[str, int]) -> Limits:
        """These limits with ``settings`` (name -> value, e.g. rules.yaml's ``limits:``)
        applied; names that are not repository limits (compile limits) are ignored.

        Raises:
            ValueError: ``max_depth`` out of range.
        """
        names = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in settings.items() if k in names})


DEFAULT_LIMITS = Limits()

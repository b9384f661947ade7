"""Caps on everything read from a prompt repository, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


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


DEFAULT_LIMITS = Limits()

"""Load a repository (working tree or git ref), compile it, write ``bundle.json``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from promptops.compile.bundle import BUNDLE_NAME, Bundle, compile_repository
from promptops.compile.config import CompileConfig
from promptops.repo import load_repository

__all__ = ["BUNDLE_NAME", "build"]


def build(
    path: str | Path = ".",
    ref: str | None = None,
    *,
    out: Path | None = None,
    config: CompileConfig | None = None,
    overrides: Mapping[str, int] | None = None,
) -> Bundle:
    """Compile the repository at ``path`` (its working tree, or commit ``ref``) and, when
    ``out`` is given, write ``out/bundle.json`` atomically. ``overrides`` (name -> value,
    as ``--limit``) change the limits over policies/rules.yaml's ``limits:``.

    Raises:
        UsageError: if ``path`` is not a prompt repository or ``ref`` does not resolve.
        ValidationError: if the repository does not validate; carries the diagnostics.
        OSError: if ``out`` cannot be written.
    """
    repo = load_repository(Path(path), ref=ref, overrides=overrides)
    return compile_repository(repo, config=config, out=out)

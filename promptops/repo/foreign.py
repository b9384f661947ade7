"""Other tools' prompt files left where promptops reads its sources.

``promptops import`` reads them; a copy kept under ``prompts/`` would otherwise be an
ignored file (``.prompty``, ``.prompt``) or a ``.yml`` document without ``kind``. The
diagnostic names the format and the import command instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["foreign_hint"]

# Suffix -> (what it is, the import format name).
_SUFFIXES = (
    (".prompt.yml", "a GitHub Models prompt file", "github-models"),
    (".prompt.yaml", "a GitHub Models prompt file", "github-models"),
    (".prompty", "a Prompty file", "prompty"),
    (".prompt", "a Dotprompt file", "dotprompt"),
)


def foreign_hint(path: str, data: Mapping[str, Any] | None = None) -> str | None:
    """How to bring ``path`` in when it is another tool's prompt file, else None.

    A ``.prompt.yml`` counts only when its YAML says so (``messages`` and no ``kind``),
    since a promptops document may be named that way too.
    """
    for suffix, what, fmt in _SUFFIXES:
        if not path.endswith(suffix):
            continue
        if suffix.startswith(".prompt.y") and (
            data is None or "kind" in data or "messages" not in data
        ):
            return None
        return (
            f"ignored: {what}, not a promptops document; bring it in with "
            f"`promptops import {fmt} FILE` and keep the source outside prompts/"
        )
    return None

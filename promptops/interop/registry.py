"""The formats ``promptops import`` and ``export`` know, by name."""

from __future__ import annotations

import importlib
from types import ModuleType

from promptops.errors import UsageError

__all__ = ["FORMATS", "format_module"]

# name -> module under promptops.interop, imported on use.
FORMATS: dict[str, str] = {
    "github-models": "github_models",
    "prompty": "prompty",
    "dotprompt": "dotprompt",
    "promptfoo": "promptfoo",
    "langfuse": "langfuse",
    "python": "python_source",
}


def format_module(name: str) -> ModuleType:
    """The module implementing format ``name``.

    Raises:
        UsageError: unknown format.
    """
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
    return importlib.import_module(f"promptops.interop.{FORMATS[name]}")

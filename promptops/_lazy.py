"""Package names that load on first use (PEP 562), shared by the packages that need it.

A package lists where each of its names lives; importing the package imports none of those
modules. The first use of a name imports its module and binds the name on the package, so
later uses are plain attribute lookups. Standard library only: ``promptops.runtime`` uses it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each name to the module
    defining it; ``namespace`` is the package's ``globals()``, where a loaded name is bound.
    """

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__

"""The thin runtime loader used inside applications.

``from promptops.runtime import Registry``: the names below are imported on first access,
so ``promptops.release`` importing ``promptops.runtime.trust`` pays for nothing else, and an
application pays only for the standard library, ``cryptography`` and, for templates that
need it, ``jinja2``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptops._lazy import lazy_names

if TYPE_CHECKING:
    from promptops.runtime.config import RuntimeConfig
    from promptops.runtime.policy import TrustRoot
    from promptops.runtime.registry import Registry, RegistryStatus
    from promptops.runtime.render import Prompt
    from promptops.runtime.request import Provenance, Request
    from promptops.runtime.tools import ToolDecision

__all__ = [
    "Prompt",
    "Provenance",
    "Registry",
    "RegistryStatus",
    "Request",
    "RuntimeConfig",
    "ToolDecision",
    "TrustRoot",
]

_HOME = {
    "Prompt": "render",
    "Provenance": "request",
    "Registry": "registry",
    "RegistryStatus": "registry",
    "Request": "request",
    "RuntimeConfig": "config",
    "ToolDecision": "tools",
    "TrustRoot": "policy",
}


__getattr__ = lazy_names(
    __name__, {name: f"{__name__}.{module}" for name, module in _HOME.items()}, globals()
)

"""The one exception hierarchy, split by who is at fault.

Standard library only: the runtime imports this module.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BundleError",
    "FetchError",
    "PromptopsError",
    "ProviderError",
    "RenderError",
    "RollbackError",
    "SignatureError",
    "UsageError",
    "ValidationError",
]


class PromptopsError(Exception):
    """Root of every error promptops raises on purpose."""


class UsageError(PromptopsError):
    """The caller asked for something that cannot be done (bad ref, missing file, dirty tree)."""


class ValidationError(PromptopsError):
    """The user's prompt repository files are invalid; carries the diagnostics."""

    def __init__(self, message: str, diagnostics: list[Any] | None = None) -> None:
        super().__init__(message)
        self.diagnostics: list[Any] = list(diagnostics or [])


class BundleError(PromptopsError):
    """A bundle or manifest is malformed, oversized or does not match what was signed."""


class SignatureError(BundleError):
    """Signatures are missing, untrusted, below threshold, or invalid."""


class RollbackError(BundleError):
    """A release or channel pointer is older than one already trusted, or has expired."""


class FetchError(PromptopsError):
    """A source could not be read (network, file system)."""


class RenderError(PromptopsError):
    """Inputs do not satisfy a prompt's declared schema, or a template failed to render."""


class ProviderError(PromptopsError):
    """A model provider failed (HTTP error, timeout, replay miss)."""

"""The one exception hierarchy, split by who is at fault.

Standard library only: the runtime imports this module.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BundleError",
    "ExpiredError",
    "ExpiredReleaseWarning",
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


class ExpiredError(RollbackError):
    """A release or channel pointer is past its ``expires`` (freeze protection).

    The one class for expiry, everywhere: a source serving expired metadata, a cached
    release past ``max_staleness`` (or past expiry with ``RuntimeConfig(expiry="strict")``),
    ``promptops verify``. A subclass of :class:`RollbackError` (a freeze is a rollback in
    time), so ``except RollbackError`` still catches it.
    """


class ExpiredReleaseWarning(UserWarning):
    """A release past its expiry is being served from the cache (availability mode): the
    source serves nothing newer that verifies. ``RegistryStatus.expired`` says the same."""


class FetchError(PromptopsError):
    """A source could not be read (network, file system)."""


class RenderError(PromptopsError):
    """Inputs do not satisfy a prompt's declared schema, or a template failed to render."""


class ProviderError(PromptopsError):
    """A model provider failed (HTTP error, timeout, replay miss)."""

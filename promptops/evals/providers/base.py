"""The provider interface, the call context, and retries with backoff."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from promptops.errors import ProviderError
from promptops.evals.config import RetryPolicy
from promptops.evals.types import Request, Response

__all__ = [
    "CallContext",
    "Provider",
    "TransientProviderError",
    "adapter_view",
    "call_with_retry",
    "error_detail",
    "retry_after",
]


@dataclass(frozen=True)
class CallContext:
    """Which eval case a request belongs to: named in errors and used to file recordings."""

    prompt_id: str
    eval_path: str
    case: str
    sample: int = 0

    def __str__(self) -> str:
        return f"case {self.case!r} of {self.eval_path} (prompt {self.prompt_id!r})"


def adapter_view(request: Request, context: CallContext) -> dict[str, Any]:
    """The compiled-prompt fields ``promptops.runtime.adapters`` map to SDK arguments."""
    return {
        "id": context.prompt_id,
        "params": dict(request.params),
        "tools": [dict(t) for t in request.tools],
        "output_schema": request.output_schema,
    }


def error_detail(exc: Any) -> str:
    """The server's own error message from an SDK status error, else the SDK's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(getattr(exc, "message", exc))


def retry_after(exc: Any) -> float | None:
    """The ``Retry-After`` header of an SDK status error, in seconds (delta form only)."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


class Provider(Protocol):
    """Something that answers requests. Implementations must be thread-safe."""

    name: str
    # Network providers are worth caching on disk and running on a thread pool;
    # echo and replay answer from memory and run inline.
    remote: bool

    def complete(self, request: Request, context: CallContext) -> Response:
        """Send ``request`` once (no retries) and normalise the answer.

        Raises:
            TransientProviderError: on 429, 5xx, timeouts and dropped connections.
            ProviderError: on any other failure.
        """
        ...

    def close(self) -> None:
        """Release connections (SDK clients); the provider is not used afterwards."""
        ...


class TransientProviderError(ProviderError):
    """A failure worth retrying; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def call_with_retry(
    call: Callable[[], Response],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None],
    rng: random.Random,
    context: CallContext,
) -> Response:
    """Run ``call``, retrying transient failures with exponential backoff and full jitter.

    Raises:
        ProviderError: the last failure, naming the case and the number of attempts.
    """
    attempt = 1
    while True:
        try:
            return call()
        except TransientProviderError as exc:
            if attempt >= policy.max_attempts:
                raise ProviderError(f"{context}: {exc} (gave up after {attempt} attempts)") from exc
            ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = rng.uniform(0, ceiling)
            if exc.retry_after is not None:
                delay = max(delay, min(exc.retry_after, policy.max_delay))
            sleep(delay)
            attempt += 1
        except ProviderError as exc:
            raise ProviderError(f"{context}: {exc}") from exc

"""The provider interface, the call context, and retries with backoff."""

from __future__ import annotations

import importlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from promptops.errors import ProviderError, UsageError
from promptops.evals.config import RetryPolicy
from promptops.evals.types import Request, Response

__all__ = [
    "CallContext",
    "Provider",
    "SDKProvider",
    "TransientProviderError",
    "adapter_view",
    "call_with_retry",
    "connection_hint",
    "error_detail",
    "require_sdk",
    "retry_after",
    "sdk_errors",
    "status_hint",
]


@dataclass(frozen=True)
class CallContext:
    """Which eval case a request belongs to: named in errors and used to file recordings."""

    prompt_id: str
    eval_path: str
    case: str
    sample: int = 0
    # The prompt under test when the request is another prompt's (a judge's): replay
    # files the recording under ``prompt_id`` and tells to record ``subject``.
    under_test: str = ""

    @property
    def subject(self) -> str:
        """The prompt whose eval case this request serves."""
        return self.under_test or self.prompt_id

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


def require_sdk(module: str, provider: str, extra: str) -> Any:
    """Import ``module`` (an optional SDK) or say which extra installs it.

    Raises:
        UsageError: if the SDK is not installed (the CLI exits 2 with the pip command).
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(
            f"the {provider} provider needs the {module.split('.')[0]} package, which is not "
            f"installed; install it with: pip install 'promptops[{extra}]' (or answer with "
            "--provider replay)"
        ) from None


def _root_cause(exc: BaseException) -> BaseException:
    seen = 0
    while exc.__cause__ is not None and seen < 8:  # SDKs chain transport errors a few deep
        exc, seen = exc.__cause__, seen + 1
    return exc


def connection_hint(exc: BaseException, url: str) -> str:
    """Why a connection to ``url`` failed, in words, and the likely fix."""
    import socket  # loaded when a connection failed, not by every run

    cause = _root_cause(exc)
    text = str(cause) or type(cause).__name__
    if isinstance(cause, socket.gaierror) or "Name or service not known" in text:
        return (
            f"cannot resolve the host of {url} ({text}); check the model pin's base_url "
            "(or OPENAI_BASE_URL) for a typo, and that this machine has DNS"
        )
    if isinstance(cause, ConnectionRefusedError) or "Connection refused" in text:
        return (
            f"connection refused by {url} ({text}); is the server running on that host and "
            "port? check the model pin's base_url"
        )
    return f"connection to {url} failed ({text}); check the model pin's base_url and network"


def status_hint(status: int, url: str) -> str:
    """The likely fix for an HTTP error status from ``url`` ("" when there is none)."""
    if status in (401, 403):
        return "; the API key was refused: check the key's environment variable for this provider"
    if status == 404:
        from urllib.parse import urlsplit

        path = urlsplit(url).path
        if "/v1" not in path and "/openai/" not in path:
            return (
                "; nothing at that path: the base_url probably lacks /v1 "
                "(OpenAI-compatible servers serve under http://host:port/v1)"
            )
        return "; nothing at that path: check the model id and the base_url"
    return ""


def _url(exc: Any) -> str:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        response = getattr(exc, "response", None)
        url = getattr(getattr(response, "request", None), "url", None)
    return str(url) if url is not None else "the provider"


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


class SDKProvider:
    """What the SDK-backed providers share: one client per base URL, made on first use
    under a lock and shared by all threads (SDK clients are thread-safe), closed together.
    """

    name: str
    remote = True

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        timeout_s: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._env = env
        self._timeout = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str | None, Any] = {}

    def _new_client(self, base_url: str | None) -> Any:
        """A new SDK client for ``base_url`` (``None``: the default)."""
        raise NotImplementedError

    def _client(self, base_url: str | None) -> Any:
        with self._lock:
            if base_url not in self._clients:
                self._clients[base_url] = self._new_client(base_url)
            return self._clients[base_url]

    def close(self) -> None:
        """Close every SDK client's connection pool."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


@contextmanager
def sdk_errors(sdk: Any, provider: str, timeout_s: float) -> Iterator[None]:
    """Map an SDK's exceptions (``openai`` and ``anthropic`` name them alike) to ours.

    Raises:
        TransientProviderError: on 429, 5xx, timeouts and connection failures.
        ProviderError: on other HTTP errors.
    """
    try:
        yield
    except sdk.APITimeoutError as exc:
        raise TransientProviderError(f"timed out after {timeout_s:g} s at {_url(exc)}") from None
    except sdk.APIConnectionError as exc:
        raise TransientProviderError(connection_hint(exc, _url(exc))) from None
    except sdk.APIStatusError as exc:
        url = _url(exc)
        message = (
            f"HTTP {exc.status_code} from {provider} at {url}: {error_detail(exc)}"
            f"{status_hint(exc.status_code, url)}"
        )
        if exc.status_code == 429 or exc.status_code >= 500:
            raise TransientProviderError(message, retry_after(exc)) from None
        raise ProviderError(message) from None


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

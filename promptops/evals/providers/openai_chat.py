"""The ``openai`` provider: the official SDK, for OpenAI and any compatible server.

Arguments come from the runtime's adapter (``Request.to_openai_chat``), so evals send
exactly what applications send. The base URL comes from the model pin (``base_url``),
else ``OPENAI_BASE_URL``, else OpenAI's. The SDK's own retries are off
(``max_retries=0``): promptops retries, so the policy and its accounting are the same
for every provider. One client per base URL, shared by all threads (SDK clients are
thread-safe).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.base import (
    CallContext,
    TransientProviderError,
    adapter_view,
    error_detail,
    retry_after,
)
from promptops.evals.types import Request, Response, ToolCall
from promptops.runtime.adapters import openai_chat

__all__ = ["OpenAIProvider"]


def _response(completion: Any, latency_ms: float) -> Response:
    """A chat completion (plain JSON) as a Response."""
    message = completion["choices"][0]["message"]
    calls = tuple(
        ToolCall(c["function"]["name"], json.loads(c["function"].get("arguments") or "{}"))
        for c in message.get("tool_calls") or ()
    )
    usage = completion.get("usage") or {}
    return Response(
        text=message.get("content") or "",
        tool_calls=calls,
        tokens_in=int(usage.get("prompt_tokens") or 0),
        tokens_out=int(usage.get("completion_tokens") or 0),
        latency_ms=latency_ms,
    )


class OpenAIProvider:
    """Chat completions through the ``openai`` SDK (imported on first use)."""

    remote = True

    def __init__(
        self,
        *,
        name: str = "openai",
        env: Mapping[str, str],
        timeout_s: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.name = name
        self._env = env
        self._timeout = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str | None, Any] = {}

    def _client(self, base_url: str | None) -> Any:
        with self._lock:
            if base_url not in self._clients:
                import openai

                url = base_url or self._env.get("OPENAI_BASE_URL") or None
                key = self._env.get("OPENAI_API_KEY")
                if not key and url is None:
                    raise ProviderError(
                        "OPENAI_API_KEY is not set; export it, set base_url on the model "
                        "pin for a local server, or use --provider replay"
                    )
                # Local OpenAI-compatible servers take any key; the SDK insists on one.
                self._clients[base_url] = openai.OpenAI(
                    api_key=key or "unused", base_url=url, max_retries=0, timeout=self._timeout
                )
            return self._clients[base_url]

    def close(self) -> None:
        """Close every SDK client's connection pool."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def complete(self, request: Request, context: CallContext) -> Response:
        """One chat completion.

        Raises:
            TransientProviderError: on 429, 5xx, timeouts and connection failures.
            ProviderError: on other HTTP errors or a malformed answer.
        """
        import openai

        client = self._client(request.base_url)
        kwargs = openai_chat(request.messages, request.model, adapter_view(request, context))
        payload = {**kwargs, **kwargs.pop("extra_body", {})}
        start = self._clock()
        try:
            # The SDK's generic POST: its transport, auth, timeouts and typed errors, without
            # re-validating our already-typed arguments and building response models, which
            # cost about 3x the CPU of the request itself (a 640 req/s run is CPU-bound).
            completion = client.post("/chat/completions", body=payload, cast_to=object)
        except openai.APITimeoutError:
            raise TransientProviderError(f"timed out after {self._timeout:g} s") from None
        except openai.APIConnectionError as exc:
            raise TransientProviderError(f"connection failed: {exc}") from None
        except openai.APIStatusError as exc:
            message = f"HTTP {exc.status_code} from {request.provider}: {error_detail(exc)}"
            if exc.status_code == 429 or exc.status_code >= 500:
                raise TransientProviderError(message, retry_after(exc)) from None
            raise ProviderError(message) from None
        latency_ms = (self._clock() - start) * 1000.0
        try:
            return _response(completion, round(latency_ms, 3))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"malformed chat completion from {request.provider}: {exc!r}"
            ) from None

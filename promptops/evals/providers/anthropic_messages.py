"""The ``anthropic`` provider: the Messages API through the official SDK.

The request maps to ``messages.create`` arguments with the runtime's own adapter
(``Request.to_anthropic``), so evals send exactly what applications send. The SDK's
retries are off, as for OpenAI.
"""

from __future__ import annotations

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
from promptops.runtime.adapters import anthropic_messages

__all__ = ["AnthropicProvider"]


class AnthropicProvider:
    """Messages through the ``anthropic`` SDK (imported on first use)."""

    name = "anthropic"
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

    def _client(self, base_url: str | None) -> Any:
        with self._lock:
            if base_url not in self._clients:
                import anthropic

                key = self._env.get("ANTHROPIC_API_KEY")
                if not key:
                    raise ProviderError(
                        "ANTHROPIC_API_KEY is not set; export it or use --provider replay"
                    )
                self._clients[base_url] = anthropic.Anthropic(
                    api_key=key, base_url=base_url, max_retries=0, timeout=self._timeout
                )
            return self._clients[base_url]

    def close(self) -> None:
        """Close every SDK client's connection pool."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def complete(self, request: Request, context: CallContext) -> Response:
        """One Messages API call.

        Raises:
            TransientProviderError: on 429, 5xx (529 overloaded included), timeouts and
                connection failures.
            ProviderError: on other HTTP errors or a malformed answer.
        """
        import anthropic

        client = self._client(request.base_url)
        start = self._clock()
        try:
            kwargs = anthropic_messages(
                request.messages, request.model, adapter_view(request, context)
            )
            message = client.messages.create(**kwargs)
        except anthropic.APITimeoutError:
            raise TransientProviderError(f"timed out after {self._timeout:g} s") from None
        except anthropic.APIConnectionError as exc:
            raise TransientProviderError(f"connection failed: {exc}") from None
        except anthropic.APIStatusError as exc:
            text = f"HTTP {exc.status_code} from anthropic: {error_detail(exc)}"
            if exc.status_code == 429 or exc.status_code >= 500:
                raise TransientProviderError(text, retry_after(exc)) from None
            raise ProviderError(text) from None
        latency_ms = (self._clock() - start) * 1000.0
        try:
            texts = [b.text for b in message.content if b.type == "text"]
            calls = tuple(
                ToolCall(b.name, dict(b.input)) for b in message.content if b.type == "tool_use"
            )
            return Response(
                text="".join(texts),
                tool_calls=calls,
                tokens_in=message.usage.input_tokens,
                tokens_out=message.usage.output_tokens,
                latency_ms=round(latency_ms, 3),
            )
        except (AttributeError, TypeError, ValueError) as exc:
            raise ProviderError(f"malformed message from anthropic: {exc}") from None

"""The ``anthropic`` provider: the Messages API through the official SDK.

The request maps to ``messages.create`` arguments with the runtime's own adapter
(``Request.to_anthropic``), so evals send exactly what applications send. The SDK's
retries are off, as for OpenAI.
"""

from __future__ import annotations

from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.base import CallContext, SDKProvider, adapter_view, sdk_errors
from promptops.evals.types import Request, Response, ToolCall
from promptops.runtime.adapters import anthropic_messages

__all__ = ["AnthropicProvider"]


class AnthropicProvider(SDKProvider):
    """Messages through the ``anthropic`` SDK (imported on first use)."""

    name = "anthropic"

    def _new_client(self, base_url: str | None) -> Any:
        import anthropic

        key = self._env.get("ANTHROPIC_API_KEY")
        if not key:
            raise ProviderError("ANTHROPIC_API_KEY is not set; export it or use --provider replay")
        return anthropic.Anthropic(
            api_key=key, base_url=base_url, max_retries=0, timeout=self._timeout
        )

    def complete(self, request: Request, context: CallContext) -> Response:
        """One Messages API call.

        Raises:
            TransientProviderError: on 429, 5xx (529 overloaded included), timeouts and
                connection failures.
            ProviderError: on other HTTP errors or a malformed answer.
        """
        import anthropic

        if request.operation != "chat":
            raise ProviderError(
                "anthropic has no embeddings API; name an embedding pin of another provider "
                "(embedding: true in models.yaml, or embedder: PIN on the assertion)"
            )
        client = self._client(request.base_url)
        kwargs = anthropic_messages(request.messages, request.model, adapter_view(request, context))
        start = self._clock()
        with sdk_errors(anthropic, "anthropic", self._timeout):
            message = client.messages.create(**kwargs)
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

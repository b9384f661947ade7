"""The ``openai`` provider: the official SDK, for OpenAI and any compatible server.

Arguments come from the runtime's adapter (``Request.to_openai_chat``), so evals send
exactly what applications send. The base URL comes from the model pin (``base_url``),
else ``OPENAI_BASE_URL``, else OpenAI's. The SDK's own retries are off
(``max_retries=0``): promptops retries, so the policy and its accounting are the same
for every provider.
"""

from __future__ import annotations

import json
from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.base import CallContext, SDKProvider, adapter_view, sdk_errors
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


class OpenAIProvider(SDKProvider):
    """Chat completions through the ``openai`` SDK (imported on first use)."""

    def __init__(self, *, name: str = "openai", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name

    def _new_client(self, base_url: str | None) -> Any:
        import openai

        url = base_url or self._env.get("OPENAI_BASE_URL") or None
        key = self._env.get("OPENAI_API_KEY")
        if not key and url is None:
            raise ProviderError(
                "OPENAI_API_KEY is not set; export it, set base_url on the model "
                "pin for a local server, or use --provider replay"
            )
        # Local OpenAI-compatible servers take any key; the SDK insists on one.
        return openai.OpenAI(
            api_key=key or "unused", base_url=url, max_retries=0, timeout=self._timeout
        )

    def complete(self, request: Request, context: CallContext) -> Response:
        """One chat completion.

        Raises:
            TransientProviderError: on 429, 5xx, timeouts and connection failures.
            ProviderError: on other HTTP errors or a malformed answer.
        """
        import openai

        client = self._client(request.base_url)
        if request.operation == "embed":
            return self._embed(openai, client, request)
        kwargs = openai_chat(request.messages, request.model, adapter_view(request, context))
        payload = {**kwargs, **kwargs.pop("extra_body", {})}
        start = self._clock()
        with sdk_errors(openai, request.provider, self._timeout):
            # The SDK's generic POST: its transport, auth, timeouts and typed errors, without
            # re-validating our already-typed arguments and building response models, which
            # cost about 3x the CPU of the request itself (a 640 req/s run is CPU-bound).
            completion = client.post("/chat/completions", body=payload, cast_to=object)
        latency_ms = (self._clock() - start) * 1000.0
        try:
            return _response(completion, round(latency_ms, 3))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"malformed chat completion from {request.provider}: {exc!r}"
            ) from None

    def _embed(self, openai: Any, client: Any, request: Request) -> Response:
        body = {"model": request.model, "input": [request.messages[0]["content"]]}
        start = self._clock()
        with sdk_errors(openai, request.provider, self._timeout):
            answer = client.post("/embeddings", body=body, cast_to=object)
        latency_ms = (self._clock() - start) * 1000.0
        try:
            vector = tuple(float(x) for x in answer["data"][0]["embedding"])
            tokens = int((answer.get("usage") or {}).get("prompt_tokens") or 0)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"malformed embedding from {request.provider}: {exc!r}") from None
        return Response("", tokens_in=tokens, latency_ms=round(latency_ms, 3), embedding=vector)

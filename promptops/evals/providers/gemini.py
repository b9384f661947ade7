"""The ``gemini`` provider: Google Gemini through the ``google-genai`` SDK.

The request maps to ``generateContent``: system messages become the system instruction,
``assistant`` turns ``model`` turns, tools function declarations, an output schema a JSON
response schema; ``temperature``/``top_p``/``top_k``/``max_tokens`` become the generation
config. The key is ``GEMINI_API_KEY`` (or ``GOOGLE_API_KEY``); the pin's ``base_url``
replaces Google's endpoint. The SDK's own retries are off: promptops retries.
"""

from __future__ import annotations

from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.base import (
    CallContext,
    SDKProvider,
    TransientProviderError,
    connection_hint,
    status_hint,
)
from promptops.evals.types import Request, Response, ToolCall
from promptops.runtime.adapters_cloud import gemini_generate

__all__ = ["GeminiProvider", "gemini_request"]


def gemini_request(request: Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``(contents, config)`` for ``models.generate_content`` (the runtime's shape).

    Raises:
        RenderError: if a message has image or file parts.
    """
    raw = {"params": request.params, "tools": request.tools, "output_schema": request.output_schema}
    kwargs = gemini_generate(request.messages, request.model, raw)
    return kwargs["contents"], kwargs["config"]


class GeminiProvider(SDKProvider):
    """generateContent and embedContent through ``google-genai`` (imported on first use)."""

    name = "gemini"

    def _new_client(self, base_url: str | None) -> Any:
        from google import genai

        key = self._env.get("GEMINI_API_KEY") or self._env.get("GOOGLE_API_KEY")
        if not key:
            raise ProviderError("GEMINI_API_KEY is not set; export it or use --provider replay")
        options: dict[str, Any] = {"timeout": int(self._timeout * 1000)}
        if base_url:
            options["base_url"] = base_url
        # attempts=1: promptops retries, identically for every provider.
        options["retry_options"] = genai.types.HttpRetryOptions(attempts=1)
        return genai.Client(api_key=key, http_options=genai.types.HttpOptions(**options))

    def complete(self, request: Request, context: CallContext) -> Response:
        """One generateContent (or embedContent) call.

        Raises:
            TransientProviderError: on 429, 5xx, timeouts and connection failures.
            ProviderError: on other HTTP errors or a malformed answer.
        """
        from google.genai import errors

        client = self._client(request.base_url)
        start = self._clock()
        try:
            if request.operation == "embed":
                result = client.models.embed_content(
                    model=request.model, contents=[str(request.messages[0]["content"])]
                )
                vector = tuple(float(x) for x in result.embeddings[0].values)
                ms = round((self._clock() - start) * 1000.0, 3)
                return Response("", latency_ms=ms, embedding=vector)
            contents, config = gemini_request(request)
            answer = client.models.generate_content(
                model=request.model, contents=contents, config=config
            )
        except errors.APIError as exc:
            url = request.base_url or "https://generativelanguage.googleapis.com"
            message = (
                f"HTTP {exc.code} from gemini at {url}: {exc.message}{status_hint(exc.code, url)}"
            )
            if exc.code == 429 or exc.code >= 500:
                raise TransientProviderError(message) from None
            raise ProviderError(message) from None
        except OSError as exc:  # httpx's ConnectError and timeouts are OSErrors underneath
            raise TransientProviderError(
                connection_hint(exc, request.base_url or "gemini")
            ) from None
        except Exception as exc:
            if type(exc).__name__.endswith(("ConnectError", "TimeoutException", "ReadTimeout",
                                            "ConnectTimeout")):  # fmt: skip
                url = request.base_url or "https://generativelanguage.googleapis.com"
                raise TransientProviderError(connection_hint(exc, url)) from None
            raise
        latency_ms = round((self._clock() - start) * 1000.0, 3)
        try:
            parts = answer.candidates[0].content.parts or []
            text = "".join(p.text for p in parts if getattr(p, "text", None))
            calls = tuple(
                ToolCall(p.function_call.name, dict(p.function_call.args or {}))
                for p in parts
                if getattr(p, "function_call", None)
            )
            usage = answer.usage_metadata
            return Response(
                text=text,
                tool_calls=calls,
                tokens_in=int(getattr(usage, "prompt_token_count", 0) or 0),
                tokens_out=int(getattr(usage, "candidates_token_count", 0) or 0),
                latency_ms=latency_ms,
            )
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise ProviderError(f"malformed answer from gemini: {exc!r}") from None

"""The ``bedrock`` provider: AWS Bedrock's Converse API through ``boto3``.

System messages become ``system``, the rest ``messages`` with text blocks; tools become the
``toolConfig``; ``max_tokens``/``temperature``/``top_p``/``stop`` the inference config.
Credentials and region come from the environment as boto3 reads them (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``...); the pin's ``base_url`` replaces the
endpoint. boto3's own retries are off (one attempt): promptops retries.
"""

from __future__ import annotations

import json
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
from promptops.runtime.adapters_cloud import bedrock_converse

__all__ = ["BedrockProvider", "converse_request"]


def converse_request(request: Request) -> dict[str, Any]:
    """The keyword arguments of ``bedrock-runtime.converse`` (the runtime's shape).

    Raises:
        RenderError: if a message has image or file parts.
    """
    raw = {"params": request.params, "tools": request.tools, "output_schema": request.output_schema}
    return bedrock_converse(request.messages, request.model, raw)


class BedrockProvider(SDKProvider):
    """Converse through ``boto3`` (imported on first use)."""

    name = "bedrock"

    def _new_client(self, base_url: str | None) -> Any:
        import boto3
        from botocore.config import Config

        env = self._env
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=self._timeout,
            read_timeout=self._timeout,
        )
        session = boto3.session.Session(
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=env.get("AWS_SESSION_TOKEN"),
            region_name=region,
        )
        return session.client("bedrock-runtime", endpoint_url=base_url, config=config)

    def complete(self, request: Request, context: CallContext) -> Response:
        """One Converse call.

        Raises:
            TransientProviderError: on throttling, 5xx, timeouts and connection failures.
            ProviderError: on other errors (access denied, validation) or a malformed answer.
        """
        from botocore import exceptions

        if request.operation != "chat":
            raise ProviderError("bedrock embeddings are not supported; name another embedder pin")
        client = self._client(request.base_url)
        url = request.base_url or "bedrock-runtime"
        start = self._clock()
        try:
            answer = client.converse(**converse_request(request))
        except exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            message = (f"HTTP {status} from bedrock at {url}: {error.get('Code')}: "
                       f"{error.get('Message')}{status_hint(status, url)}")  # fmt: skip
            if status == 429 or status >= 500 or error.get("Code") == "ThrottlingException":
                raise TransientProviderError(message) from None
            raise ProviderError(message) from None
        except (exceptions.EndpointConnectionError, exceptions.ConnectionClosedError) as exc:
            raise TransientProviderError(connection_hint(exc, url)) from None
        except (exceptions.ReadTimeoutError, exceptions.ConnectTimeoutError):
            raise TransientProviderError(f"timed out after {self._timeout:g} s at {url}") from None
        except exceptions.NoCredentialsError:
            raise ProviderError(
                "AWS credentials are not set (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); "
                "export them or use --provider replay"
            ) from None
        latency_ms = round((self._clock() - start) * 1000.0, 3)
        try:
            blocks = answer["output"]["message"]["content"]
            text = "".join(b["text"] for b in blocks if "text" in b)
            calls = tuple(ToolCall(b["toolUse"]["name"], dict(b["toolUse"]["input"]))
                          for b in blocks if "toolUse" in b)  # fmt: skip
            usage = answer.get("usage") or {}
            return Response(text, calls, int(usage.get("inputTokens", 0)),
                            int(usage.get("outputTokens", 0)), latency_ms)  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"malformed answer from bedrock: {json.dumps(str(exc))}") from None

    def close(self) -> None:
        """boto3 clients hold a connection pool; close it."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

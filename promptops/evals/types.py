"""The request a provider sends and the response it returns.

A request is whatever the runtime renderer produces; evals only rely on the small
:class:`RequestLike` protocol, so any renderer (or a test shim) can feed the runner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from promptops.canonical import canonical_bytes, sha256_hex

__all__ = [
    "Request",
    "RequestFactory",
    "RequestLike",
    "Response",
    "ToolCall",
    "embedding_request",
    "request_dict",
]


class RequestLike(Protocol):
    """What evals need from a rendered request (``promptops.runtime`` produces one)."""

    @property
    def messages(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def model(self) -> str: ...

    @property
    def provider(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...

    @property
    def tools(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def output_schema(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class Request:
    """A rendered request in plain data: what providers receive and recordings hold.

    ``digest`` is the sha256 of the canonical JSON of every field but ``base_url`` (where
    a request is sent does not change what it asks), so a request that renders identically
    under two git refs has one digest.
    """

    provider: str
    model: str
    messages: tuple[Mapping[str, Any], ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    tools: tuple[Mapping[str, Any], ...] = ()
    output_schema: Mapping[str, Any] | None = None
    base_url: str | None = None
    digest: str = ""
    # "chat", or "embed": the embedding of the one message's content (``similar``).
    operation: str = "chat"

    @classmethod
    def from_rendered(cls, rendered: RequestLike, *, base_url: str | None = None) -> Request:
        """Freeze a renderer's request into plain data and compute its digest.

        Raises:
            TypeError: if the request holds values JSON cannot encode.
            ValueError: if it holds a float NaN or infinity.
        """
        factory = RequestFactory(
            provider=rendered.provider,
            model=rendered.model,
            params=rendered.params,
            tools=rendered.tools,
            output_schema=rendered.output_schema,
            base_url=base_url,
        )
        return factory.make(rendered.messages)


class RequestFactory:
    """The input-independent half of every request of one prompt, encoded once.

    Keys sort as ``messages`` < ``model`` < ``output_schema`` < ``params`` < ``provider``
    < ``tools``, so the canonical JSON of a whole request is ``{"messages":`` + the
    messages' canonical JSON + ``,`` + the rest's canonical JSON without its ``{``: each
    case encodes only its messages, and the digest is still that of the full request.
    """

    def __init__(
        self,
        *,
        provider: str,
        model: str,
        params: Mapping[str, Any],
        tools: Sequence[Mapping[str, Any]],
        output_schema: Mapping[str, Any] | None,
        base_url: str | None,
    ) -> None:
        self._provider = str(provider)
        self._model = str(model)
        self._params = dict(params)
        self._tools = tuple(dict(t) for t in tools)
        self._schema = dict(output_schema) if output_schema else None
        self._base_url = base_url
        rest = {
            "model": self._model,
            "output_schema": self._schema,
            "params": self._params,
            "provider": self._provider,
            "tools": list(self._tools),
        }
        self._tail = b"," + canonical_bytes(rest)[1:]

    def make(self, messages: Sequence[Mapping[str, Any]]) -> Request:
        """The request with these rendered messages.

        Raises:
            TypeError, ValueError: if a message is not JSON data.
        """
        frozen = tuple(dict(m) for m in messages)
        body = b'{"messages":' + canonical_bytes(frozen) + self._tail
        return Request(
            provider=self._provider,
            model=self._model,
            messages=frozen,
            params=self._params,
            tools=self._tools,
            output_schema=self._schema,
            base_url=self._base_url,
            digest=sha256_hex(body),
        )


def embedding_request(provider: str, model: str, text: str, base_url: str | None = None) -> Request:
    """A request for the embedding of ``text``; its digest covers operation, model,
    provider and text, so it never collides with a chat request."""
    message = {"role": "user", "content": text}
    body = {"messages": [message], "model": model, "operation": "embed", "provider": provider}
    return Request(
        provider=provider,
        model=model,
        messages=(message,),
        base_url=base_url,
        digest=sha256_hex(canonical_bytes(body)),
        operation="embed",
    )


def request_dict(request: Request) -> dict[str, Any]:
    """The hashed part of ``request`` as plain JSON data (what recordings store)."""
    if request.operation != "chat":
        return {
            "operation": request.operation,
            "provider": request.provider,
            "model": request.model,
            "messages": [dict(m) for m in request.messages],
        }
    return {
        "provider": request.provider,
        "model": request.model,
        "messages": [dict(m) for m in request.messages],
        "params": dict(request.params),
        "tools": [dict(t) for t in request.tools],
        "output_schema": dict(request.output_schema) if request.output_schema else None,
    }


@dataclass(frozen=True)
class ToolCall:
    """One tool call the model asked for; ``args`` is the decoded JSON arguments object."""

    name: str
    args: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": dict(self.args)}


@dataclass(frozen=True)
class Response:
    """A provider's answer, normalised. ``latency_ms`` is the original call's latency,
    also when the response comes from the cache or a recording, so latency assertions
    and totals are reproducible."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    # The vector of an embedding request; None for chat answers.
    embedding: tuple[float, ...] | None = None
    # Answered through a provider's batch API (billed at half price).
    batch: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "tool_calls": [c.to_dict() for c in self.tool_calls],
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "latency_ms": self.latency_ms,
        }
        # Only when set: recordings of chat answers keep their exact v1 shape.
        if self.embedding is not None:
            out["embedding"] = list(self.embedding)
        if self.batch:
            out["batch"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Response:
        """Rebuild a response stored by :meth:`to_dict`.

        Raises:
            KeyError, TypeError, ValueError: if ``data`` is not such a mapping.
        """
        calls = tuple(ToolCall(str(c["name"]), dict(c["args"])) for c in data["tool_calls"])
        vector = data.get("embedding")
        return cls(
            text=str(data["text"]),
            tool_calls=calls,
            tokens_in=int(data["tokens_in"]),
            tokens_out=int(data["tokens_out"]),
            latency_ms=float(data["latency_ms"]),
            embedding=None if vector is None else tuple(float(x) for x in vector),
            batch=bool(data.get("batch", False)),
        )

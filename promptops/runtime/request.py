"""The request a render returns: messages plus everything needed to call the model."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from promptops.runtime import adapters
from promptops.runtime.adapters_cloud import for_provider

__all__ = ["PromptStatic", "Provenance", "Request", "new_request"]


class Provenance(NamedTuple):
    """Where a request came from: enough to find the exact bytes again.

    ``arm``: during a canary (ADR 0018), ``"stable"`` or ``"canary"``, the channel arm
    that served the release. ``variant``: the prompt variant rendered (``None``: the
    prompt as written); ``experiment`` and ``experiment_arm`` name the experiment that
    chose it. ``fallback_of``: on a request of ``Request.fallbacks``, the model pin it
    stands in for.
    """

    prompt_id: str
    prompt_digest: str
    release: str | None
    serial: int | None
    bundle_sha256: str
    commit: str | None
    from_cache: bool = False
    stale: bool = False
    channel: str | None = None  # the channel followed, if the release came through one
    expired: bool = False  # served from the cache past its expiry (see RegistryStatus)
    arm: str | None = None
    variant: str | None = None
    experiment: str | None = None
    experiment_arm: str | None = None
    fallback_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (for logs and traces)."""
        return {
            "prompt_id": self.prompt_id,
            "prompt_digest": self.prompt_digest,
            "release": self.release,
            "serial": self.serial,
            "bundle_sha256": self.bundle_sha256,
            "commit": self.commit,
            "from_cache": self.from_cache,
            "stale": self.stale,
            "channel": self.channel,
            "expired": self.expired,
            "arm": self.arm,
            "variant": self.variant,
            "experiment": self.experiment,
            "experiment_arm": self.experiment_arm,
            "fallback_of": self.fallback_of,
        }


class PromptStatic(NamedTuple):
    """The input-independent half of every request of one prompt."""

    prompt_id: str
    model: str
    model_name: str
    provider: str
    base_url: str | None
    params: Mapping[str, Any]
    tools: tuple[Mapping[str, Any], ...]
    output_schema: Mapping[str, Any] | None
    provenance: Provenance
    raw: Mapping[str, Any]  # the compiled prompt object, for adapters (plain dicts inside)
    # The pin's fallback chain (ADR 0018), each the static half of a complete request.
    fallbacks: tuple["PromptStatic", ...] = ()


class Request:
    """A rendered prompt: messages plus everything needed to call the model. Immutable."""

    __slots__ = ("_s", "messages")
    messages: list[dict[str, Any]]
    _s: PromptStatic

    def __init__(self, messages: list[dict[str, Any]], static: PromptStatic) -> None:
        _set(self, "messages", messages)
        _set(self, "_s", static)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Request is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        s = self._s
        return f"Request(prompt={s.prompt_id!r}, model={s.model!r}, messages={self.messages!r})"

    @property
    def prompt_id(self) -> str:
        return self._s.prompt_id

    @property
    def model(self) -> str:
        """The provider's model id, e.g. ``gpt-4o-2024-08-06``."""
        return self._s.model

    @property
    def model_name(self) -> str:
        """The pin's name in ``models.yaml``."""
        return self._s.model_name

    @property
    def provider(self) -> str:
        return self._s.provider

    @property
    def base_url(self) -> str | None:
        return self._s.base_url

    @property
    def params(self) -> Mapping[str, Any]:
        return self._s.params

    @property
    def tools(self) -> tuple[Mapping[str, Any], ...]:
        return self._s.tools

    @property
    def output_schema(self) -> Mapping[str, Any] | None:
        return self._s.output_schema

    @property
    def provenance(self) -> Provenance:
        return self._s.provenance

    @property
    def fallbacks(self) -> tuple["Request", ...]:
        """The same request for each pin of the model pin's ``fallback:`` chain, in order
        (empty without one): the messages as rendered, the fallback's provider, model,
        base URL and params (its pin's, under the prompt's own), the same tools and output
        schema. Send ``req.fallbacks[0]`` when ``req``'s provider is down; its provenance
        has ``fallback_of`` set to the pin it stands in for."""
        return tuple(new_request(self.messages, s) for s in self._s.fallbacks)

    def to_provider(self) -> dict[str, Any]:
        """Keyword arguments for this request's own provider SDK: ``to_openai_chat()`` for
        openai, openai-compatible and azure-openai, ``to_anthropic()`` for anthropic,
        ``generate_content`` for gemini, ``converse`` for bedrock. So a fallback is sent
        the way its pin says, without the application knowing which it is.

        Raises:
            UsageError: for a provider that takes no SDK request (echo, replay).
            RenderError: if the messages hold what that provider's shape cannot carry.
        """
        return for_provider(self._s.provider, self.messages, self._s.model, self._s.raw)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data."""
        raw = self._s.raw
        return {
            "prompt_id": self.prompt_id,
            "provider": self.provider,
            "model": self.model,
            "messages": [dict(m) for m in self.messages],
            "params": dict(raw["params"]),
            "tools": [dict(t) for t in raw["tools"]],
            "output_schema": raw["output_schema"],
            "provenance": self.provenance.to_dict(),
            **(
                {
                    "fallbacks": [
                        f"{s.model_name} ({s.provider}/{s.model})" for s in self._s.fallbacks
                    ]
                }
                if self._s.fallbacks
                else {}
            ),
        }

    def to_openai_chat(self) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().chat.completions.create(**kw)``."""
        return adapters.openai_chat(self.messages, self._s.model, self._s.raw)

    def to_openai_responses(self) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().responses.create(**kw)``."""
        return adapters.openai_responses(self.messages, self._s.model, self._s.raw)

    def to_anthropic(self) -> dict[str, Any]:
        """Keyword arguments for ``anthropic.Anthropic().messages.create(**kw)``."""
        return adapters.anthropic_messages(self.messages, self._s.model, self._s.raw)


_set = object.__setattr__

_new_request = object.__new__
_set_messages = Request.__dict__["messages"].__set__
_set_static = Request.__dict__["_s"].__set__


def new_request(messages: list[dict[str, Any]], static: PromptStatic) -> Request:
    """A :class:`Request` without running ``__init__``: the slot setters directly, which
    halves the cost of the one allocation every render makes."""
    request: Request = _new_request(Request)
    _set_messages(request, messages)
    _set_static(request, static)
    return request

"""OpenTelemetry: which prompt version made each LLM call, on the application's spans.

Imported only when asked for (``RuntimeConfig(otel=True)``, or :meth:`Registry.trace`) and
only if ``opentelemetry-api`` is installed (``pip install 'promptops[otel]'``); the rest of
the runtime never imports it. Two uses:

- every render adds the prompt's attributes to the *current* span (the request handler's,
  say), so a trace names the prompt version even without a model call around it;
- ``with reg.trace(req) as call:`` around the model call creates the GenAI client span
  (``gen_ai.operation.name = chat``, name ``chat MODEL``); ``call.record(response)`` adds
  token usage, latency and the cost from the model pin's pricing.

Every attribute name is in :data:`ATTRIBUTES` (with the vendor aliases, off by default)
and :data:`PARAMS`. Template text, variables and messages are recorded only when the
standard switch ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` is on (or
``RuntimeConfig(otel_capture_content=True)``): they may hold personal data.
"""

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from promptops.errors import UsageError
from promptops.runtime.request import PromptStatic, Request

try:
    from opentelemetry import trace as _trace
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    _trace = None  # type: ignore[assignment]

__all__ = ["ALIASES", "ATTRIBUTES", "PARAMS", "Attribute", "Call", "Telemetry", "require"]


class Attribute(NamedTuple):
    """One span attribute: its name, the :class:`Provenance` field (or request property)
    it comes from, and the names other tools read the same value under."""

    name: str
    source: str
    aliases: Mapping[str, str] = {}


# The one table. ``source`` is looked up by name, so a provenance field added later
# is recorded as soon as it exists; a field that is absent or None is left out.
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("gen_ai.prompt.name", "prompt_id", {
        "langfuse": "langfuse.observation.prompt.name",
        "traceloop": "traceloop.prompt.key",
    }),
    Attribute("gen_ai.prompt.version", "release", {
        "openinference": "llm.prompt_template.version",
        "traceloop": "traceloop.prompt.version_name",
    }),
    Attribute("gen_ai.request.model", "model"),
    Attribute("gen_ai.provider.name", "provider"),
    Attribute("promptops.release", "release"),
    Attribute("promptops.serial", "serial", {
        "langfuse": "langfuse.observation.prompt.version",  # an integer there, as serials are
        "traceloop": "traceloop.prompt.version",
    }),
    Attribute("promptops.bundle.sha256", "bundle_sha256"),
    Attribute("promptops.prompt.sha256", "prompt_digest", {
        "traceloop": "traceloop.prompt.version_hash",
    }),
    Attribute("promptops.commit", "commit"),
    Attribute("promptops.channel", "channel"),
    Attribute("promptops.arm", "arm"),
    Attribute("promptops.variant", "variant"),
    Attribute("promptops.experiment", "experiment"),
    Attribute("promptops.experiment.arm", "experiment_arm"),
    Attribute("promptops.fallback_of", "fallback_of"),
    Attribute("promptops.from_cache", "from_cache"),
    Attribute("promptops.stale", "stale"),
)  # fmt: skip

# Request parameters (the model pin's merged with the prompt's) -> GenAI attribute.
PARAMS: Mapping[str, str] = {
    "temperature": "gen_ai.request.temperature",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
    "stop": "gen_ai.request.stop_sequences",
}

# Content attributes, recorded only with content capture on.
TEMPLATE = "promptops.prompt.template"
VARIABLES = "promptops.prompt.variables"
INPUT_MESSAGES = "gen_ai.input.messages"
CONTENT_ALIASES: Mapping[str, Mapping[str, str]] = {
    "openinference": {TEMPLATE: "llm.prompt_template.template",
                      VARIABLES: "llm.prompt_template.variables"},
    "traceloop": {TEMPLATE: "traceloop.prompt.template"},
}  # fmt: skip

ALIASES = ("langfuse", "openinference", "traceloop")
CAPTURE_SWITCH = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_CAPTURE_ON = {"true", "1", "span_only", "span_and_event"}


def require() -> None:
    """Check that ``opentelemetry-api`` is importable.

    Raises:
        UsageError: naming the extra to install.
    """
    if _trace is None:
        raise UsageError(
            "OpenTelemetry is not installed: pip install 'promptops[otel]' "
            "(opentelemetry-api), then configure your exporter as usual"
        )


def _value(value: Any) -> Any:
    """A span attribute value: primitives and lists of strings as they are, else JSON."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return json.dumps(value, sort_keys=True, default=str)


def _part(part: Mapping[str, Any]) -> dict[str, Any]:
    """A content part (ADR 0014) as a GenAI part: text, a URI, or a blob whose base64 data
    is left out (a span is no place for megabytes of image)."""
    if part["type"] == "text":
        return {"type": "text", "content": part["text"]}
    if "url" in part:
        return {"type": "uri", "modality": part["type"], "uri": part["url"]}
    elided = f"[{len(part['data'])} base64 characters not recorded]"
    return {
        "type": "blob",
        "modality": part["type"],
        "mime_type": part["media_type"],
        "content": elided,
    }


def _messages(messages: list[dict[str, Any]]) -> str:
    """Messages in the GenAI conventions' ``gen_ai.input.messages`` shape."""
    return json.dumps(
        [
            {
                "role": m["role"],
                "parts": [{"type": "text", "content": m["content"]}]
                if isinstance(m["content"], str)
                else [_part(p) for p in m["content"]],
            }
            for m in messages
        ]
    )


def _template(message: Mapping[str, Any]) -> dict[str, Any]:
    """A compiled message as recorded: its template, a history placeholder, or its parts."""
    if "history" in message:
        return {"history": message["history"]}
    if "parts" in message:
        parts = [
            {"template": p["template"]} if p["type"] == "text" else {p["type"]: p["input"]}
            for p in message["parts"]
        ]
        return {"role": message["role"], "parts": parts}
    return {"role": message["role"], "template": message["template"]}


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


class Call:
    """The model call a :meth:`Registry.trace` block times; record its outcome once."""

    def __init__(self, span: Any, pricing: Mapping[str, Any] | None) -> None:
        self.span = span
        self.pricing = pricing
        self.recorded = False
        self._start = time.perf_counter()

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self._start) * 1000, 3)

    def record(
        self,
        response: Any = None,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        **metrics: float,
    ) -> None:
        """Record token usage (from ``response.usage``, an OpenAI chat or Responses or an
        Anthropic response, or given), the response's model, id and finish reasons, the
        latency so far and the cost from the pin's pricing; ``metrics`` become
        ``promptops.metric.NAME`` (outcomes for ``promptops experiment report``)."""
        usage = _field(response, "usage") if response is not None else None
        if usage is not None:
            if input_tokens is None:
                input_tokens = _field(usage, "input_tokens", "prompt_tokens")
            if output_tokens is None:
                output_tokens = _field(usage, "output_tokens", "completion_tokens")
        attrs: dict[str, Any] = {"promptops.latency_ms": self.elapsed_ms()}
        if input_tokens is not None:
            attrs["gen_ai.usage.input_tokens"] = int(input_tokens)
        if output_tokens is not None:
            attrs["gen_ai.usage.output_tokens"] = int(output_tokens)
        if response is not None:
            for attr, names in (
                ("gen_ai.response.model", ("model",)),
                ("gen_ai.response.id", ("id",)),
            ):
                value = _field(response, *names)
                if isinstance(value, str):
                    attrs[attr] = value
            reasons = _finish_reasons(response)
            if reasons:
                attrs["gen_ai.response.finish_reasons"] = reasons
        cost = _cost(self.pricing, input_tokens, output_tokens)
        if cost is not None:
            attrs["promptops.cost_usd"] = cost
        for name, value in metrics.items():
            attrs[f"promptops.metric.{name}"] = value
        self.span.set_attributes(attrs)
        self.recorded = True


def _finish_reasons(response: Any) -> list[str]:
    stop = _field(response, "stop_reason")  # Anthropic
    if isinstance(stop, str):
        return [stop]
    choices = _field(response, "choices") or []  # OpenAI chat
    reasons = [_field(c, "finish_reason") for c in choices]
    return [r for r in reasons if isinstance(r, str)]


def _cost(
    pricing: Mapping[str, Any] | None, input_tokens: int | None, output_tokens: int | None
) -> float | None:
    if not pricing or (input_tokens is None and output_tokens is None):
        return None
    per_in, per_out = pricing.get("input_per_mtok") or 0, pricing.get("output_per_mtok") or 0
    return round(((input_tokens or 0) * per_in + (output_tokens or 0) * per_out) / 1e6, 10)


class Telemetry:
    """The attribute set-up for one registry: aliases and content capture fixed."""

    def __init__(self, aliases: tuple[str, ...] = (), capture_content: bool | None = None) -> None:
        """
        Raises:
            UsageError: if opentelemetry is not installed or an alias is unknown.
        """
        require()
        unknown = sorted(set(aliases) - set(ALIASES))
        if unknown:
            raise UsageError(f"unknown otel alias {unknown[0]!r}; choose from {', '.join(ALIASES)}")
        self.aliases = tuple(aliases)
        if capture_content is None:
            capture_content = os.environ.get(CAPTURE_SWITCH, "").strip().lower() in _CAPTURE_ON
        self.capture_content = capture_content

    def attributes(self, static: PromptStatic) -> dict[str, Any]:
        """Every attribute of a prompt's requests that does not depend on the inputs."""
        attrs: dict[str, Any] = {}
        for attr in ATTRIBUTES:
            value = getattr(static, attr.source, None)
            if value is None:
                value = getattr(static.provenance, attr.source, None)
            if value is None:
                continue
            attrs[attr.name] = value
            for vendor in self.aliases:
                alias = attr.aliases.get(vendor)
                if alias is not None:
                    attrs[alias] = value
        for param, value in static.params.items():
            name = PARAMS.get(param)
            if name is not None and value is not None:
                attrs[name] = [value] if param == "stop" and isinstance(value, str) else value
        if "traceloop" in self.aliases:
            attrs["traceloop.prompt.managed"] = True
        return {k: _value(v) for k, v in attrs.items()}

    def content(
        self, request: Request, values: Mapping[str, Any], templates: str
    ) -> dict[str, Any]:
        """The content attributes of one render (only called with capture on)."""
        variables = json.dumps(dict(values), sort_keys=True, default=str)
        messages = _messages(request.messages)
        attrs = {TEMPLATE: templates, VARIABLES: variables, INPUT_MESSAGES: messages}
        for vendor in self.aliases:
            for name, alias in CONTENT_ALIASES.get(vendor, {}).items():
                attrs[alias] = attrs[name]
            if vendor == "traceloop":
                for key, value in values.items():
                    attrs[f"traceloop.prompt.template_variables.{key}"] = _value(value)
        return attrs

    def render_hook(
        self, obj: Mapping[str, Any], static: PromptStatic
    ) -> Callable[[Request, Mapping[str, Any]], None]:
        """What :meth:`Prompt.render` calls after each render: adds the attributes to the
        current span if it records (a lookup and a flag when nothing is sampled)."""
        assert _trace is not None
        attrs = self.attributes(static)
        current = _trace.get_current_span
        if not self.capture_content:

            def hook(request: Request, values: Mapping[str, Any]) -> None:
                span = current()
                if span.is_recording():
                    span.set_attributes(attrs)

            return hook
        templates = json.dumps([_template(m) for m in obj["messages"]])
        content = self.content

        def hook_with_content(request: Request, values: Mapping[str, Any]) -> None:
            span = current()
            if span.is_recording():
                span.set_attributes(attrs)
                span.set_attributes(content(request, values, templates))

        return hook_with_content

    @contextlib.contextmanager
    def trace(
        self, request: Request, attributes: Mapping[str, Any] | None = None
    ) -> Iterator[Call]:
        """The GenAI client span around one model call; see :meth:`Registry.trace`."""
        assert _trace is not None
        static: PromptStatic = request._s
        attrs = {"gen_ai.operation.name": "chat", **self.attributes(static)}
        if self.capture_content:
            attrs[INPUT_MESSAGES] = _messages(request.messages)
        attrs.update({k: _value(v) for k, v in (attributes or {}).items()})
        tracer = _trace.get_tracer("promptops")
        with tracer.start_as_current_span(
            f"chat {request.model}", kind=_trace.SpanKind.CLIENT, attributes=attrs
        ) as span:
            call = Call(span, static.raw.get("pricing"))
            try:
                yield call
            except BaseException as exc:
                span.set_attribute("error.type", type(exc).__qualname__)
                raise
            finally:
                if not call.recorded:
                    span.set_attribute("promptops.latency_ms", call.elapsed_ms())

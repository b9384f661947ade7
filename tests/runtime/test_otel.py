"""Spans captured with the OpenTelemetry SDK's in-memory exporter carry the prompt version."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from promptops.errors import UsageError
from promptops.runtime import Registry
from promptops.runtime.otel import ATTRIBUTES, CAPTURE_SWITCH, Telemetry
from tests.otel_capture import memory_exporter
from tests.runtime.fixtures import CONFIG, GREET, MODEL, NOW, TRUST, compiled, publish

PRICED = compiled(
    "priced",
    [("user", "Summarise {{ text }}", "substitute")],
    properties={"text": {"type": "string"}},
    model={**MODEL, "pricing": {"input_per_mtok": 2.5, "output_per_mtok": 10.0}},
    params={"temperature": 0.1, "max_tokens": 100, "stop": "END"},
)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = memory_exporter()
    yield exporter
    exporter.clear()


def _open(tmp_path: Path, **config: Any) -> Registry:
    publish(tmp_path / "pub", {"greet": GREET, "priced": PRICED})
    cfg = CONFIG._replace(**config)
    return Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=cfg)


def _only(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    found = [s for s in spans.get_finished_spans() if s.name == name]
    assert len(found) == 1, [s.name for s in spans.get_finished_spans()]
    return found[0]


def test_a_render_adds_the_prompt_version_to_the_current_span(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    reg = _open(tmp_path, otel=True)
    with trace.get_tracer("app").start_as_current_span("handle request"):
        reg.prompt("greet").render(name="Ada")
    attrs = dict(_only(spans, "handle request").attributes or {})
    status = reg.status
    assert attrs == {
        "gen_ai.prompt.name": "greet",
        "gen_ai.prompt.version": "v1",
        "gen_ai.request.model": "gpt-4o-2024-08-06",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 300,
        "promptops.release": "v1",
        "promptops.serial": 1,
        "promptops.bundle.sha256": status.bundle_sha256,
        "promptops.prompt.sha256": reg.prompt("greet").provenance.prompt_digest,
        "promptops.commit": "a" * 40,
        "promptops.channel": "production",
        "promptops.from_cache": False,
        "promptops.stale": False,
    }


def test_trace_makes_the_genai_client_span_and_records_usage_and_cost(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    reg = _open(tmp_path)  # trace works without otel=True: asking for it is enough
    req = reg.prompt("priced").render(text="the thread")
    response = types.SimpleNamespace(
        id="chatcmpl-1",
        model="gpt-4o-2024-08-06",
        usage=types.SimpleNamespace(prompt_tokens=1200, completion_tokens=300),
        choices=[types.SimpleNamespace(finish_reason="stop")],
    )
    with reg.trace(req, {"app.user_tier": "plus"}) as call:
        call.record(response, resolved=1.0)
    span = _only(spans, "chat gpt-4o-2024-08-06")
    attrs = dict(span.attributes or {})
    assert span.kind is SpanKind.CLIENT
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.prompt.name"] == "priced"
    assert attrs["gen_ai.request.stop_sequences"] == ("END",)
    assert attrs["gen_ai.usage.input_tokens"] == 1200
    assert attrs["gen_ai.usage.output_tokens"] == 300
    assert attrs["gen_ai.response.id"] == "chatcmpl-1"
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert attrs["promptops.cost_usd"] == pytest.approx(1200 * 2.5e-6 + 300 * 10e-6)
    assert attrs["promptops.metric.resolved"] == 1.0
    assert attrs["app.user_tier"] == "plus"
    assert isinstance(attrs["promptops.latency_ms"], float) and attrs["promptops.latency_ms"] >= 0
    assert "gen_ai.input.messages" not in attrs  # content capture is off by default


def test_an_anthropic_shaped_answer_and_a_failing_call(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    reg = _open(tmp_path)
    req = reg.prompt("priced").render(text="x")
    with reg.trace(req) as call:
        call.record({"usage": {"input_tokens": 10, "output_tokens": 5}, "stop_reason": "end_turn"})
    attrs = dict(_only(spans, "chat gpt-4o-2024-08-06").attributes or {})
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.response.finish_reasons"]) == (
        10,
        ("end_turn",),
    )
    spans.clear()
    with pytest.raises(TimeoutError), reg.trace(req):
        raise TimeoutError("provider timed out")
    span = _only(spans, "chat gpt-4o-2024-08-06")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "TimeoutError"
    assert "promptops.latency_ms" in (span.attributes or {})


def test_content_and_vendor_aliases_only_when_switched_on(
    tmp_path: Path, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CAPTURE_SWITCH, "SPAN_ONLY")
    reg = _open(tmp_path, otel=True, otel_aliases=("langfuse", "openinference", "traceloop"))
    with trace.get_tracer("app").start_as_current_span("handler"):
        reg.prompt("greet").render(name="Ada")
    attrs = dict(_only(spans, "handler").attributes or {})
    assert attrs["langfuse.observation.prompt.name"] == "greet"
    assert attrs["langfuse.observation.prompt.version"] == 1
    assert attrs["llm.prompt_template.version"] == "v1"
    assert attrs["traceloop.prompt.key"] == "greet"
    assert attrs["traceloop.prompt.managed"] is True
    assert attrs["traceloop.prompt.template_variables.name"] == "Ada"
    assert json.loads(str(attrs["llm.prompt_template.variables"])) == {"name": "Ada"}
    assert json.loads(str(attrs["promptops.prompt.template"]))[1] == {
        "role": "user",
        "template": "Say hello to {{ name }}.",
    }
    assert json.loads(str(attrs["gen_ai.input.messages"]))[1] == {
        "role": "user",
        "parts": [{"type": "text", "content": "Say hello to Ada."}],
    }


def test_without_otel_a_render_touches_no_span(tmp_path: Path, spans: InMemorySpanExporter) -> None:
    reg = _open(tmp_path)
    with trace.get_tracer("app").start_as_current_span("handler"):
        reg.prompt("greet").render(name="Ada")
    assert not _only(spans, "handler").attributes


def test_provenance_fields_are_recorded_by_name(tmp_path: Path) -> None:
    # The table looks Provenance fields up by name: arm and variant appear once set.
    reg = _open(tmp_path, otel=True)
    static = reg.prompt("greet").render(name="Ada")._s
    provenance = static.provenance._replace(arm="canary", variant="v")
    attrs = Telemetry().attributes(static._replace(provenance=provenance))
    assert (attrs["promptops.arm"], attrs["promptops.variant"]) == ("canary", "v")
    assert {a.name for a in ATTRIBUTES} >= {"promptops.arm", "promptops.variant"}


def test_an_unknown_alias_is_refused() -> None:
    with pytest.raises(UsageError, match="unknown otel alias 'datadog'; choose from langfuse, "):
        Telemetry(("datadog",))


def test_without_opentelemetry_installed_asking_for_it_names_the_extra(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    code = textwrap.dedent(f"""
        import datetime as dt, sys
        sys.modules["opentelemetry"] = None  # as if not installed
        from promptops.runtime import Registry, RuntimeConfig
        from promptops.errors import UsageError
        cfg = RuntimeConfig(clock=lambda: dt.datetime({NOW.year}, {NOW.month}, {NOW.day},
                                                      tzinfo=dt.UTC))
        reg = Registry.open({str(tmp_path / "pub")!r}, trust={TRUST_KEYS!r}, channel="production",
                            config=cfg)
        reg.prompt("greet").render(name="Ada")
        assert not any(m.startswith("opentelemetry") and sys.modules[m] for m in sys.modules)
        try:
            Registry.open({str(tmp_path / "pub")!r}, trust={TRUST_KEYS!r},
                          channel="production", config=cfg._replace(otel=True))
        except UsageError as exc:
            print(exc)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == (
        "OpenTelemetry is not installed: pip install 'promptops[otel]' (opentelemetry-api), "
        "then configure your exporter as usual\n"
    )


def _public_keys() -> list[str]:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from tests.runtime.fixtures import KEY

    raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return [base64.b64encode(raw).decode()]


TRUST_KEYS = _public_keys()


PHOTO = {
    "id": "photo",
    "path": "prompts/photo.yaml",
    "description": "",
    "owner": None,
    "tags": [],
    "model": MODEL,
    "params": {},
    "input_schema": {
        "type": "object",
        "properties": {"chat": {"type": "array", "default": []}, "img": {"type": "object"}},
        "required": ["img"],
        "additionalProperties": False,
    },
    "system": [],
    "messages": [
        {"history": "chat"},
        {
            "role": "user",
            "parts": [
                {"type": "text", "template": "Describe it.", "engine": "text"},
                {"type": "image", "input": "img"},
            ],
        },
    ],
    "partials": {},
    "tools": [],
    "output_schema": None,
}


def test_history_and_media_are_recorded_without_their_data(
    tmp_path: Path, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CAPTURE_SWITCH, "SPAN_ONLY")
    publish(tmp_path / "pub", {"photo": PHOTO})
    cfg = CONFIG._replace(otel=True)
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=cfg)
    chat = [{"role": "user", "content": "Hi"}]
    with trace.get_tracer("app").start_as_current_span("handler"):
        reg.prompt("photo").render(chat=chat, img={"data": "QUJD" * 100, "media_type": "image/png"})
    attrs = dict(_only(spans, "handler").attributes or {})
    assert json.loads(str(attrs["promptops.prompt.template"])) == [
        {"history": "chat"},
        {"role": "user", "parts": [{"template": "Describe it."}, {"image": "img"}]},
    ]
    assert json.loads(str(attrs["gen_ai.input.messages"])) == [
        {"role": "user", "parts": [{"type": "text", "content": "Hi"}]},
        {
            "role": "user",
            "parts": [
                {"type": "text", "content": "Describe it."},
                {
                    "type": "blob",
                    "modality": "image",
                    "mime_type": "image/png",
                    "content": "[400 base64 characters not recorded]",
                },
            ],
        },
    ]

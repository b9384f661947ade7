"""One OpenTelemetry SDK provider for the test process, exporting to memory."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_EXPORTER = InMemorySpanExporter()
_installed: list[bool] = []


def memory_exporter() -> InMemorySpanExporter:
    """The exporter every span of this process goes to (the global provider can be set
    once per process, so every test module shares it); cleared for the caller."""
    if not _installed:
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
        _installed.append(True)
    _EXPORTER.clear()
    return _EXPORTER

"""Outcome events for an experiment report, from JSONL, CSV or exported OpenTelemetry spans.

Every format becomes rows of flat ``name -> value`` mappings:

- JSON Lines (or any sequence of JSON objects): one object per event, e.g.
  ``{"key": "user-17", "arm": "concise", "resolved": 1, "csat": 4}``;
- CSV with a header row naming the same columns;
- spans, as the OpenTelemetry Collector's file exporter writes them (one OTLP/JSON
  ``{"resourceSpans": [...]}`` per line) or as the Python SDK's ``span.to_json()``
  (``ConsoleSpanExporter``) does: each span's attributes are a row.
"""

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from promptops.errors import UsageError

__all__ = ["MAX_DATA_BYTES", "read_rows"]

MAX_DATA_BYTES = 1024 * 1024 * 1024


def _otlp_value(value: Mapping[str, Any]) -> Any:
    """An OTLP/JSON ``AnyValue`` as a Python value (64-bit ints are strings in OTLP/JSON)."""
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "arrayValue" in value:
        return [_otlp_value(v) for v in value["arrayValue"].get("values", [])]
    return None


def _rows_of(obj: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(obj, dict):
        return
    if "resourceSpans" in obj:  # OTLP/JSON (the Collector's file exporter)
        for resource in obj.get("resourceSpans") or []:
            for scope in resource.get("scopeSpans") or []:
                for span in scope.get("spans") or []:
                    yield {a["key"]: _otlp_value(a.get("value") or {})
                           for a in span.get("attributes") or [] if "key" in a}  # fmt: skip
    elif isinstance(obj.get("attributes"), dict) and "context" in obj:  # SDK span.to_json()
        yield dict(obj["attributes"])
    else:
        yield obj


def _json_values(text: str, path: Path) -> Iterator[Any]:
    """Every JSON value in ``text``, one after the other (JSON Lines, or pretty-printed
    objects back to back as the SDK's console exporter writes them)."""
    decoder = json.JSONDecoder()
    at, end = 0, len(text)
    while True:
        while at < end and text[at] in " \t\r\n":
            at += 1
        if at >= end:
            return
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
        yield value


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of the data file ``path`` (format from its content; ``.csv`` is CSV).

    Raises:
        UsageError: if it cannot be read, is too large, or is neither CSV nor JSON.
    """
    try:
        size = path.stat().st_size
        if size > MAX_DATA_BYTES:
            raise UsageError(f"{path}: {size} bytes is more than the {MAX_DATA_BYTES} bytes read")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            # Values stay text (keys like "007" keep their zeros); the report reads numbers.
            yield {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        return
    for value in _json_values(text, path):
        yield from _rows_of(value)

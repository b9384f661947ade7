"""Model lifecycle feeds: read the providers' own retirement data, merge it per pin, and
write it into models.yaml (``lifecycle:``) where ``validate`` reads it offline.

Feeds (each parser takes bytes and returns :class:`Notice` objects; fetching is apart):
OpenAI-style ``GET /v1/models`` (``shutdown_date``, also ``deprecation_date``), Azure
OpenAI's model list (``deprecation.inference``), LiteLLM's
``model_prices_and_context_window.json`` (``deprecation_date``), and a file the repository
keeps (``{models: {model-id: {deprecated, retires, replacement}}}``, YAML or JSON).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.errors import FetchError, UsageError

__all__ = [
    "Notice",
    "PinStatus",
    "fetch",
    "merge",
    "parse_azure",
    "parse_litellm",
    "parse_openai",
    "parse_repository_file",
    "write_lifecycle",
]

MAX_FEED_BYTES = 32_000_000  # LiteLLM's file is a few MB; a cap, not a target


@dataclass(frozen=True)
class Notice:
    """What one feed says about one model id."""

    model: str
    source: str
    deprecated: dt.date | None = None
    retires: dt.date | None = None
    replacement: str | None = None


def _date(value: Any) -> dt.date | None:
    """A date from epoch seconds or an ISO date (or date-time) string; None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, dt.date):  # YAML's own dates
        return value
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC).date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise ValueError(f"not a date: {value!r}")


def _json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise FetchError(f"{source}: not JSON ({exc})") from None


def _bad(source: str, exc: Exception) -> FetchError:
    return FetchError(f"{source}: unexpected shape ({exc}); is this the right feed?")


def parse_openai(data: bytes, source: str = "openai") -> list[Notice]:
    """OpenAI-style ``GET /v1/models``: ``{"data": [{"id", "shutdown_date"?}, ...]}``.

    Raises:
        FetchError: if ``data`` is not such a list.
    """
    doc = _json(data, source)
    try:
        return [
            Notice(
                m["id"],
                source,
                _date(m.get("deprecation_date")),
                _date(m.get("shutdown_date")),
                m.get("replacement"),
            )
            for m in doc["data"]
            if m.get("shutdown_date") or m.get("deprecation_date")
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(source, exc) from None


def parse_azure(data: bytes, source: str = "azure") -> list[Notice]:
    """Azure OpenAI's model list: ``deprecation: {inference: epoch seconds}`` is when the
    model stops answering.

    Raises:
        FetchError: if ``data`` is not such a list.
    """
    doc = _json(data, source)
    try:
        return [
            Notice(m["id"], source, None, _date((m.get("deprecation") or {}).get("inference")))
            for m in doc["data"]
            if (m.get("deprecation") or {}).get("inference")
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(source, exc) from None


def parse_litellm(data: bytes, source: str = "litellm") -> list[Notice]:
    """LiteLLM's ``model_prices_and_context_window.json``: ``{model: {deprecation_date}}``.

    Raises:
        FetchError: if ``data`` is not such a mapping.
    """
    doc = _json(data, source)
    try:
        return [
            Notice(name, source, None, _date(entry["deprecation_date"]))
            for name, entry in doc.items()
            if isinstance(entry, dict) and entry.get("deprecation_date")
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(source, exc) from None


def parse_repository_file(data: bytes, source: str) -> list[Notice]:
    """The repository's own file: ``{models: {model-id: {deprecated, retires, replacement}}}``
    (YAML or JSON); a LiteLLM-format file is recognised and read as such.

    Raises:
        FetchError: if ``data`` is neither.
    """
    import yaml

    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise FetchError(f"{source}: not YAML or JSON ({exc})") from None
    if isinstance(doc, dict) and "models" not in doc:
        return parse_litellm(json.dumps(doc, default=str).encode(), source)
    try:
        return [
            Notice(
                name,
                source,
                _date(e.get("deprecated")),
                _date(e.get("retires")),
                e.get("replacement"),
            )
            for name, e in doc["models"].items()
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(source, exc) from None


def fetch(url: str, headers: Mapping[str, str], timeout_s: float = 30.0) -> bytes:
    """GET ``url`` (capped at :data:`MAX_FEED_BYTES`), or read it if it is a path.

    Raises:
        FetchError: naming the URL and why, on any failure.
    """
    if "://" not in url:
        try:
            return Path(url).read_bytes()[: MAX_FEED_BYTES + 1]
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from None
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as exc:
        hint = "; check the API key" if exc.code in (401, 403) else ""
        raise FetchError(f"GET {url}: HTTP {exc.code}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"GET {url}: {reason}; check the URL and the network") from None
    if len(data) > MAX_FEED_BYTES:
        raise FetchError(f"GET {url}: more than {MAX_FEED_BYTES} bytes")
    return data


def _matches(model: str, notice: str) -> bool:
    # LiteLLM and routers prefix ids with a provider ("openai/gpt-4o-..."), Bedrock with a
    # region ("us.anthropic...."); the pin's id is the part after the last such prefix.
    return notice == model or notice.rsplit("/", 1)[-1] == model or model.endswith("/" + notice)


@dataclass(frozen=True)
class PinStatus:
    """One pin, what the feeds say, and the lifecycle they add up to."""

    pin: str
    model: str
    deprecated: dt.date | None
    retires: dt.date | None
    replacement: str | None
    sources: tuple[str, ...]

    def describe(self, today: dt.date) -> str:
        """``retired since``, ``retires on``, ``deprecated since`` or nothing announced."""
        if self.retires is not None and today >= self.retires:
            return f"RETIRED since {self.retires}"
        if self.retires is not None:
            days = (self.retires - today).days
            dep = f"deprecated since {self.deprecated}; " if self.deprecated else ""
            return f"{dep}retires on {self.retires} (in {days} days)"
        if self.deprecated is not None:
            return f"deprecated since {self.deprecated}"
        return "no retirement announced"


def merge(pins: Mapping[str, tuple[str, Any]], notices: Iterable[Notice]) -> list[PinStatus]:
    """Per pin (name -> (model id, its stored lifecycle or None)), the earliest dates any
    source announces, merged with what models.yaml already holds."""
    found = list(notices)
    out = []
    for name, (model, stored) in sorted(pins.items()):
        mine = [n for n in found if _matches(model, n.model)]
        deprecated = [n.deprecated for n in mine if n.deprecated]
        retires = [n.retires for n in mine if n.retires]
        replacement = next((n.replacement for n in mine if n.replacement), None)
        if stored is not None:
            deprecated += [stored.deprecated] if stored.deprecated else []
            retires += [stored.retires] if stored.retires else []
            replacement = stored.replacement or replacement
        sources = tuple(sorted({n.source for n in mine} | ({"models.yaml"} if stored else set())))
        out.append(PinStatus(name, model, min(deprecated, default=None),
                             min(retires, default=None), replacement, sources))  # fmt: skip
    return out


def write_lifecycle(models_yaml: Path, statuses: Sequence[PinStatus]) -> list[str]:
    """Write each status with a date into its pin's ``lifecycle:`` (round trip: comments
    and order kept, atomically); returns the pins changed.

    Raises:
        UsageError: if models.yaml cannot be read or written.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from promptops.fsutil import atomic_write_text

    yaml = YAML()
    yaml.preserve_quotes = True
    try:
        data = yaml.load(models_yaml.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{models_yaml}: {exc.strerror}") from None
    changed = []
    for status in statuses:
        if status.deprecated is None and status.retires is None:
            continue
        entry = data["models"][status.pin]
        life = CommentedMap()
        for key, value in (("deprecated", status.deprecated), ("retires", status.retires),
                           ("replacement", status.replacement)):  # fmt: skip
            if value is not None:
                life[key] = value
        life.fa.set_flow_style()
        old = entry.get("lifecycle")
        if old is not None and dict(old) == dict(life):
            continue
        entry["lifecycle"] = life
        changed.append(status.pin)
    if changed:
        out = io.StringIO()
        yaml.dump(data, out)
        atomic_write_text(models_yaml, out.getvalue())
    return changed

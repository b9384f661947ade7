"""The ``replay`` provider: answers from recordings committed under ``evals/recordings/``."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.base import CallContext
from promptops.evals.recordings import (
    RECORDING_FORMAT,
    RecordingSource,
    record_command,
    recording_path,
)
from promptops.evals.types import Request, Response

__all__ = ["ReplayProvider"]


class ReplayProvider:
    """Looks each request up by digest in ``sources``, first hit wins; a miss is an error."""

    name = "replay"
    remote = False

    def __init__(self, sources: Sequence[RecordingSource], *, max_bytes: int = 4_000_000) -> None:
        self._sources = tuple(sources)
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._loaded: dict[str, list[Response] | None] = {}

    def _load(self, rel: str) -> list[Response] | None:
        with self._lock:
            if rel in self._loaded:
                return self._loaded[rel]
        responses: list[Response] | None = None
        for source in self._sources:
            data = source(rel)
            if data is None:
                continue
            if len(data) > self._max_bytes:
                raise ProviderError(
                    f"{rel}: recording is {len(data)} bytes; the limit is {self._max_bytes}"
                )
            responses = self._parse(rel, data)
            break
        with self._lock:
            self._loaded[rel] = responses
        return responses

    @staticmethod
    def _parse(rel: str, data: bytes) -> list[Response]:
        try:
            document: Any = json.loads(data)
            if document.get("format") != RECORDING_FORMAT:
                raise ValueError(f"format is {document.get('format')!r}")
            return [Response.from_dict(r) for r in document["responses"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProviderError(
                f"{rel}: not a {RECORDING_FORMAT} recording ({exc}); re-record it with "
                "`promptops eval --record`"
            ) from None

    def close(self) -> None:
        """Nothing to release."""

    def complete(self, request: Request, context: CallContext) -> Response:
        """The recorded response for ``request`` and ``context.sample``.

        Raises:
            ProviderError: if no recording holds this request (or this sample).
        """
        rel = recording_path(context.prompt_id, request.digest)
        responses = self._load(rel)
        if responses is None or context.sample >= len(responses):
            what = "no recording" if responses is None else f"no sample {context.sample + 1}"
            raise ProviderError(
                f"replay miss: {what} at {rel} (new, or the prompt or the case inputs changed "
                f"since it was recorded); record it with {record_command([context.subject])} "
                "(the model pin's own provider, its API key set), then commit evals/recordings/"
            )
        return responses[context.sample]

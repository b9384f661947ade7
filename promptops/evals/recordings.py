"""Recorded provider responses committed under ``evals/recordings/`` (the replay format).

Layout: ``evals/recordings/<prompt-id>/<request-sha256>.json``, one file per distinct
request, pretty-printed with sorted keys so reviews show readable diffs::

    {"format": "promptops.recording/v1", "prompt": "support/answer",
     "recorded_with": "openai", "request": {...}, "responses": [{...}, ...]}

``responses[i]`` answers sample ``i`` of a case with ``repeat`` > 1.
"""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from promptops.evals.types import Request, Response, request_dict
from promptops.fsutil import atomic_write_text

__all__ = [
    "RECORDINGS_DIR",
    "RECORDING_FORMAT",
    "Recorder",
    "RecordingSource",
    "directory_source",
    "record_command",
    "recording_path",
]

RECORDING_FORMAT = "promptops.recording/v1"
RECORDINGS_DIR = "evals/recordings"

# Reads a repository-relative path; None when absent. A directory or a git tree.
RecordingSource = Callable[[str], bytes | None]


def record_command(prompt_ids: Collection[str]) -> str:
    """The one command that records answers for ``prompt_ids`` with their pins' providers."""
    selected = "".join(f" --prompt {shlex.quote(p)}" for p in sorted(set(prompt_ids)))
    return f"`promptops eval --record{selected}`"


def recording_path(prompt_id: str, digest: str) -> str:
    """The repository-relative path of the recording of one request."""
    return f"{RECORDINGS_DIR}/{prompt_id}/{digest}.json"


def directory_source(root: Path) -> RecordingSource:
    """Read recordings from the working tree at ``root``."""

    def read(rel: str) -> bytes | None:
        try:
            return (root / rel).read_bytes()
        except FileNotFoundError:
            return None

    return read


def encode_recording(
    prompt_id: str, request: Request, provider: str, responses: list[Response]
) -> str:
    """The text of one recording file."""
    document: dict[str, Any] = {
        "format": RECORDING_FORMAT,
        "prompt": prompt_id,
        "recorded_with": provider,
        "request": request_dict(request),
        "responses": [r.to_dict() for r in responses],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Recorder:
    """Collects responses during a run (thread-safe) and writes them when asked."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[Request, str, dict[int, Response]]] = {}

    def add(
        self, prompt_id: str, request: Request, sample: int, provider: str, response: Response
    ) -> None:
        """Remember ``response`` as the answer to sample ``sample`` of ``request``."""
        with self._lock:
            entry = self._entries.setdefault((prompt_id, request.digest), (request, provider, {}))
            entry[2][sample] = response

    def flush(self) -> list[Path]:
        """Write every collected recording atomically; returns the files written.

        Raises:
            OSError: if a file cannot be written.
        """
        written: list[Path] = []
        with self._lock:
            entries = sorted(self._entries.items())
            self._entries.clear()
        for (prompt_id, digest), (request, provider, samples) in entries:
            responses = [samples[i] for i in sorted(samples)]
            path = self._root / recording_path(prompt_id, digest)
            atomic_write_text(path, encode_recording(prompt_id, request, provider, responses))
            written.append(path)
        return written

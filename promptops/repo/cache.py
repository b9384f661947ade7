"""Per-file check results cached by content, in memory and under ``<git-dir>/promptops-cache``.

Keys are (context key, path, blob id): a file's result depends on its bytes, its path (id,
kind) and the single-file rules, nothing else, so an unchanged blob is never parsed twice.
The on-disk file is written atomically; one that fails to load is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from pathlib import Path
from typing import Any

from promptops.fsutil import atomic_write_bytes
from promptops.repo.result import FileResult
from promptops.repo.sources import StatEntry

__all__ = ["ResultStore", "load_stat_cache", "save_stat_cache"]

_FORMAT = "promptops-cache/v1"
_MAX_ENTRIES = 250_000
Key = tuple[str, str, str]

# Shared by every load in this process (e.g. diff reading two refs): dir -> entries.
_PROCESS: dict[str, dict[Key, FileResult]] = {}


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            blob = pickle.load(fh)
    except Exception:  # a corrupt or foreign cache is only a lost speed-up
        return None
    if not isinstance(blob, dict) or blob.get("format") != _FORMAT:
        return None
    return blob


def _write(path: Path, payload: dict[str, Any]) -> None:
    payload["format"] = _FORMAT
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


class ResultStore:
    """Results of :func:`check_file` by content; ``cache_dir`` None keeps them in memory."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.dir = cache_dir
        name = str(cache_dir) if cache_dir is not None else ""
        if name not in _PROCESS:
            entries: dict[Key, FileResult] = {}
            if cache_dir is not None:
                blob = _read(cache_dir / "results.pickle")
                if blob is not None and isinstance(blob.get("entries"), dict):
                    entries = blob["entries"]
            _PROCESS[name] = entries
        self.entries = _PROCESS[name]
        self.dirty = False

    def get(self, key: Key) -> FileResult | None:
        return self.entries.get(key)

    def put(self, key: Key, result: FileResult) -> None:
        self.entries[key] = result
        self.dirty = True

    def save(self) -> None:
        """Persist new results (atomically); keep the newest entries under the cap."""
        if self.dir is None or not self.dirty:
            return
        if len(self.entries) > _MAX_ENTRIES:
            for key in list(self.entries)[: len(self.entries) - _MAX_ENTRIES]:
                del self.entries[key]
        _write(self.dir / "results.pickle", {"entries": self.entries})
        self.dirty = False


def load_stat_cache(cache_dir: Path | None, root: Path) -> tuple[dict[str, StatEntry], int]:
    """The previous working-tree stat entries for ``root`` and when they were written (ns)."""
    if cache_dir is None:
        return {}, 0
    blob = _read(cache_dir / "stat.pickle")
    if blob is None or blob.get("root") != str(root) or not isinstance(blob.get("entries"), dict):
        return {}, 0
    return blob["entries"], int(blob.get("stamp", 0))


def save_stat_cache(cache_dir: Path | None, root: Path, entries: dict[str, StatEntry]) -> None:
    """Record stat entries; the stamp lets the next run distrust racily modified files."""
    if cache_dir is None:
        return
    os.makedirs(cache_dir, exist_ok=True)
    _write(
        cache_dir / "stat.pickle", {"root": str(root), "entries": entries, "stamp": time.time_ns()}
    )

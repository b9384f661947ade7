"""Per-file check results cached by content, in memory and under ``<git-dir>/promptops-cache``.

Keys are (context key, path, blob id): a file's result depends on its bytes, its path (id,
kind) and the single-file rules, nothing else, so an unchanged blob is never parsed twice.
On disk only the small part is kept (kind, diagnostics, facts, all plain values) in one
``marshal`` file, which loads in milliseconds; documents are re-parsed only when a caller
reads them. The file is written atomically; one that fails to load is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import marshal
from pathlib import Path
from typing import Any

from promptops.fsutil import atomic_write_bytes
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic

__all__ = ["ResultStore"]

_FORMAT = "promptops-cache/v2"
_FILE = "results.marshal"
# Entries not used by the current run are kept (other refs, other branches) up to this many.
_MAX_ENTRIES = 200_000
Key = tuple[str, str, str]

# Shared by every load in this process (e.g. diff reading two refs): dir -> key -> result.
_PROCESS: dict[str, dict[Key, FileResult]] = {}


def _encode(result: FileResult) -> tuple[Any, ...]:
    diags = tuple((d.path, d.line, d.col, d.level, d.code, d.message) for d in result.diagnostics)
    return (result.kind, diags, result.facts)


def _decode(raw: Any) -> FileResult:
    kind, diags, facts = raw
    return FileResult(kind, None, tuple(Diagnostic(*d) for d in diags), facts)


def _load(path: Path) -> dict[Key, FileResult]:
    try:
        blob = marshal.loads(path.read_bytes())
        if not isinstance(blob, dict) or blob.get("format") != _FORMAT:
            return {}
        return {k: _decode(v) for k, v in blob["entries"].items()}
    except Exception:  # a corrupt, truncated or foreign cache is only a lost speed-up
        return {}


class ResultStore:
    """Results of ``check_file`` by content; ``cache_dir`` None keeps them in memory only."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.dir = cache_dir
        name = str(cache_dir) if cache_dir is not None else ""
        if name not in _PROCESS:
            _PROCESS[name] = _load(cache_dir / _FILE) if cache_dir is not None else {}
        self.entries = _PROCESS[name]
        self.new = 0

    def get(self, key: Key) -> FileResult | None:
        return self.entries.get(key)

    def put(self, key: Key, result: FileResult) -> None:
        self.entries[key] = result
        self.new += 1

    def save(self, used: set[Key]) -> None:
        """Persist (atomically) when this run added results; entries ``used`` are kept."""
        if self.dir is None or not self.new:
            return
        keys = list(self.entries)
        if len(keys) > _MAX_ENTRIES:
            spare = [k for k in keys if k not in used]
            for k in spare[: len(keys) - _MAX_ENTRIES]:
                del self.entries[k]
        payload = {"format": _FORMAT, "entries": {k: _encode(v) for k, v in self.entries.items()}}
        with contextlib.suppress(OSError, ValueError):
            atomic_write_bytes(self.dir / _FILE, marshal.dumps(payload))
        self.new = 0

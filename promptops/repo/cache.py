"""Per-file check results cached by content, in memory and under ``<git-dir>/promptops-cache``.

Keys are (context key, path, blob id): a file's result depends on its bytes, its path (id,
kind) and the single-file rules, nothing else, so an unchanged blob is never parsed twice.
On disk only the small part is kept (kind, diagnostics, facts, all plain values) as
``marshal`` data: a main file written atomically, plus a journal each run appends its new
results to, so saving costs what changed. Documents are re-parsed only when a caller reads
them. Anything that fails to load is ignored (a lost speed-up, never an error).
"""

from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path
from typing import Any

from promptops.fsutil import atomic_write_bytes
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic

__all__ = ["ResultStore"]

_FORMAT = "promptops-cache/v2"
_FILE = "results.marshal"
_JOURNAL = "results.journal"
# Fold the journal into the main file beyond this size (the main file is rewritten whole).
_JOURNAL_MAX = 2_000_000
# Entries not used by the current run are kept (other refs, other branches) up to this many.
_MAX_ENTRIES = 200_000
Key = tuple[str, str, str]

# Shared by every load in this process (e.g. diff reading two refs): dir -> key -> result.
_PROCESS: dict[str, dict[Key, FileResult]] = {}
# Cache dirs whose main file could not be read: the next save rewrites it.
_BAD_MAIN: set[str] = set()


def _encode(result: FileResult) -> tuple[Any, ...]:
    diags = tuple((d.path, d.line, d.col, d.level, d.code, d.message) for d in result.diagnostics)
    return (result.kind, diags, result.facts)


def _decode(raw: Any) -> FileResult:
    kind, diags, facts = raw
    return FileResult(kind, None, tuple(Diagnostic(*d) for d in diags), facts)


def _records(data: bytes) -> list[Any]:
    """Length-prefixed marshal records; a torn or corrupt tail ends the list."""
    out: list[Any] = []
    pos = 0
    while pos + 4 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "little")
        chunk = data[pos + 4 : pos + 4 + size]
        if len(chunk) != size:
            break
        try:
            out.append(marshal.loads(chunk))
        except (EOFError, ValueError, TypeError):
            break
        pos += 4 + size
    return out


def _load(cache_dir: Path) -> dict[Key, FileResult]:
    """Entries of the main file and the journal; ``_BAD_MAIN`` notes an unreadable main."""
    entries: dict[Key, FileResult] = {}
    _BAD_MAIN.add(str(cache_dir))
    try:
        blob = marshal.loads((cache_dir / _FILE).read_bytes())
        if isinstance(blob, dict) and blob.get("format") == _FORMAT:
            entries = {k: _decode(v) for k, v in blob["entries"].items()}
            _BAD_MAIN.discard(str(cache_dir))
    except Exception:  # a missing, corrupt, truncated or foreign cache is a lost speed-up
        entries = {}
    try:
        journal = (cache_dir / _JOURNAL).read_bytes()
    except OSError:
        return entries
    for record in _records(journal):
        try:
            if record[0] == _FORMAT:
                entries.update((k, _decode(v)) for k, v in record[1])
        except Exception:
            break
    return entries


class ResultStore:
    """Results of ``check_file`` by content; ``cache_dir`` None keeps them in memory only."""

    def __init__(self, cache_dir: Path | None, shared: bool = True) -> None:
        """``shared`` False: a private, empty store (nothing reused, nothing kept)."""
        self.dir = cache_dir if shared else None
        name = str(cache_dir) if cache_dir is not None else ""
        if not shared:
            self.entries: dict[Key, FileResult] = {}
        else:
            if name not in _PROCESS:
                _PROCESS[name] = _load(cache_dir) if cache_dir is not None else {}
            self.entries = _PROCESS[name]
        self.new: list[Key] = []

    def get(self, key: Key) -> FileResult | None:
        return self.entries.get(key)

    def put(self, key: Key, result: FileResult) -> None:
        self.entries[key] = result
        self.new.append(key)

    def save(self, used: set[Key]) -> None:
        """Persist this run's new results: appended to a journal (cheap: cost follows the
        change), folded into the main file once the journal grows large."""
        if self.dir is None or not self.new:
            return
        new, self.new = self.new, []
        with contextlib.suppress(OSError, ValueError):
            journal = self.dir / _JOURNAL
            size = journal.stat().st_size if journal.exists() else 0
            main = self.dir / _FILE
            bad = str(self.dir) in _BAD_MAIN
            if bad or not main.exists() or size + 200 * len(new) > _JOURNAL_MAX:
                self._compact(used)
                return
            record = marshal.dumps((_FORMAT, [(k, _encode(self.entries[k])) for k in new]))
            fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                # One write of the whole record: concurrent appenders never interleave.
                os.write(fd, len(record).to_bytes(4, "little") + record)
            finally:
                os.close(fd)

    def _compact(self, used: set[Key]) -> None:
        assert self.dir is not None
        keys = list(self.entries)
        if len(keys) > _MAX_ENTRIES:
            spare = [k for k in keys if k not in used]
            for k in spare[: len(keys) - _MAX_ENTRIES]:
                del self.entries[k]
        payload = {"format": _FORMAT, "entries": {k: _encode(v) for k, v in self.entries.items()}}
        atomic_write_bytes(self.dir / _FILE, marshal.dumps(payload))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.dir / _JOURNAL)
        _BAD_MAIN.discard(str(self.dir))

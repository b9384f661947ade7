"""What a load leaves for the next one, by content, under ``<git-dir>/promptops-cache/``.

``repo.sqlite3`` holds two tables, each keyed so a value is right whatever branch or ref asks:

- ``results``: the outcome of checking one file (kind, diagnostics, facts), by (check
  context, path, blob id); also the eval-case checks of one (eval set, prompt) pair.
- ``documents``: the validated plain data of a document, by blob id: the compiler and the
  document mappings read it instead of parsing the file again.

Point lookups cost what they fetch (a load after a 50-file change reads about 50 rows, not
the whole cache), writes are atomic and safe between processes (WAL), and it is only a
cache: a file that is not a database is replaced, a locked or unwritable one means "no
cache" for this run. ``states/`` holds the summary of whole loads (``state.py``), one file
per listing (a git tree, or the working tree), so the next load reads only what changed.
Values are ``marshal`` data (dates, the one YAML value ``marshal`` lacks, travel as tagged
tuples; YAML never yields a tuple). Everything read or written is also kept in memory for
the rest of the process (``diff`` loads two refs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic
from promptops.sqlite_cache import open_cache_db, write_cache

__all__ = ["Key", "Record", "Store", "decode_data", "encode_data", "encode_result"]

Key = tuple[str, str, str]  # (check context, path, blob id)

_FILE = "repo.sqlite3"
# Rowid tables with unique keys: INSERT OR REPLACE gives a row a new rowid, so the oldest
# writes are the lowest rowids and trimming is one cheap DELETE.
# Each value carries its crc32: a damaged row is a miss, found when read, not when used.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS results (ctx TEXT, path TEXT, blob TEXT, kind TEXT,"
    " crc INTEGER, value BLOB, UNIQUE (ctx, path, blob));"
    "CREATE TABLE IF NOT EXISTS documents (blob TEXT UNIQUE, crc INTEGER, value BLOB)"
)
# SQLite's default limit of host parameters per statement is 999 on old builds.
_BATCH = 900
# Rows kept: beyond these the least recently written go (other branches' files, old states).
_MAX_RESULTS = 400_000
_MAX_DOCUMENTS = 400_000
_MAX_STATES = 6
# In-process memo, per cache dir: results read and documents (bounded), shared by every load.
_MEMO_MAX = 300_000
_PROCESS: dict[str, tuple[dict[Key, Record], dict[str, bytes]]] = {}

_DATE, _DATETIME = "\x00date", "\x00datetime"


def _tag_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tag_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tag_dates(v) for v in value]
    if isinstance(value, dt.datetime):
        return (_DATETIME, value.isoformat())
    if isinstance(value, dt.date):
        return (_DATE, value.isoformat())
    return value


def _untag_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untag_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag_dates(v) for v in value]
    if isinstance(value, tuple):
        if value[0] == _DATETIME:
            return dt.datetime.fromisoformat(value[1])
        return dt.date.fromisoformat(value[1])
    return value


def encode_data(value: Any) -> bytes:
    """Compact bytes of a document's plain data (what the YAML builder yields)."""
    try:
        return b"M" + marshal.dumps(value)
    except ValueError:  # a date somewhere
        return b"D" + marshal.dumps(_tag_dates(value))


def decode_data(blob: bytes) -> Any:
    """The plain data :func:`encode_data` encoded.

    Raises:
        ValueError: the bytes are not such data.
    """
    try:
        value = marshal.loads(blob[1:])
    except (EOFError, TypeError) as exc:
        raise ValueError(f"not document data: {exc}") from exc
    if blob[:1] == b"D":
        return _untag_dates(value)
    if blob[:1] != b"M":
        raise ValueError("not document data")
    return value


def encode_result(result: FileResult) -> bytes:
    """A check result (kind, diagnostics, facts; not its data) as compact bytes."""
    diags = tuple((d.path, d.line, d.col, d.level, d.code, d.message) for d in result.diagnostics)
    return marshal.dumps((result.kind, diags, result.facts))


def _decode_result(blob: bytes) -> FileResult:
    kind, diags, facts = marshal.loads(blob)
    return FileResult(kind, None, tuple(Diagnostic(*d) for d in diags), facts)


def _intact(value: Any, crc: Any) -> bool:
    return isinstance(value, bytes) and zlib.crc32(value) == crc


class Record:
    """A check result kept encoded: its kind at hand, the rest decoded on each use. A load
    of 60,000 files holds their results as bytes, not as 60,000 dicts of facts."""

    __slots__ = ("kind", "raw")

    def __init__(self, kind: str | None, raw: bytes) -> None:
        self.kind = kind
        self.raw = raw

    @classmethod
    def of(cls, result: FileResult) -> Record:
        return cls(result.kind, encode_result(result))

    @property
    def result(self) -> FileResult:
        """The decoded result (a new object each time: hold it only while using it)."""
        return _decode_result(self.raw)


class Store:
    """The cache of one git repository; ``cache_dir`` None (or ``shared`` False) keeps
    everything in memory for this load only."""

    def __init__(self, cache_dir: Path | None, shared: bool = True) -> None:
        self.path = cache_dir / _FILE if cache_dir is not None and shared else None
        name = str(self.path) if self.path is not None else None
        if name is None:
            self._results: dict[Key, Record] = {}
            self._documents: dict[str, bytes] = {}
        else:
            if name not in _PROCESS:
                _PROCESS[name] = ({}, {})
            self._results, self._documents = _PROCESS[name]
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._new_results: dict[Key, Record] = {}
        self._new_documents: dict[str, bytes] = {}

    # -- the connection ---------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        if self.path is None:
            return None
        self._db = open_cache_db(self.path, _SCHEMA)
        return self._db

    def _select(self, sql: str, keys: list[Any]) -> list[tuple[Any, ...]]:
        db = self._connect()
        if db is None or not keys:
            return []
        rows: list[tuple[Any, ...]] = []
        try:
            for i in range(0, len(keys), _BATCH):
                batch = keys[i : i + _BATCH]
                rows.extend(db.execute(sql.format(",".join("?" * len(batch))), batch))
        except sqlite3.Error:
            return []
        return rows

    # -- per-file results -------------------------------------------------------------

    def results(self, ctx: str, keys: Iterable[tuple[str, str]]) -> dict[Key, Record]:
        """The cached results of (path, blob) pairs under check context ``ctx``."""
        found: dict[Key, Record] = {}
        wanted: dict[str, Key] = {}
        for path, blob in keys:
            key = (ctx, path, blob)
            hit = self._results.get(key) or self._new_results.get(key)
            if hit is not None:
                found[key] = hit
            else:
                wanted[f"{path}\0{blob}"] = key
        # By (ctx, path), the index's prefix; the few rows of other blobs are skipped here.
        sql = "SELECT path, blob, kind, crc, value FROM results WHERE ctx = ? AND path IN ({})"
        paths = list(dict.fromkeys(key[1] for key in wanted.values()))
        for i in range(0, len(paths), _BATCH - 1):
            rows = self._select_ctx(sql, ctx, paths[i : i + _BATCH - 1])
            for path, blob, kind, crc, value in rows:
                wanted_key = wanted.get(f"{path}\0{blob}")
                if wanted_key is None or not _intact(value, crc):
                    continue
                found[wanted_key] = self._remember(wanted_key, Record(kind, value))
        return found

    def _select_ctx(self, sql: str, ctx: str, batch: list[str]) -> list[tuple[Any, ...]]:
        db = self._connect()
        if db is None or not batch:
            return []
        try:
            return list(db.execute(sql.format(",".join("?" * len(batch))), [ctx, *batch]))
        except sqlite3.Error:
            return []

    def _remember(self, key: Key, record: Record) -> Record:
        if len(self._results) > _MEMO_MAX:
            self._results.clear()
        self._results[key] = record
        return record

    def put_result(self, key: Key, record: Record) -> None:
        """Keep a result (written by :meth:`flush`)."""
        if self.path is None:
            self._remember(key, record)
        else:
            self._new_results[key] = record

    # -- documents --------------------------------------------------------------------

    def documents(self, blobs: Iterable[str]) -> dict[str, bytes]:
        """Encoded plain data (:func:`encode_data`) of the documents with these blob ids."""
        found: dict[str, bytes] = {}
        missing: list[str] = []
        for blob in dict.fromkeys(blobs):
            hit = self._documents.get(blob)
            if hit is not None:
                found[blob] = hit
            else:
                missing.append(blob)
        for blob, value in self._select(
            "SELECT blob, value FROM documents WHERE blob IN ({})", missing
        ):
            if isinstance(value, bytes):
                found[blob] = self._keep_document(blob, value)
        return found

    def _keep_document(self, blob: str, value: bytes) -> bytes:
        if len(self._documents) > _MEMO_MAX:
            self._documents.clear()
        self._documents[blob] = value
        return value

    def put_document(self, blob: str, value: bytes) -> None:
        """Keep a document's encoded data (written by :meth:`flush`)."""
        self._keep_document(blob, value)
        if self.path is not None and blob not in self._new_documents:
            self._new_documents[blob] = value

    # -- states -----------------------------------------------------------------------
    # One file each (``states/<digest of key>``): a state is read and written whole, and a
    # file does that in one system call where a database row of megabytes spans thousands
    # of overflow pages. Written atomically (temp file + rename), without fsync: a state
    # lost to a power cut is only a slower next load.

    def _state_file(self, key: str) -> Path | None:
        if self.path is None:
            return None
        return self.path.parent / "states" / hashlib.sha1(key.encode()).hexdigest()[:24]

    def state(self, key: str) -> bytes | None:
        """The stored state of listing ``key``, or None."""
        found = self._read_state(self._state_file(key))
        return found[1] if found is not None and found[0] == key else None

    @staticmethod
    def _read_state(file: Path | None) -> tuple[str, bytes] | None:
        if file is None:
            return None
        try:
            blob = file.read_bytes()
        except OSError:
            return None
        head, sep, body = blob.partition(b"\n")
        return (head.decode("utf-8", "replace"), body) if sep else None

    def latest_state(self, prefix: str) -> tuple[str, bytes] | None:
        """The most recently written state whose key starts with ``prefix``, or None."""
        if self.path is None:
            return None
        folder = self.path.parent / "states"
        try:
            files = sorted(folder.iterdir(), key=lambda f: f.stat().st_mtime, reverse=True)
        except OSError:
            return None
        for file in files:
            with contextlib.suppress(OSError):
                found = self._read_state(file)
                if found is not None and found[0].startswith(prefix):
                    return found
        return None

    def put_state(self, key: str, value: bytes) -> None:
        """Store the state of listing ``key``; the oldest go beyond ``_MAX_STATES``."""
        file = self._state_file(key)
        if file is None or "\n" in key:
            return
        with contextlib.suppress(OSError):
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
            tmp.write_bytes(key.encode() + b"\n" + value)
            os.replace(tmp, file)
            others = sorted(file.parent.iterdir(), key=lambda f: f.stat().st_mtime)
            for old in others[: max(0, len(others) - _MAX_STATES)]:
                old.unlink()

    # -- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write what this load added, in one transaction; failures are ignored."""
        if self.path is None or not (self._new_results or self._new_documents):
            return
        db = self._connect()
        results, self._new_results = self._new_results, {}
        documents, self._new_documents = self._new_documents, {}
        if db is None:
            return

        def write(cur: sqlite3.Cursor) -> None:
            cur.executemany(
                "INSERT OR REPLACE INTO results (ctx, path, blob, kind, crc, value) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(*k, r.kind, zlib.crc32(r.raw), r.raw) for k, r in results.items()],
            )
            cur.executemany(
                "INSERT OR REPLACE INTO documents (blob, crc, value) VALUES (?, ?, ?)",
                [(b, zlib.crc32(v), v) for b, v in documents.items()],
            )
            self._trim(cur, len(results), len(documents))

        write_cache(db, write)

    @staticmethod
    def _trim(cur: sqlite3.Cursor, results: int, documents: int) -> None:
        # The oldest writes go first once a table passes its cap (rowids grow on write).
        for table, added, cap in (
            ("results", results, _MAX_RESULTS),
            ("documents", documents, _MAX_DOCUMENTS),
        ):
            if added:
                cur.execute(
                    f"DELETE FROM {table} WHERE rowid <= (SELECT MAX(rowid) FROM {table}) - ?",
                    (cap,),
                )

    def close(self) -> None:
        """Write what is pending and close the connection."""
        self.flush()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        self._opened = False

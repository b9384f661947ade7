"""A content-addressed store of compiled prompt bytes (canonical JSON), in SQLite.

One SQLite file rather than a file per entry: a cold build of 10,000 prompts would otherwise
pay 10,000 fsyncs, and SQLite gives atomic, multi-process-safe transactions for free.
It is only a cache: every entry carries the sha256 of its bytes and one that does not match
is ignored; a database that cannot be opened or read degrades to "no cache", never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from promptops.sqlite_cache import open_cache_db, write_cache

__all__ = ["CompileCache"]

# prompts: full key -> compiled bytes; deps: a prompt file's own key -> its dependencies
# (so an unchanged prompt's full key is known without parsing it).
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS prompts (key TEXT PRIMARY KEY, sha256 TEXT, data BLOB);"
    "CREATE TABLE IF NOT EXISTS deps (own TEXT PRIMARY KEY, deps TEXT)"
)
# SQLite's default limit of host parameters per statement is 999 on old builds.
_BATCH = 900


class CompileCache:
    """Compiled prompt bytes keyed by the digest of everything that shaped them."""

    def __init__(self, path: Path, *, max_entries: int = 200_000) -> None:
        self.path = path
        self.max_entries = max_entries
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        self._db = open_cache_db(self.path, _SCHEMA)
        return self._db

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[bytes, str]]:
        """The entries found for ``keys`` as (bytes, sha256hex of the bytes); missing and
        corrupt entries are left out."""
        db = self._connect()
        wanted = list(dict.fromkeys(keys))
        found: dict[str, tuple[bytes, str]] = {}
        if db is None:
            return found
        sha256 = hashlib.sha256
        try:
            for i in range(0, len(wanted), _BATCH):
                batch = wanted[i : i + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(
                    f"SELECT key, sha256, data FROM prompts WHERE key IN ({marks})", batch
                )
                for key, digest, data in rows:
                    if isinstance(data, bytes) and sha256(data).hexdigest() == digest:
                        found[key] = (data, digest)
        except sqlite3.Error:
            return {}
        return found

    def get_deps(self, owns: Iterable[str]) -> dict[str, str]:
        """Recorded dependencies (encoded) of prompt files by their own key."""
        db = self._connect()
        wanted = list(dict.fromkeys(owns))
        found: dict[str, str] = {}
        if db is None:
            return found
        try:
            for i in range(0, len(wanted), _BATCH):
                batch = wanted[i : i + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT own, deps FROM deps WHERE own IN ({marks})", batch)
                found.update((own, deps) for own, deps in rows if isinstance(deps, str))
        except sqlite3.Error:
            return {}
        return found

    def put_many(
        self,
        entries: Mapping[str, bytes | tuple[bytes, str]],
        deps: Mapping[str, str] | None = None,
    ) -> None:
        """Store ``entries`` (bytes, or bytes with their known sha256hex) and ``deps`` in one
        transaction; failures are ignored (it is a cache)."""
        db = self._connect()
        if db is None or not (entries or deps):
            return
        rows = [
            (k, *((v[1], v[0]) if isinstance(v, tuple) else (hashlib.sha256(v).hexdigest(), v)))
            for k, v in entries.items()
        ]

        def write(cur: sqlite3.Cursor) -> None:
            cur.executemany("INSERT OR REPLACE INTO prompts VALUES (?, ?, ?)", rows)
            cur.executemany("INSERT OR REPLACE INTO deps VALUES (?, ?)", list((deps or {}).items()))
            # Oldest rows go first once the cap is passed (rowid grows on insert).
            for table in ("prompts", "deps"):
                cur.execute(
                    f"DELETE FROM {table} WHERE rowid <= (SELECT MAX(rowid) FROM {table}) - ?",
                    (self.max_entries,),
                )

        write_cache(db, write)

    def close(self) -> None:
        """Close the database connection (reopened on next use)."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

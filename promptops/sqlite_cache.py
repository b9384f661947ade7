"""Opening a SQLite file that is only a cache (the repository store, the compile cache).

Shared so both degrade alike: a file that is not a database is replaced once, and one that
is locked or cannot be written means "no cache" for this run, never an error.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

__all__ = ["open_cache_db", "write_cache"]


def open_cache_db(path: Path, schema: str) -> sqlite3.Connection | None:
    """A connection to the cache at ``path`` with ``schema`` in place, or None when it
    cannot be used this run (locked for longer than the timeout, unwritable)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _open(path, schema)
    except sqlite3.OperationalError:
        return None
    except sqlite3.DatabaseError:
        pass  # not a database (a corrupt file): start afresh once
    except OSError:
        return None
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink()
    try:
        return _open(path, schema)
    except (sqlite3.Error, OSError):
        return None


def write_cache(db: sqlite3.Connection, write: Callable[[sqlite3.Cursor], None]) -> None:
    """Run ``write`` in one immediate transaction: all of it is stored or none. A cache
    that cannot be written this run (locked, full, damaged) is skipped, never an error."""
    try:
        with contextlib.closing(db.cursor()) as cur:
            cur.execute("BEGIN IMMEDIATE")
            try:
                write(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
    except sqlite3.Error:
        return


def _open(path: Path, schema: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    try:
        # WAL: readers never block the writer; NORMAL: no fsync per commit (an entry lost
        # in a power cut only costs the work again).
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except BaseException:
        db.close()
        raise
    return db

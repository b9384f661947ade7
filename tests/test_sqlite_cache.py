"""The opener both SQLite caches share: a broken cache is replaced or skipped, never raised."""

from __future__ import annotations

from pathlib import Path

from promptops.sqlite_cache import open_cache_db

SCHEMA = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v BLOB)"


def test_a_new_cache_gets_its_schema_and_wal(tmp_path: Path) -> None:
    db = open_cache_db(tmp_path / "deep" / "c.sqlite3", SCHEMA)
    assert db is not None
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.execute("INSERT INTO t VALUES ('a', x'00')")
    db.close()


def test_a_file_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database, " * 100)
    db = open_cache_db(path, SCHEMA)
    assert db is not None
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    db.close()


def test_a_place_that_cannot_hold_a_cache_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert open_cache_db(blocker / "c.sqlite3", SCHEMA) is None

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from promptops.compile import CompileCache


def _h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_round_trip_and_missing_keys(tmp_path: Path) -> None:
    cache = CompileCache(tmp_path / "c" / "compile.sqlite3")
    cache.put_many({"k1": b"one", "k2": b"two"})
    cache.close()
    again = CompileCache(tmp_path / "c" / "compile.sqlite3")
    assert again.get_many(["k1", "k2", "k3"]) == {
        "k1": (b"one", _h(b"one")),
        "k2": (b"two", _h(b"two")),
    }


def test_entry_whose_bytes_do_not_match_its_digest_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "compile.sqlite3"
    cache = CompileCache(path)
    cache.put_many({"good": b"good", "bad": b"bad"})
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE prompts SET data = ? WHERE key = 'bad'", (b"tampered",))
    db.close()
    assert CompileCache(path).get_many(["good", "bad"]) == {"good": (b"good", _h(b"good"))}


def test_garbage_database_file_degrades_to_a_fresh_cache(tmp_path: Path) -> None:
    path = tmp_path / "compile.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    cache = CompileCache(path)
    assert cache.get_many(["k"]) == {}
    cache.put_many({"k": b"v"})
    assert cache.get_many(["k"]) == {"k": (b"v", _h(b"v"))}


def test_unwritable_location_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = CompileCache(blocker / "sub" / "compile.sqlite3")
    cache.put_many({"k": b"v"})
    assert cache.get_many(["k"]) == {}


def test_oldest_entries_are_dropped_past_the_cap(tmp_path: Path) -> None:
    cache = CompileCache(tmp_path / "compile.sqlite3", max_entries=3)
    cache.put_many({f"k{i}": str(i).encode() for i in range(3)})
    cache.put_many({"k3": b"3", "k4": b"4"})
    assert sorted(cache.get_many([f"k{i}" for i in range(5)])) == ["k2", "k3", "k4"]


def test_many_keys_span_several_queries(tmp_path: Path) -> None:
    cache = CompileCache(tmp_path / "compile.sqlite3")
    entries = {hashlib.sha256(str(i).encode()).hexdigest(): str(i).encode() for i in range(2500)}
    cache.put_many(entries)
    assert cache.get_many(entries) == {k: (v, _h(v)) for k, v in entries.items()}


def test_known_digests_are_stored_as_given(tmp_path: Path) -> None:
    cache = CompileCache(tmp_path / "compile.sqlite3")
    cache.put_many({"k": (b"v", _h(b"v")), "lie": (b"v", _h(b"other"))})
    # A wrong digest is caught on the way out like any corruption.
    assert cache.get_many(["k", "lie"]) == {"k": (b"v", _h(b"v"))}

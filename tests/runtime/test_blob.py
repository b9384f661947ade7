"""Bundle files read with ``pread`` and hashed as they stream, also on another thread."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from promptops.runtime import blob
from promptops.runtime.blob import FOLLOW_FLAGS, FileBlob, hash_ahead, read_hashed


def _file(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    return str(path)


def test_read_hashed_gives_the_bytes_and_their_sha256(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several 1 MiB chunks and a short one
    got = read_hashed(_file(tmp_path, data), FOLLOW_FLAGS, len(data))
    assert got is not None
    found, digest = got
    assert isinstance(found, FileBlob)
    assert (bytes(found), digest) == (data, hashlib.sha256(data).hexdigest())


def test_a_read_hashed_ahead_is_taken_by_the_same_read(tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024)
    path = _file(tmp_path, data)
    hash_ahead(path, FOLLOW_FLAGS, len(data))
    ahead = blob._AHEAD[(path, FOLLOW_FLAGS, len(data))]
    got = read_hashed(path, FOLLOW_FLAGS, len(data))
    assert blob._AHEAD == {}
    assert got is not None and got == ahead.result  # the thread's blob, not a second read
    assert (bytes(got[0]), got[1]) == (data, hashlib.sha256(data).hexdigest())


def test_a_read_ahead_answers_as_the_read_would_have(tmp_path: Path) -> None:
    data = b"x" * 1000
    path = _file(tmp_path, data)
    # Over the limit: refused at its fstat, as read_hashed refuses a file too big.
    hash_ahead(path, FOLLOW_FLAGS, 999)
    ahead = blob._AHEAD[(path, FOLLOW_FLAGS, 999)]
    ahead.join()
    assert (ahead.result, ahead.failed) == (None, False)
    assert read_hashed(path, FOLLOW_FLAGS, 999) is None
    # Another limit or other flags than the read's: not taken, the read is its own.
    hash_ahead(path, FOLLOW_FLAGS, 999)
    hash_ahead(path, blob.READ_FLAGS, 1000)
    got = read_hashed(path, FOLLOW_FLAGS, 1000)
    assert got is not None and bytes(got[0]) == data
    assert set(blob._AHEAD) == {(path, FOLLOW_FLAGS, 999), (path, blob.READ_FLAGS, 1000)}
    blob._AHEAD.clear()
    # A file that is not there: the caller's own read raises, as it would have.
    missing = str(tmp_path / "missing.json")
    hash_ahead(missing, FOLLOW_FLAGS, 1000)
    with pytest.raises(FileNotFoundError):
        read_hashed(missing, FOLLOW_FLAGS, 1000)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_ahead_neither_blocks_nor_is_served(tmp_path: Path) -> None:
    path = str(tmp_path / "bundle.json")
    os.mkfifo(path)
    hash_ahead(path, FOLLOW_FLAGS, 1000)
    assert read_hashed(path, FOLLOW_FLAGS, 1000) is None


def test_a_read_ahead_that_breaks_leaves_the_error_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, b"{}")

    def broken(path: str, flags: int, limit: int) -> None:
        raise ValueError("not a path this platform can open")

    monkeypatch.setattr(blob, "open_file_blob", broken)
    hash_ahead(path, FOLLOW_FLAGS, 1000)
    blob._AHEAD[(path, FOLLOW_FLAGS, 1000)].join()
    with pytest.raises(ValueError, match="not a path this platform can open"):
        read_hashed(path, FOLLOW_FLAGS, 1000)  # raised here, not printed by a thread

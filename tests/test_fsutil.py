from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from promptops.fsutil import atomic_write_bytes, atomic_write_text


def test_replaces_whole_file_with_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    atomic_write_bytes(target, b"old")
    atomic_write_text(target, "new", mode=0o600)
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(target.parent) == ["f.json"]


def test_without_overwrite_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "key.pem"
    atomic_write_bytes(target, b"first", mode=0o600, overwrite=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"second", overwrite=False)
    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["key.pem"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write_bytes(target, b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]

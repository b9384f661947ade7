"""Caps on file size and count; the parallel checker agrees with the sequential one."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import promptops.repo.parallel as parallel
from promptops.repo import Limits, load_repository
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, write_files

TODAY = dt.date(2026, 6, 1)


def test_oversized_file_in_working_tree_and_ref(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root)
    (root / "prompts" / "big.yaml").write_text("kind: prompt\n" + "# pad\n" * 400)
    commit_all(root, "big")
    limits = Limits(max_file_bytes=1000)
    expected = [
        (
            "prompts/big.yaml",
            1,
            1,
            "too-large",
            "file is larger than the limit of 1000 bytes; split it into smaller files",
        )
    ]
    for ref in (None, "HEAD"):
        repo = load_repository(root, ref, today=TODAY, limits=limits)
        assert [(d.path, d.line, d.col, d.code, d.message) for d in repo.errors] == expected


def test_too_many_files(tmp_path: Path) -> None:
    write_files(tmp_path, MINIMAL_REPO)
    repo = load_repository(tmp_path, today=TODAY, limits=Limits(max_files=3))
    assert repo.errors[0].code == "too-many-files"
    assert repo.errors[0].message == (
        "more than 3 files under models.yaml, prompts/, policies/ and evals/; the limit is 3"
    )


def test_parallel_checks_match_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = dict(MINIMAL_REPO)
    for i in range(30):
        files[f"prompts/many/p{i}.yaml"] = MINIMAL_REPO["prompts/greet.yaml"].replace(
            "model: default", "model: defualt" if i % 7 == 0 else "model: default"
        )
    write_files(tmp_path, files)
    sequential = load_repository(tmp_path, cache=False, today=TODAY)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    maps: list[int] = []
    real_map = ProcessPoolExecutor.map

    def spy(self: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        maps.append(1)
        return real_map(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "map", spy)
    in_parallel = load_repository(tmp_path, cache=False, today=TODAY)
    assert maps == [1]  # the pool really ran
    assert in_parallel.diagnostics == sequential.diagnostics
    assert len(sequential.errors) == 5
    assert sorted(in_parallel.prompts) == sorted(sequential.prompts)

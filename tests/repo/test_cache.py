"""Results are cached by content: unchanged files are never checked twice; a corrupt cache
is ignored."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import promptops.repo.filecheck as filecheck_module
import promptops.repo.parallel as parallel_module
import promptops.repo.store as store_module
from promptops.repo import load_repository
from tests.helpers import commit_all

TODAY = dt.date(2026, 6, 1)
CACHE = Path(".git") / "promptops-cache" / "repo.sqlite3"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths handed to the per-file checker (all but the four fixed files, checked on their
    own first), across loads; the process memo starts empty."""
    monkeypatch.setattr(store_module, "_PROCESS", {})
    seen: list[str] = []
    real = parallel_module.check_many

    def spy(items: list[tuple[str, Any]], *args: Any) -> Any:
        seen.extend(path for path, _ in items)
        return real(items, *args)

    monkeypatch.setattr(parallel_module, "check_many", spy)
    return seen


def test_a_second_load_parses_not_even_the_fixed_files(
    repo: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed: list[str] = []
    real = filecheck_module.check_file

    def spy(path: str, *args: Any) -> Any:
        fixed.append(path)
        return real(path, *args)

    monkeypatch.setattr(filecheck_module, "check_file", spy)
    first = load_repository(repo, today=TODAY)
    once = sorted(fixed)
    assert once == ["models.yaml", "policies/rules.yaml", "policies/tools.yaml"]
    store_module._PROCESS.clear()  # a new process: only the file on disk remains
    second = load_repository(repo, today=TODAY)
    assert sorted(fixed) == once  # nothing more
    assert second.diagnostics == first.diagnostics == ()
    assert second.models == first.models and second.tools == first.tools
    # An edited fixed file is checked again, by its new blob.
    models = repo / "models.yaml"
    models.write_text(models.read_text().replace("temperature: 0.3", "temperature: 0.4"))
    third = load_repository(repo, today=TODAY)
    assert sorted(fixed) == sorted([*once, "models.yaml"])
    assert third.models != first.models


def test_second_load_checks_nothing(repo: Path, checked: list[str]) -> None:
    first = load_repository(repo, today=TODAY)
    assert len(checked) == 4 and (repo / CACHE).is_file()
    store_module._PROCESS.clear()  # a new process: only the file on disk remains
    second = load_repository(repo, today=TODAY)
    assert len(checked) == 4
    assert second.diagnostics == first.diagnostics == ()
    assert second.prompts["greet"].model == "default"  # rebuilt from stored data on demand


def test_edited_file_is_checked_again(repo: Path, checked: list[str]) -> None:
    load_repository(repo, today=TODAY)
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("model: default", "model: defualt"))
    again = load_repository(repo, today=TODAY)
    assert checked[4:] == ["prompts/greet.yaml"]
    assert [d.code for d in again.errors] == ["unknown-model"]


def test_ref_reuses_results_of_unchanged_blobs(repo: Path, checked: list[str]) -> None:
    load_repository(repo, today=TODAY)
    tone = repo / "prompts" / "instructions" / "tone.yaml"
    tone.write_text(tone.read_text().replace("brief", "short"))
    commit_all(repo, "tone")
    load_repository(repo, ref="HEAD", today=TODAY)
    load_repository(repo, ref="HEAD~1", today=TODAY)
    assert checked[4:] == ["prompts/instructions/tone.yaml"]


def test_corrupt_cache_is_ignored_and_rewritten(repo: Path, checked: list[str]) -> None:
    load_repository(repo, today=TODAY)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{repo / CACHE}{suffix}").unlink(missing_ok=True)
    (repo / CACHE).write_bytes(b"\x00garbage" * 100)
    for state in (repo / CACHE.parent / "states").iterdir():
        state.write_bytes(b"\x00garbage" * 100)
    store_module._PROCESS.clear()
    loaded = load_repository(repo, today=TODAY)
    assert loaded.diagnostics == ()
    assert len(checked) == 8
    with sqlite3.connect(repo / CACHE) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] >= 4


def test_corrupt_rows_are_misses(repo: Path, checked: list[str]) -> None:
    load_repository(repo, today=TODAY)
    with sqlite3.connect(repo / CACHE) as db:
        db.execute("UPDATE results SET value = x'00ff'")
        db.execute("UPDATE documents SET value = x'00ff'")
    for state in (repo / CACHE.parent / "states").iterdir():
        key = state.read_bytes().partition(b"\n")[0]
        state.write_bytes(key + b"\n\x00\xff")
    store_module._PROCESS.clear()
    loaded = load_repository(repo, today=TODAY)
    assert loaded.diagnostics == ()
    assert len(checked) == 8
    assert loaded.prompts["greet"].model == "default"


def test_no_cache_writes_nothing(repo: Path, checked: list[str]) -> None:
    load_repository(repo, cache=False, today=TODAY)
    assert not (repo / CACHE).parent.exists()


def test_documents_of_a_cached_ref_need_no_working_tree(repo: Path, checked: list[str]) -> None:
    import promptops.repo.lazy as lazy_module

    load_repository(repo, ref="HEAD", today=TODAY)
    store_module._PROCESS.clear()
    lazy_module._MODELS.clear()
    (repo / "prompts" / "greet.yaml").unlink()  # the ref must not need the working tree
    again = load_repository(repo, ref="HEAD", today=TODAY)
    assert len(checked) == 4
    prompts = dict(again.prompts.items())
    assert prompts["greet"].messages[0].content == "Say hello to {{ name }}.\n"
    assert again.evals["evals/greet.yaml"].prompt == "greet"

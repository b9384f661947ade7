"""Results are cached by content: unchanged files are never checked twice; a corrupt cache
is ignored."""

from __future__ import annotations

import datetime as dt
import marshal
from pathlib import Path
from typing import Any

import pytest

import promptops.repo.cache as cache_module
import promptops.repo.loader as loader_module
from promptops.repo import load_repository
from tests.helpers import commit_all

TODAY = dt.date(2026, 6, 1)
CACHE = Path(".git") / "promptops-cache" / "results.marshal"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths handed to the per-file checker (all but the four fixed files, which are always
    parsed), across loads; the process memo starts empty."""
    monkeypatch.setattr(cache_module, "_PROCESS", {})
    seen: list[str] = []
    real = loader_module.check_many

    def spy(items: list[tuple[str, Any]], *args: Any) -> Any:
        seen.extend(path for path, _ in items)
        return real(items, *args)

    monkeypatch.setattr(loader_module, "check_many", spy)
    return seen


def test_second_load_checks_nothing(repo: Path, checked: list[str]) -> None:
    first = load_repository(repo, today=TODAY)
    assert len(checked) == 4 and (repo / CACHE).is_file()
    cache_module._PROCESS.clear()  # a new process: only the file on disk remains
    second = load_repository(repo, today=TODAY)
    assert len(checked) == 4
    assert second.diagnostics == first.diagnostics == ()
    assert second.prompts["greet"].model == "default"  # rebuilt from the blob on demand


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
    (repo / CACHE).write_bytes(b"\x00garbage")
    cache_module._PROCESS.clear()
    loaded = load_repository(repo, today=TODAY)
    assert loaded.diagnostics == ()
    assert len(checked) == 8
    assert marshal.loads((repo / CACHE).read_bytes())["format"] == "promptops-cache/v2"


def test_no_cache_writes_nothing(repo: Path, checked: list[str]) -> None:
    load_repository(repo, cache=False, today=TODAY)
    assert not (repo / CACHE).parent.exists()


def test_changes_are_journaled_and_a_torn_tail_is_ignored(repo: Path, checked: list[str]) -> None:
    load_repository(repo, today=TODAY)
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Greet a user", "Greet someone"))
    load_repository(repo, today=TODAY)
    journal = repo / CACHE.parent / "results.journal"
    assert journal.stat().st_size > 0
    with journal.open("ab") as fh:
        fh.write(b"\xff\xff\x00\x00torn")  # a record cut short by a crash
    cache_module._PROCESS.clear()
    load_repository(repo, today=TODAY)
    assert checked == [*checked[:4], "prompts/greet.yaml"]


def test_documents_of_a_cached_ref_are_read_from_git(repo: Path, checked: list[str]) -> None:
    import promptops.repo.lazy as lazy_module

    load_repository(repo, ref="HEAD", today=TODAY)
    cache_module._PROCESS.clear()
    lazy_module._MODELS.clear()
    (repo / "prompts" / "greet.yaml").unlink()  # the ref must not need the working tree
    again = load_repository(repo, ref="HEAD", today=TODAY)
    assert len(checked) == 4
    prompts = dict(again.prompts.items())
    assert prompts["greet"].messages[0].content == "Say hello to {{ name }}.\n"
    assert again.evals["evals/greet.yaml"].prompt == "greet"

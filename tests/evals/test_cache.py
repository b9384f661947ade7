"""The response cache: memory, in-flight deduplication, disk, and --no-cache."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from promptops.evals.cache import ResponseCache, cache_key
from promptops.evals.types import Response


def test_keys_separate_providers_requests_and_samples() -> None:
    keys = {cache_key("openai", "d1", 0), cache_key("echo", "d1", 0), cache_key("openai", "d2", 0),
            cache_key("openai", "d1", 1)}  # fmt: skip
    assert len(keys) == 4


def test_memory_hit_after_first_call() -> None:
    cache = ResponseCache()
    calls: list[int] = []

    def call() -> Response:
        calls.append(1)
        return Response("x")

    assert cache.get("k", call, persist=False) == (Response("x"), False)
    assert cache.get("k", call, persist=False) == (Response("x"), True)
    assert (len(calls), cache.stats.calls, cache.stats.hits) == (1, 1, 1)


def test_identical_requests_in_flight_are_sent_once() -> None:
    cache = ResponseCache()
    started = threading.Event()
    finish = threading.Event()
    calls: list[int] = []

    def slow() -> Response:
        calls.append(1)
        started.set()
        finish.wait()
        return Response("answer")

    results: list[tuple[Response, bool]] = []
    first = threading.Thread(target=lambda: results.append(cache.get("k", slow, persist=True)))
    first.start()
    started.wait()
    second = threading.Thread(target=lambda: results.append(cache.get("k", slow, persist=True)))
    second.start()
    while cache.stats.hits == 0:  # the second caller has found the first one's future
        threading.Event().wait(0.001)
    finish.set()
    first.join()
    second.join()
    assert len(calls) == 1
    assert sorted(results, key=lambda r: r[1]) == [
        (Response("answer"), False),
        (Response("answer"), True),
    ]


def test_disk_layer_survives_a_new_process_and_is_written_atomically(tmp_path: Path) -> None:
    response = Response("persisted", tokens_in=3, tokens_out=4, latency_ms=12.5)
    ResponseCache(tmp_path).get("ab12", lambda: response, persist=True)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        "ab/ab12.json"
    ]
    fresh = ResponseCache(tmp_path)
    got = fresh.get("ab12", lambda: Response("never"), persist=True)
    assert got == (response, True)
    assert (fresh.stats.calls, fresh.stats.disk_hits) == (0, 1)


def test_damaged_disk_entries_are_fetched_again(tmp_path: Path) -> None:
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "ab12.json").write_text("{not json", encoding="utf-8")
    cache = ResponseCache(tmp_path)
    assert cache.get("ab12", lambda: Response("new"), persist=True) == (Response("new"), False)
    assert ResponseCache(tmp_path).get("ab12", lambda: Response("x"), persist=True)[0].text == "new"


def test_local_providers_never_touch_the_disk(tmp_path: Path) -> None:
    ResponseCache(tmp_path).get("ab12", lambda: Response("echo"), persist=False)
    assert list(tmp_path.iterdir()) == []


def test_disabled_cache_sends_every_time(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path, enabled=False)
    for _ in range(3):
        assert cache.get("k", lambda: Response("x"), persist=True) == (Response("x"), False)
    assert (cache.stats.calls, cache.stats.hits) == (3, 0)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_call_is_not_cached() -> None:
    cache = ResponseCache()

    def boom() -> Response:
        raise RuntimeError("down")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="down"):
            cache.get("k", boom, persist=False)
    assert cache.stats.calls == 2
    assert cache.get("k", lambda: Response("up"), persist=False) == (Response("up"), False)


def test_only_a_run_that_caches_looks_for_the_cache_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Finding <git-dir>/promptops-cache costs a git process: --no-cache has no use for it.
    import promptops.evals.api as api

    looked: list[Path] = []
    monkeypatch.setattr(api, "default_cache_dir", lambda root: looked.append(root) or None)
    assert api.evaluate_repository(repo, provider="echo", use_cache=False).report.ok
    assert looked == []
    assert api.evaluate_repository(repo, provider="echo").report.ok
    assert looked == [repo]

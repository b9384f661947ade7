"""Variants and experiments in the bundle (ADR 0018): deterministic, and a change to an
experiment or to a variant's pin reaches the cached entry of the prompt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.compile import compile_repository
from promptops.compile.cache import CompileCache
from promptops.repo import load_repository
from tests.helpers import write_files
from tests.repo.test_variants import REPO, X


def _build(root: Path, files: dict[str, str], cache: CompileCache | bool) -> bytes:
    write_files(root, files)
    repo = load_repository(root, today=dt.date(2026, 6, 1))
    assert repo.ok, repo.errors
    return compile_repository(repo, cache=cache).data


@pytest.mark.parametrize(
    "change",
    [
        {X: REPO[X].replace("short: {weight: 25}", "short: {weight: 30}")},
        {X: REPO[X] + "salt: run-2\n"},
        {"models.yaml": REPO["models.yaml"].replace("echo-2024-02-01", "echo-2024-03-01")},
    ],
    ids=["weights", "salt", "variant-pin"],
)
def test_a_change_outside_the_prompt_file_reaches_its_cached_entry(
    tmp_path: Path, change: dict[str, str]
) -> None:
    cache = CompileCache(tmp_path / "compile.sqlite3")
    first = _build(tmp_path / "repo", REPO, cache)
    assert _build(tmp_path / "repo", REPO, cache) == first  # deterministic, from the cache
    cached = _build(tmp_path / "repo", {**REPO, **change}, cache)
    fresh = _build(tmp_path / "fresh", {**REPO, **change}, False)
    assert cached == fresh != first


def test_the_entry_holds_overrides_and_arms_in_buckets(tmp_path: Path) -> None:
    write_files(tmp_path, REPO)
    bundle = compile_repository(load_repository(tmp_path, today=dt.date(2026, 6, 1)), cache=False)
    entry = bundle.prompt("greet")
    assert entry["experiment"] == {
        "name": "greeting",
        "salt": "greeting",
        "arms": [
            {"name": "control", "variant": None, "weight": 5000},
            {"name": "short", "variant": "short", "weight": 2500},
            {"name": "pinned", "variant": "other-pin", "weight": 2500},
        ],
    }
    short, pinned = entry["variants"]["short"], entry["variants"]["other-pin"]
    assert set(short) == {"messages", "partials", "params"}
    assert short["params"] == {"temperature": 0.7, "max_tokens": 200}
    assert [m["role"] for m in short["messages"]] == ["system", "user"]
    assert set(pinned) == {"model", "params"}
    assert pinned["model"]["model"] == "echo-2024-02-01"

"""Fallbacks in the bundle (ADR 0018): a change to a pin of the chain reaches the cached
entry of every prompt on the pin; prompts whose pin has none compile as before."""

from __future__ import annotations

from pathlib import Path

from promptops.compile.cache import CompileCache
from tests.compile.test_variants import _build
from tests.helpers import MINIMAL_REPO

MODELS = (
    MINIMAL_REPO["models.yaml"]
    + """\
    fallback: second
  second:
    provider: echo
    model: echo-2024-02-01
    params: {max_tokens: 100}
"""
)
REPO = {**MINIMAL_REPO, "models.yaml": MODELS}


def test_a_change_down_the_chain_reaches_the_cached_entry(tmp_path: Path) -> None:
    cache = CompileCache(tmp_path / "compile.sqlite3")
    first = _build(tmp_path / "repo", REPO, cache)
    changed = {**REPO, "models.yaml": MODELS.replace("max_tokens: 100", "max_tokens: 150")}
    cached = _build(tmp_path / "repo", changed, cache)
    assert cached == _build(tmp_path / "fresh", changed, False) != first
    assert b'"fallbacks":[{"model":{' in cached and b'"max_tokens":150' in cached


def test_a_pin_without_fallback_adds_nothing(tmp_path: Path) -> None:
    plain = _build(tmp_path / "plain", MINIMAL_REPO, False)
    assert b"fallbacks" not in plain

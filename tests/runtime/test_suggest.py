"""An unknown prompt id's "did you mean" costs a bounded amount however large the release
and however long the id: applications pass on ids they did not write."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest

import promptops.runtime.bundle as bundle_module
import promptops.runtime.suggest as suggest
from promptops.errors import UsageError
from promptops.runtime import Registry
from tests.runtime.fixtures import CONFIG, GREET, TRUST, publish

IDS = sorted(f"team-{t:02d}/flow-{f:03d}/step" for t in range(40) for f in range(150))  # 6,000


@pytest.mark.parametrize("word", ["gret", "team-1/flow-002/step", "x", ""])
def test_a_small_set_gets_difflibs_answer(word: str) -> None:
    ids = ["greet", "goodbye", "team-1/flow-001/step", "team-1/flow-003/step"]
    expected = difflib.get_close_matches(word, ids, n=1)
    assert suggest.close_id(word, ids) == (expected[0] if expected else None)


def test_a_large_set_scores_only_the_ids_sorted_near_the_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scored: list[int] = []
    real = difflib.get_close_matches

    def spy(word: str, candidates: Any, *args: Any, **kwargs: Any) -> Any:
        scored.append(len(candidates))
        return real(word, candidates, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", spy)
    assert suggest.close_id("team-17/flow-042/stpe", IDS) == "team-17/flow-042/step"
    assert suggest.close_id("team-17/flwo-042/step", IDS) == "team-17/flow-042/step"
    assert scored == [2 * suggest.NEAR, 2 * suggest.NEAR]  # of 6,000


def test_a_very_long_word_gets_no_suggestion_and_no_scoring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(difflib, "get_close_matches", pytest.fail)
    assert suggest.hint("greet" * 100_000, ["greet"]) == ""


def test_unknown_ids_walk_the_signed_pages_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    publish(site, {name: GREET for name in ("greet", "greet-2", "welcome")})
    reg = Registry.open(site, trust=TRUST, channel="production", config=CONFIG)
    walked: list[int] = []
    real = bundle_module.page_ids

    def spy(*args: Any) -> Any:
        walked.append(1)
        return real(*args)

    monkeypatch.setattr(bundle_module, "page_ids", spy)
    for _ in range(3):
        with pytest.raises(UsageError, match=r"has no prompt 'gret'; did you mean 'greet'\?$"):
            reg.prompt("gret")
    assert len(walked) == 1  # one page, read for the first unknown id only

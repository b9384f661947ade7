"""did-you-mean suggestions: difflib's answers, with work bounded per question."""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.repo import crosscheck, load_repository, suggest
from promptops.repo.suggest import Suggester, did_you_mean
from tests.helpers import MINIMAL_REPO, init_repo

TEAMS = ["support", "billing", "search", "legal", "growth", "ops", "docs", "sales"]
TASKS = ["answer", "summarise", "extract", "classify", "translate", "triage", "rewrite"]


def _ids(n: int) -> list[str]:
    return [f"{TEAMS[i % len(TEAMS)]}/{TASKS[(i // 8) % len(TASKS)]}-{i}" for i in range(n)]


def _difflib(word: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


_NAME = st.text(alphabet="abcdeprt/_-0123", min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAME, max_size=40), _NAME)
def test_small_sets_give_difflibs_answer(candidates: list[str], word: str) -> None:
    assert Suggester(candidates).best(word) == _difflib(word, candidates)


def test_ties_go_to_the_larger_string_as_in_difflib() -> None:
    # "abd" and "abe" score the same against "abc"; difflib's nlargest keeps the larger.
    assert Suggester(["abd", "abe"]).best("abc") == "abe"
    assert Suggester(["abe", "abd"]).best("abc") == "abe"


def test_hint_wording() -> None:
    assert did_you_mean("promt", ["prompt", "partial"]) == "; did you mean 'prompt'?"
    assert did_you_mean("zzz", ["prompt"]) == ""
    index = Suggester(["prompt", "partial"])
    assert did_you_mean("partal", index) == "; did you mean 'partial'?"


def _unique_best(word: str, candidates: list[str]) -> str | None:
    """difflib's answer when no other candidate scores the same (else None: a tie)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scores = []
    for name in candidates:
        matcher.set_seq1(name)
        scores.append((matcher.ratio(), name))
    scores.sort(reverse=True)
    (top, name), (second, _) = scores[0], scores[1]
    return name if top >= 0.6 and top > second else None


def _typo(rng: random.Random, word: str) -> str:
    at = rng.randrange(len(word) - 1)
    edit = rng.randrange(4)
    if edit == 0:  # dropped
        return word[:at] + word[at + 1 :]
    if edit == 1:  # doubled
        return word[:at] + word[at] + word[at:]
    if edit == 2:  # swapped
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + rng.choice("aeioux0189") + word[at + 1 :]  # replaced


def test_large_sets_find_renamed_and_mistyped_ids() -> None:
    # Above EXACT_MAX the index shortlists; wherever difflib's best is unique (no tie),
    # the index finds the same candidate, for the shapes real mistakes take.
    ids = _ids(1_000)
    candidates = [f"{x}-renamed" if i % 8 == 0 else x for i, x in enumerate(ids)]
    index = Suggester(candidates)
    rng = random.Random(16)
    words = [ids[i] for i in range(0, 1_000, 40)]  # renamed: the old id
    words += [_typo(rng, rng.choice(candidates)) for _ in range(40)]
    checked = 0
    for word in words:
        expected = _unique_best(word, candidates)
        if expected is not None:
            checked += 1
            assert index.best(word) == expected, word
    assert checked >= 40


def _work(errors: int) -> int:
    """Work to suggest for ``errors`` renamed ids among ``2 * errors`` prompts."""
    ids = _ids(2 * errors)
    renamed = set(range(0, len(ids), 2))
    index = Suggester(f"{x}-renamed" if i in renamed else x for i, x in enumerate(ids))
    for i in sorted(renamed):
        assert index.best(ids[i]) is not None
    return index.work


def test_work_grows_linearly_with_errors() -> None:
    # Counted, not timed: index entries visited plus candidates scored. Scoring every
    # candidate per error (difflib's get_close_matches) would grow 100x from 1k to 10k
    # errors (10x the errors, each against 10x the candidates).
    small, large = _work(1_000), _work(10_000)
    assert large <= 12 * small, (small, large)
    # And far below scoring every candidate once per error.
    assert large < 10_000 * 20_000 // 50


def test_bounded_per_question() -> None:
    index = Suggester(_ids(5_000))
    index.best("support/answer-1")
    before = index.work
    index.best("billing/extract-4242x")
    bound = 2 * suggest.POSTINGS_BUDGET + suggest.SHORTLIST + 4 * suggest.NEIGHBOURS
    assert 0 < index.work - before <= bound


def test_validate_builds_one_index_per_candidate_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 eval sets name prompts that were renamed: one prompt index serves every error.
    files = dict(MINIMAL_REPO)
    prompt = MINIMAL_REPO["prompts/greet.yaml"]
    case = MINIMAL_REPO["evals/greet.yaml"]
    for i in range(300):
        files[f"prompts/team/p{i}-renamed.yaml"] = prompt
        files[f"evals/team/p{i}.yaml"] = case.replace("prompt: greet", f"prompt: team/p{i}")
    init_repo(tmp_path / "repo", files)
    built: list[int] = []

    class Counting(Suggester):
        def __init__(self, candidates: Iterable[str]) -> None:
            super().__init__(candidates)
            built.append(len(self))

    monkeypatch.setattr(crosscheck, "Suggester", Counting)
    loaded = load_repository(tmp_path / "repo", cache=False)
    unknown = [d for d in loaded.errors if d.code == "unknown-prompt"]
    assert len(unknown) == 300
    assert unknown[0].message == ("unknown prompt 'team/p0'; did you mean 'team/p0-renamed'?")
    assert built == [301]

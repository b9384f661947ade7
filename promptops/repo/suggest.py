"""Typo suggestions ("did you mean ...?") for names, keys and ids.

The answer is difflib's: the candidate with the highest ``SequenceMatcher.ratio()`` at or
above 0.6, ties going to the larger string (``get_close_matches(word, candidates, n=1)``).
Scoring every candidate costs O(N) per question, so a repository with N prompts and an error
in every eighth one paid O(N^2) (368 s at 50,000 prompts). ``Suggester`` is built once per
candidate set: small sets are scored whole (the exact difflib answer), large ones through an
index of character trigrams that shortlists the candidates sharing the word's rarest
trigrams, and only the shortlist is scored, with difflib's own bounds pruning it further.
The work per question is bounded (``POSTINGS_BUDGET`` index entries, ``SHORTLIST`` scored
candidates) whatever N is; ``work`` counts it so a test can hold it linear.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable

__all__ = ["Suggester", "did_you_mean"]

CUTOFF = 0.6
# Up to this many candidates every one is scored: exactly difflib's answer.
EXACT_MAX = 200
# Index entries a question may visit (rarest trigrams first) and candidates it may score.
POSTINGS_BUDGET = 128
SHORTLIST = 8
NEIGHBOURS = 3


def _grams(word: str) -> set[str]:
    padded = f"\x02{word}\x03"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Suggester:
    """The closest candidate to a word, from a candidate set indexed once."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._names = list(dict.fromkeys(candidates))
        self._postings: dict[str, list[int]] | None = None
        self._by_prefix: list[str] = []
        self._by_suffix: list[str] = []
        self._memo: dict[str, str | None] = {}
        # Index entries visited plus candidates scored, over every question so far.
        self.work = 0

    def __len__(self) -> int:
        return len(self._names)

    def _index(self) -> dict[str, list[int]]:
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for i, name in enumerate(self._names):
                for gram in _grams(name):
                    postings.setdefault(gram, []).append(i)
            self._postings = postings
            self._by_prefix = sorted(self._names)
            self._by_suffix = sorted(name[::-1] for name in self._names)
            self.work += len(self._names)
        return self._postings

    def _shortlist(self, word: str) -> list[str]:
        postings = self._index()
        lists = sorted((postings.get(g, []) for g in _grams(word)), key=len)
        counts: dict[int, int] = {}
        seen = 0
        for plist in lists:
            if seen >= POSTINGS_BUDGET:
                break
            take = plist[: POSTINGS_BUDGET - seen]
            seen += len(take)
            for i in take:
                counts[i] = counts.get(i, 0) + 1
        # Most shared rare trigrams first; among equals, the closest length (ratio's
        # denominator), then the name itself so the order never depends on hashing.
        size, names = len(word), self._names
        ranked = sorted(counts, key=lambda i: (-counts[i], abs(len(names[i]) - size), names[i]))
        out = [names[i] for i in ranked[:SHORTLIST]]
        # Rare trigrams find a distinctive part (a number, a rare word); the sorted
        # neighbours find the longest shared beginnings and endings (a renamed or moved id).
        at = bisect.bisect_left(self._by_prefix, word)
        out += self._by_prefix[max(0, at - NEIGHBOURS) : at + NEIGHBOURS]
        back = word[::-1]
        at = bisect.bisect_left(self._by_suffix, back)
        out += [n[::-1] for n in self._by_suffix[max(0, at - NEIGHBOURS) : at + NEIGHBOURS]]
        self.work += seen + len(counts)
        return list(dict.fromkeys(out))

    def best(self, word: str) -> str | None:
        """The closest candidate at or above the cutoff, or None."""
        if word in self._memo:
            return self._memo[word]
        pool = self._names if len(self._names) <= EXACT_MAX else self._shortlist(word)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for name in pool:
            self.work += 1
            matcher.set_seq1(name)
            # difflib's own upper bounds, cheapest first; a candidate that cannot beat the
            # best so far (score, then the larger string) is never fully scored.
            if matcher.real_quick_ratio() < CUTOFF:
                continue
            quick = matcher.quick_ratio()
            if quick < CUTOFF or (best is not None and (quick, name) <= best):
                continue
            score = matcher.ratio()
            if score >= CUTOFF and (best is None or (score, name) > best):
                best = (score, name)
        found = best[1] if best is not None else None
        self._memo[word] = found
        return found

    def hint(self, word: str) -> str:
        """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
        found = self.best(word)
        return f"; did you mean '{found}'?" if found is not None else ""


def did_you_mean(word: str, candidates: Iterable[str] | Suggester) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close.

    Pass a ``Suggester`` where many words are looked up in one large set: building it per
    call would cost O(N) each time.
    """
    if isinstance(candidates, Suggester):
        return candidates.hint(word)
    return Suggester(candidates).hint(word)

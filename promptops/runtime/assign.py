"""Assignment: which arm of a split a request gets (ADR 0018).

A canary pointer splits a channel between two releases; an experiment splits a prompt
between its variants. Both assign the same way: the SHA-256 of (signed salt, key), read as
a number, picks a bucket out of 10,000, and the arms own consecutive ranges of buckets.
The same key always lands in the same bucket for a given salt (sticky, on every machine,
with no I/O and no randomness), raising a weight only adds buckets to an arm (a user in a
10% canary stays in it at 50%), and two salts assign independently (a canary and an
experiment do not correlate). Without a key, each request is its own unit: a per-split
counter is hashed instead (as 0xff and 8 bytes, which no UTF-8 key spells).

Pure functions of their arguments; the hash is CPython's built-in SHA-256 (``hashlib``
would load a second libcrypto on the cold start, see ``runtime/digest.py``).
"""

import itertools
from bisect import bisect_right
from collections.abc import Sequence
from typing import Generic, TypeVar

try:  # CPython 3.12+
    from _sha2 import sha256  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - CPython 3.11, or another implementation
    try:
        from _sha256 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment, unused-ignore]

from promptops.errors import UsageError

__all__ = ["BUCKETS", "Key", "Split", "bucket", "thresholds"]

BUCKETS = 10_000  # basis points: weights are whole buckets
_SPAN = 1 << 64
Key = str | int


def bucket(salt: bytes, key: str) -> int:
    """The bucket (0 to 9,999) of ``key`` under ``salt``: the first 8 bytes of
    ``sha256(salt + b"\\0" + key as UTF-8)`` as a big-endian number, scaled to 10,000."""
    digest = sha256(salt + b"\0" + key.encode()).digest()
    # Scaled, not reduced modulo: every bucket gets 2**64 / 10,000 numbers, give or take one.
    return int.from_bytes(digest[:8], "big") * BUCKETS // _SPAN


def thresholds(weights: Sequence[int]) -> tuple[int, ...]:
    """The exclusive upper bucket of each arm: weights ``(9000, 1000)`` give
    ``(9000, 10000)``.

    Raises:
        UsageError: if the weights are not positive or do not sum to 10,000.
    """
    if any(w <= 0 for w in weights) or sum(weights) != BUCKETS:
        raise UsageError(f"arm weights must be positive and sum to {BUCKETS}, not {weights}")
    return tuple(itertools.accumulate(weights))


def _key_text(key: Key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise UsageError(f"an assignment key is a str or an int, not {type(key).__name__}")


T = TypeVar("T")


class Split(Generic[T]):
    """Arms (any objects) with their bucket ranges under one salt; :meth:`choose` picks.

    ``choose`` runs on every request where there is a choice, so it never computes the
    bucket number: ``bucket < limit`` holds exactly when the digest's first 8 bytes, as a
    number, are below ``ceil(limit * 2**64 / 10,000)``, and comparing the digest with that
    bound as bytes (big-endian, so lexicographic order is numeric order) is one C call.
    A two-arm split compares once; more arms bisect their bounds.
    """

    __slots__ = ("_anon", "_arms", "_bound", "_bounds", "_counter", "_first", "_last",
                 "_prefix", "salt")  # fmt: skip

    def __init__(self, salt: bytes, arms: Sequence[T], weights: Sequence[int]) -> None:
        """
        Raises:
            UsageError: if the weights are not positive, do not sum to 10,000, or do not
                match the arms one to one.
        """
        if len(arms) != len(weights) or len(arms) < 2:
            raise UsageError("a split needs two or more arms, each with a weight")
        self.salt = salt
        self._prefix = salt + b"\0"
        self._anon = self._prefix + b"\xff"
        # Every limit but the last (10,000, above any digest): the 8-byte bound, padded to
        # a whole digest with zeros (a digest is below it exactly when its first 8 bytes are).
        self._bounds = tuple(
            (-(-limit * _SPAN // BUCKETS)).to_bytes(8, "big") + bytes(24)
            for limit in thresholds(weights)[:-1]
        )
        self._arms = tuple(arms)
        self._first, self._last, self._bound = arms[0], arms[-1], self._bounds[0]
        self._counter = itertools.count()

    def index(self, key: Key | None) -> int:
        """The arm number ``key`` gets (``None``: the next request's own).

        Raises:
            UsageError: if the key is neither a str nor an int.
        """
        return bisect_right(self._bounds, self._digest(key))

    def choose(self, key: Key | None) -> T:
        """The arm ``key`` gets; ``None``: this request is its own unit.

        Raises:
            UsageError: if the key is neither a str nor an int.
        """
        if len(self._arms) == 2:  # a canary, an A/B test: one comparison
            return self._first if self._digest(key) < self._bound else self._last
        return self._arms[bisect_right(self._bounds, self._digest(key))]

    def _digest(self, key: Key | None) -> bytes:
        # :func:`bucket`'s hash with the salt's prefix kept.
        if key.__class__ is str:
            data = self._prefix + key.encode()
        elif key is None:
            # Per request: the counter's 8 bytes after a 0xff, which no UTF-8 key has, so
            # an anonymous request never shares a keyed one's bucket by construction.
            data = self._anon + next(self._counter).to_bytes(8, "big")
        else:
            data = self._prefix + _key_text(key).encode()
        return sha256(data).digest()  # type: ignore[no-any-return]

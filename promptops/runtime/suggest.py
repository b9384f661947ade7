""" "Did you mean" for an unknown prompt id, at a bounded cost.

An application may pass ids it did not write (a route parameter, a header): the error path
must not score every id of a 50,000-prompt release, nor run difflib over a megabyte-long
word, per call. Up to :data:`WHOLE` ids are all scored (the answer difflib gives); beyond,
only the ids sorted nearest to the word are, which finds a typo after the first characters.
Standard library only, imported on the error path alone.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence

__all__ = ["MAX_WORD", "NEAR", "WHOLE", "close_id", "hint"]

WHOLE = 2_000  # ids scored whole, as before
NEAR = 200  # ids scored on each side of the word's place in a larger sorted set
MAX_WORD = 200  # longer than any id a bundle holds by far: no suggestion


def close_id(word: str, ids: Sequence[str]) -> str | None:
    """The id of ``ids`` (sorted) most like ``word``, or None."""
    if len(word) > MAX_WORD:
        return None
    candidates = ids
    if len(ids) > WHOLE:
        at = bisect.bisect_left(ids, word)
        candidates = ids[max(0, at - NEAR) : at + NEAR]
    found = difflib.get_close_matches(word, candidates, n=1)
    return found[0] if found else None


def hint(word: str, ids: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` or ``""``."""
    found = close_id(word, ids)
    return f"; did you mean {found!r}?" if found else ""

"""Write a bundle (ADR 0002) from prompt bodies in sorted id order, streaming.

The layout puts the index (every prompt's offset, length and digest) before the prompts,
so the lengths and digests are given first and the bodies are fetched one by one as they
are written: a 50,000-prompt bundle (77 MB) never sits in memory twice, nor even once when
it goes to a file. The bytes equal ``_format.assemble`` of the same prompts (a test holds
the two to one result).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO

from promptops.compile._format import HEADER, PROMPTS_SEP, SOURCE_SEP, IndexEntry, key_bytes
from promptops.compile._format import canonical as _canonical

__all__ = ["Entry", "TooLarge", "write_bundle"]

# (prompt id, body length, sha256 hex of the body); bodies come from ``body(i)``.
Entry = tuple[str, int, str]


class TooLarge(Exception):
    """The bundle would be larger than allowed; nothing was written."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def write_bundle(
    sink: BinaryIO,
    entries: list[Entry],
    body: Callable[[int], Iterable[bytes | memoryview]],
    source: Mapping[str, Any],
    max_size: int | None = None,
) -> tuple[str, int, dict[str, IndexEntry], int]:
    """Write the bundle of ``entries`` (sorted by id) to ``sink``; ``body(i)`` yields the
    canonical bytes of entry ``i``, in pieces if it likes.

    Returns:
        (sha256 hex of everything written, its size, the index, the absolute offset of the
        prompts object's ``{``, which the index's offsets count from).

    Raises:
        TooLarge: the bundle would exceed ``max_size`` bytes (known before writing a byte).
    """
    index: dict[str, IndexEntry] = {}
    index_parts: list[bytes] = []
    keys: list[bytes] = []
    offset = 1  # past the "{" of the prompts object
    for n, (prompt_id, length, digest) in enumerate(entries):
        key = key_bytes(prompt_id)
        keys.append(key)
        if n:
            offset += 1  # the "," before every member but the first
        offset += len(key) + 1
        index[prompt_id] = (offset, length, digest)
        index_parts.append(b'%b:[%d,%d,"%b"]' % (key, offset, length, digest.encode()))
        offset += length
    head = HEADER + b"{" + b",".join(index_parts) + b"}" + PROMPTS_SEP + b"{"
    base = len(head) - 1
    tail = b"}" + SOURCE_SEP + _canonical(dict(source)) + b"}"
    if max_size is not None:
        # The prompts object: every key, ":" and body, a "," between members.
        total = len(head) + offset - 1 + len(tail)
        if total > max_size:
            raise TooLarge(total)
    digest_all = hashlib.sha256()
    size = 0
    pending: list[bytes | memoryview] = []
    held = 0

    def flush() -> None:
        nonlocal size, held
        block = b"".join(pending)
        sink.write(block)
        digest_all.update(block)
        size += len(block)
        pending.clear()
        held = 0

    # Written in blocks of about 1 MB: one write and one hash update per block, not per piece.
    pending.append(head)
    del index_parts, head
    for n, key in enumerate(keys):
        pending.append(b"," + key + b":" if n else key + b":")
        for chunk in body(n):
            pending.append(chunk)
            held += len(chunk)
        if held >= 1 << 20:
            flush()
    pending.append(tail)
    flush()
    return digest_all.hexdigest(), size, index, base

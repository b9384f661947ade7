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

__all__ = ["Entry", "write_bundle"]

# (prompt id, body length, sha256 hex of the body); bodies come from ``body(i)``.
Entry = tuple[str, int, str]


def write_bundle(
    sink: BinaryIO,
    entries: list[Entry],
    body: Callable[[int], Iterable[bytes]],
    source: Mapping[str, Any],
) -> tuple[str, int, dict[str, IndexEntry]]:
    """Write the bundle of ``entries`` (sorted by id) to ``sink``; ``body(i)`` yields the
    canonical bytes of entry ``i``, in pieces if it likes.

    Returns:
        (sha256 hex of everything written, its size, the index).
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
    digest_all = hashlib.sha256()
    size = 0

    def put(chunk: bytes) -> None:
        nonlocal size
        sink.write(chunk)
        digest_all.update(chunk)
        size += len(chunk)

    put(HEADER + b"{" + b",".join(index_parts) + b"}" + PROMPTS_SEP + b"{")
    del index_parts
    for n, key in enumerate(keys):
        put(b"," + key + b":" if n else key + b":")
        for chunk in body(n):
            put(chunk)
    put(b"}" + SOURCE_SEP + _canonical(dict(source)) + b"}")
    return digest_all.hexdigest(), size, index

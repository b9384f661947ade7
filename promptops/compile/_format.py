"""The ``bundle.json`` byte layout of ADR 0002: assembling it and reading its index.

Standard library only: the runtime reads the same layout, and both sides must agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from promptops.errors import BundleError

__all__ = [
    "FORMAT",
    "HEADER",
    "PROMPTS_SEP",
    "SOURCE_SEP",
    "IndexEntry",
    "assemble",
    "canonical",
    "key_bytes",
    "locate_index",
    "read_index",
]

FORMAT = "promptops.bundle/v1"
HEADER = b'{"format":"promptops.bundle/v1","index":'
PROMPTS_SEP = b',"prompts":'
SOURCE_SEP = b',"source":'

IndexEntry = tuple[int, int, str]

_NEEDS_ESCAPE = frozenset('"\\')


def canonical(value: Any) -> bytes:
    # Same options as promptops.canonical.canonical_bytes (kept local: this module is
    # the layout, and a test asserts the two produce identical bytes).
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def key_bytes(prompt_id: str) -> bytes:
    # Ids are plain ASCII (ADR 0001), which JSON writes verbatim; anything else goes through
    # the encoder so the bytes stay canonical whatever the caller passes.
    if prompt_id.isascii() and prompt_id.isprintable() and not _NEEDS_ESCAPE & set(prompt_id):
        return b'"' + prompt_id.encode("ascii") + b'"'
    return canonical(prompt_id)


def assemble(
    prompts: Iterable[tuple[str, bytes, str]], source: Mapping[str, Any]
) -> tuple[bytes, dict[str, IndexEntry]]:
    """Concatenate already-canonical prompt bytes into a canonical bundle.

    ``prompts`` holds ``(id, canonical bytes, sha256hex of those bytes)``. The result equals
    ``canonical_bytes`` of the whole parsed object; concatenating cached slices keeps a
    rebuild linear and cheap instead of re-serialising 10,000 prompts.

    Returns:
        The bundle bytes and the index (id -> (offset, length, sha256hex)).
    """
    import io

    from promptops.compile.writer import write_bundle

    # Canonical JSON sorts object keys by code point; sorted() on str does the same.
    items = sorted(prompts, key=lambda item: item[0])
    sink = io.BytesIO()
    _, _, index, _ = write_bundle(
        sink,
        [(pid, len(body), digest) for pid, body, digest in items],
        lambda n: (items[n][1],),
        source,
    )
    return sink.getvalue(), index


def locate_index(data: bytes) -> tuple[dict[str, IndexEntry], int]:
    """Parse the index as the runtime does (ADR 0002) without touching the prompts.

    Returns:
        The index and the absolute byte offset of the ``prompts`` value's ``{``.

    Raises:
        BundleError: if the header, the index or the separator after it is malformed.
    """
    if not data.startswith(HEADER):
        raise BundleError(
            f"not a promptops bundle: expected the file to start with {HEADER.decode()!r}"
        )
    try:
        # The index is ASCII (ids are ASCII), so decoding a prefix cannot split a character;
        # decode lazily up to the separator rather than the whole file.
        end = data.find(PROMPTS_SEP, len(HEADER))
        if end < 0:
            raise ValueError("no prompts separator")
        raw, consumed = json.JSONDecoder().raw_decode(data[len(HEADER) : end].decode("ascii"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"bundle index is not valid JSON: {exc}") from exc
    if len(HEADER) + consumed != end:
        raise BundleError(f"bundle index must be followed by {PROMPTS_SEP.decode()!r}")
    if not isinstance(raw, dict):
        raise BundleError("bundle index must be a JSON object")
    index: dict[str, IndexEntry] = {}
    for prompt_id, entry in raw.items():
        if not (
            isinstance(entry, list)
            and len(entry) == 3
            and all(type(x) is int and x >= 0 for x in entry[:2])
            and isinstance(entry[2], str)
            and len(entry[2]) == 64
        ):
            raise BundleError(
                f"bundle index entry for {prompt_id!r} must be [offset, length, sha256hex]"
            )
        index[prompt_id] = (entry[0], entry[1], entry[2])
    return index, end + len(PROMPTS_SEP)


def read_index(data: bytes) -> dict[str, IndexEntry]:
    """The bundle's index: prompt id -> (offset, length, sha256hex), offsets relative to the
    first byte of the ``prompts`` value.

    Raises:
        BundleError: if the bundle does not start with the ADR 0002 header and index.
    """
    return locate_index(data)[0]

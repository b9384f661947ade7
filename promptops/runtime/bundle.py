"""Read a ``bundle.json`` (ADR 0002) without parsing the prompts nobody asks for.

Trusted core, no I/O: the caller has already checked the whole file's sha256 against the
signed manifest. Nothing is decoded up front but the small ``source`` object: a served
prompt's index entry is found with one byte search in the index (``{"id":[`` or
``,"id":[`` can only be a key there), its slice hashed against the index digest and, when
the release's signed per-prompt digests are given, against those too, then parsed. So
opening a 10,000-prompt bundle costs what opening a 10-prompt one does, plus the hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from promptops.errors import BundleError
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.jsonparse import parse_json

__all__ = ["BUNDLE_FORMAT", "Bundle"]

BUNDLE_FORMAT = "promptops.bundle/v1"
_HEAD = b'{"format":"promptops.bundle/v1","index":'
_PROMPTS = b',"prompts":'
_ENTRY = re.compile(rb'\[(\d{1,15}),(\d{1,15}),"([0-9a-f]{64})"\]')


class Bundle:
    """A verified bundle's bytes; index entries and prompts are decoded on demand."""

    __slots__ = ("_data", "_head", "_index", "_index_end", "_prompts_at", "_signed", "_source")

    def __init__(
        self, data: Blob, index_end: int, signed: Mapping[str, str] | None, source: Any
    ) -> None:
        self._data = data
        # Where the index lives in memory: the data itself, or a cached file's head.
        self._head: bytes = data if isinstance(data, bytes) else data.head
        self._index_end = index_end  # offset just past the index's closing "}"
        self._prompts_at = index_end + len(_PROMPTS)
        self._signed = signed
        self._source = source
        self._index: dict[str, Any] | None = None

    @classmethod
    def parse(
        cls, data: Blob, *, max_prompts: int, signed: Mapping[str, str] | None = None
    ) -> Bundle:
        """Check the header and locate the index of ``data``.

        ``signed`` is the release manifest's per-prompt digests: every prompt loaded must
        match it, and its ids are the bundle's ids. Without it (an unsigned preview) the
        index is decoded in full.

        Raises:
            BundleError: if the file does not follow ADR 0002 or lists too many prompts.
        """
        if not _at(data, 0, _HEAD):
            raise BundleError(
                f"bundle: expected the file to start with {_HEAD.decode()!r}, "
                f"found {data[: len(_HEAD)]!r}; rebuild it with this promptops version"
            )
        # An index ends with "]}" (or is "{}"), which no index entry can contain, so this
        # finds its end even if a prompt is itself called "prompts".
        if _at(data, len(_HEAD), b"{}" + _PROMPTS):
            index_end = len(_HEAD) + 2
        else:
            index_end = data.find(b"]}" + _PROMPTS, len(_HEAD)) + 2
            if index_end < 2:
                raise BundleError("bundle: expected ',\"prompts\":' right after the index")
        count = len(signed) if signed is not None else None
        bundle = cls(data, index_end, signed, _parse_source(data))
        if count is None:
            count = len(bundle._full_index())
        if count > max_prompts:
            raise BundleError(
                f"bundle: {count} prompts exceeds the limit of {max_prompts} (max_prompts)"
            )
        return bundle

    def _full_index(self) -> dict[str, Any]:
        if self._index is None:
            text = self._data[len(_HEAD) : self._index_end]
            index = parse_json(text, where="bundle: the index", max_bytes=len(text))
            if not isinstance(index, dict):
                raise BundleError("bundle: the index is not a JSON object")
            self._index = index
        return self._index

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id in the bundle, sorted."""
        return tuple(self._signed if self._signed is not None else self._full_index())

    @property
    def source(self) -> Any:
        """``{"commit", "tree", "dirty"}`` of the build."""
        return self._source

    def __contains__(self, prompt_id: object) -> bool:
        if self._signed is not None:
            return prompt_id in self._signed
        return prompt_id in self._full_index()

    def _entry(self, prompt_id: str) -> tuple[int, int, str]:
        key = json.dumps(prompt_id, ensure_ascii=False).encode("utf-8") + b":"
        data, start = self._data, len(_HEAD)
        if _at(data, start, b"{" + key):
            at = start + 1 + len(key)
        else:
            found = data.find(b"," + key, start, self._index_end)
            if found < 0:
                raise KeyError(prompt_id)
            at = found + 1 + len(key)
        m = _ENTRY.match(self._head, at)
        if m is None:
            raise BundleError(f"bundle: index entry for {prompt_id!r} is malformed")
        offset, length = int(m.group(1)), int(m.group(2))
        if self._prompts_at + offset + length > len(data):
            raise BundleError(f"bundle: index entry for {prompt_id!r} points past the end")
        return offset, length, m.group(3).decode("ascii")

    def digest(self, prompt_id: str) -> str:
        """The prompt's sha256 as listed in the index.

        Raises:
            KeyError: if the bundle has no such prompt.
            BundleError: if its index entry is malformed.
        """
        return self._entry(prompt_id)[2]

    def load(self, prompt_id: str, *, max_bytes: int) -> dict[str, Any]:
        """Slice, hash-check and parse one compiled prompt.

        Raises:
            KeyError: if the bundle has no such prompt.
            BundleError: if the slice does not hash to the index digest, the index digest
                is not the one the release signs, the prompt is too large, or not a JSON
                object.
        """
        offset, length, digest = self._entry(prompt_id)
        if self._signed is not None and self._signed.get(prompt_id) != digest:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} is indexed with sha256 {digest}, but the "
                f"release signs {self._signed.get(prompt_id)}; rebuild and re-release it"
            )
        if length > max_bytes:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} is {length} bytes, over the limit of "
                f"{max_bytes} (max_prompt_bytes)"
            )
        start = self._prompts_at + offset
        chunk = self._data[start : start + length]
        actual = sha256_hex(chunk)
        if actual != digest:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} hashes to {actual}, but the index says {digest}"
            )
        value = parse_json(chunk, where=f"bundle: prompt {prompt_id!r}", max_bytes=max_bytes)
        if not isinstance(value, dict):
            raise BundleError(f"bundle: prompt {prompt_id!r} is not a JSON object")
        return value


def _at(data: Blob, offset: int, expected: bytes) -> bool:
    # bytes.startswith(expected, offset), which a mapped file does not have
    return data[offset : offset + len(expected)] == expected


def _parse_source(data: Blob) -> Any:
    # "source" sorts last, so it sits at the end of the file; look from the back, small.
    at = data.rfind(b',"source":')
    if at < 0:
        raise BundleError("bundle: no 'source' object at the end of the file")
    tail = data[at + len(b',"source":') : -1]
    value = parse_json(tail, where="bundle: the 'source' object", max_bytes=len(tail))
    if not isinstance(value, dict) or data[-1:] != b"}":
        raise BundleError("bundle: 'source' is not a JSON object at the end of the file")
    return value

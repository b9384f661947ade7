"""Read a ``bundle.json`` (ADR 0002) without parsing the prompts nobody asks for.

Trusted core, no I/O: the caller has already checked the whole file's sha256 against the
signed manifest. Only the index is decoded up front; each prompt is sliced by its relative
offset, hashed against the index and parsed on first use, so opening a 10,000-prompt bundle
costs about what opening a 10-prompt one does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from promptops.errors import BundleError

__all__ = ["BUNDLE_FORMAT", "Bundle"]

BUNDLE_FORMAT = "promptops.bundle/v1"
_HEAD = b'{"format":"promptops.bundle/v1","index":'
_PROMPTS = b',"prompts":'
_decoder = json.JSONDecoder()


class Bundle:
    """A verified bundle's bytes plus its decoded index; prompts parse lazily."""

    __slots__ = ("_data", "_index", "_prompts_at", "_source")

    def __init__(
        self,
        data: bytes,
        index: Mapping[str, tuple[int, int, str]],
        prompts_at: int,
        source: Mapping[str, Any],
    ) -> None:
        self._data = data
        self._index = index
        self._prompts_at = prompts_at
        self._source = source

    @classmethod
    def parse(cls, data: bytes, *, max_prompts: int) -> Bundle:
        """Decode the header and index of ``data``.

        Raises:
            BundleError: if the file does not follow ADR 0002 or lists too many prompts.
        """
        if not data.startswith(_HEAD):
            raise BundleError(
                f"bundle: expected the file to start with {_HEAD.decode()!r}, "
                f"found {data[: len(_HEAD)]!r}; rebuild it with this promptops version"
            )
        # The index is ASCII by ADR 0001 (ids are ASCII), so decoding it alone is safe.
        # An index ends with "]}" (or is "{}"), which no index entry can contain, so this
        # finds its end even if a prompt is itself called "prompts".
        empty = data.startswith(b"{}" + _PROMPTS, len(_HEAD))
        try:
            stop = len(_HEAD) + 2 if empty else data.index(b"]}" + _PROMPTS, len(_HEAD)) + 2
            text = data[len(_HEAD) : stop + len(_PROMPTS)].decode("ascii")
            raw, end = _decoder.raw_decode(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"bundle: the index is not valid JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise BundleError("bundle: the index is not a JSON object")
        if text[end:] != _PROMPTS.decode():
            raise BundleError("bundle: expected ',\"prompts\":' right after the index")
        if len(raw) > max_prompts:
            raise BundleError(
                f"bundle: {len(raw)} prompts exceeds the limit of {max_prompts} (max_prompts)"
            )
        prompts_at = len(_HEAD) + end + len(_PROMPTS)
        index: dict[str, tuple[int, int, str]] = {}
        for pid, entry in raw.items():
            if (
                not isinstance(entry, list)
                or len(entry) != 3
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in entry[:2])
                or not isinstance(entry[2], str)
                or entry[0] < 0
                or entry[1] < 0
                or prompts_at + entry[0] + entry[1] > len(data)
            ):
                raise BundleError(f"bundle: index entry for {pid!r} is malformed: {entry!r}")
            index[pid] = (entry[0], entry[1], entry[2])
        return cls(data, index, prompts_at, _parse_source(data))

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id in the bundle, sorted."""
        return tuple(self._index)

    @property
    def source(self) -> Mapping[str, Any]:
        """``{"commit", "tree", "dirty"}`` of the build."""
        return self._source

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self._index

    def digest(self, prompt_id: str) -> str:
        """The prompt's sha256 as listed in the index.

        Raises:
            KeyError: if the bundle has no such prompt.
        """
        return self._index[prompt_id][2]

    def load(self, prompt_id: str, *, max_bytes: int) -> dict[str, Any]:
        """Slice, hash-check and parse one compiled prompt.

        Raises:
            KeyError: if the bundle has no such prompt.
            BundleError: if the slice does not hash to the index digest, is too large, or
                is not a JSON object.
        """
        offset, length, digest = self._index[prompt_id]
        if length > max_bytes:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} is {length} bytes, over the limit of "
                f"{max_bytes} (max_prompt_bytes)"
            )
        start = self._prompts_at + offset
        chunk = self._data[start : start + length]
        actual = hashlib.sha256(chunk).hexdigest()
        if actual != digest:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} hashes to {actual}, but the index says {digest}"
            )
        try:
            value = json.loads(chunk)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"bundle: prompt {prompt_id!r} is not valid JSON ({exc})") from exc
        if not isinstance(value, dict):
            raise BundleError(f"bundle: prompt {prompt_id!r} is not a JSON object")
        return value


def _parse_source(data: bytes) -> Mapping[str, Any]:
    # "source" sorts last, so it sits at the end of the file; look from the back, small.
    at = data.rfind(b',"source":')
    if at < 0:
        raise BundleError("bundle: no 'source' object at the end of the file")
    try:
        value = json.loads(data[at + len(b',"source":') : -1])
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"bundle: the 'source' object is not valid JSON ({exc})") from exc
    if not isinstance(value, dict) or not data.endswith(b"}"):
        raise BundleError("bundle: 'source' is not a JSON object at the end of the file")
    return value

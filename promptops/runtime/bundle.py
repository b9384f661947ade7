"""Read a ``bundle.json`` (ADR 0002) without reading the prompts nobody asks for.

Trusted core, no I/O of its own: the bytes are a fetched bundle already checked whole
against the signed manifest, or a cached file read where needed. Either way every
prompt served is authenticated when first loaded: with a ``release/v2`` manifest its
index page (found by bisecting the signed page table) is hashed against the page's signed
digest, then the prompt's bytes against the digest their entry holds (ADR 0019); with a
``release/v1`` manifest the entry's digest must equal the one the manifest signs for that
id. So opening a 50,000-prompt bundle costs what opening a 10-prompt one does.

A cached file that fails one of these checks (bit rot, a truncation, an edit) is replaced
once through ``repair``: the loader fetches the release's bundle again, verifies it whole,
stores it and hands it back; the prompt is then served from those bytes, never from the
damaged ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from promptops.errors import BundleError, PromptopsError
from promptops.runtime.digest import Blob, sha256_hex
from promptops.runtime.jsonparse import parse_json
from promptops.runtime.pages import (
    BUNDLE_HEAD,
    PROMPTS_KEY,
    PageTable,
    find_entry,
    page_ids,
)

__all__ = ["BUNDLE_FORMAT", "Bundle", "Repair"]

BUNDLE_FORMAT = "promptops.bundle/v1"
_HEAD = BUNDLE_HEAD
_PROMPTS = PROMPTS_KEY

Signed = PageTable | Mapping[str, str]
Repair = Callable[[], Blob]


class Bundle:
    """A bundle's bytes; index entries and prompts are decoded (and checked) on demand."""

    __slots__ = (
        "_data", "_ids", "_index", "_index_end", "_lock", "_pages", "_repair", "_repair_failed",
        "_signed",
    )  # fmt: skip

    def __init__(
        self, data: Blob, index_end: int, signed: Signed | None, repair: Repair | None
    ) -> None:
        self._data = data
        self._index_end = index_end  # offset just past the index's closing "}"
        self._signed = signed
        self._repair = repair
        self._repair_failed = ""  # why the one repair failed, said with every later failure
        self._pages: dict[int, bytes] = {}  # index pages checked against their signed digest
        self._index: dict[str, Any] | None = None
        self._ids: tuple[str, ...] | None = None  # every id, once all pages were checked
        self._lock = threading.Lock()

    @classmethod
    def parse(
        cls,
        data: Blob,
        *,
        max_prompts: int,
        signed: Signed | None = None,
        repair: Repair | None = None,
    ) -> Bundle:
        """Check the header and locate the index of ``data``.

        ``signed``: what the release manifest signs for the prompts (a page table, or a
        digest per id); every prompt loaded is checked against it. Without it (an unsigned
        preview) the index is decoded in full. ``repair``: returns the bundle's bytes
        fetched again and verified whole, for a cached file found damaged.

        Raises:
            BundleError: if the file does not follow ADR 0002 or lists too many prompts.
        """
        if data[: len(_HEAD)] != _HEAD:
            raise BundleError(
                f"bundle: expected the file to start with {_HEAD.decode()!r}, "
                f"found {data[: len(_HEAD)]!r}; rebuild it with this promptops version"
            )
        if isinstance(signed, PageTable):
            # The signed page table fixes where the index ends: nothing else is read.
            index_end = len(_HEAD) + signed.index_size
            count = signed.prompt_count
        else:
            data = data if isinstance(data, bytes) else bytes(data)  # a v1 release: whole
            index_end = _index_end(data)
            count = len(signed) if signed is not None else -1
        bundle = cls(data, index_end, signed, repair)
        if count < 0:
            count = len(bundle._full_index())
        if count > max_prompts:
            raise BundleError(
                f"bundle: {count} prompts exceeds the limit of {max_prompts} (max_prompts)"
            )
        return bundle

    # -- the index ------------------------------------------------------------------
    def _full_index(self) -> dict[str, Any]:
        if self._index is None:
            text = bytes(self._data[len(_HEAD) : self._index_end])
            index = parse_json(text, where="bundle: the index", max_bytes=len(text))
            if not isinstance(index, dict):
                raise BundleError("bundle: the index is not a JSON object")
            self._index = index
        return self._index

    def _page(self, table: PageTable, at: int) -> bytes:
        page = self._pages.get(at)
        if page is None:
            start = len(_HEAD) + table.starts[at]
            page = self._data[start : start + table.lengths[at]]
            if sha256_hex(page) != table.digests[at]:
                raise BundleError(
                    f"bundle: index page {at} (from {table.firsts[at]!r}) does not hash to "
                    "the digest the release signs"
                )
            self._pages[at] = page
        return page

    def _entry(self, prompt_id: str) -> tuple[int, int, str] | None:
        signed = self._signed
        if isinstance(signed, PageTable):
            at = signed.page_of(prompt_id)
            return None if at is None else find_entry(self._page(signed, at), prompt_id)
        if signed is not None and prompt_id not in signed:
            return None
        data = self._data
        assert isinstance(data, bytes)  # only page-table bundles stay in a file
        # The entries of the whole index, past its "{" and before its "}", as one page.
        return find_entry(data, prompt_id, len(_HEAD) + 1, self._index_end - 1)

    def _checked(self, prompt_id: str, body: bool, max_bytes: int = 0) -> Any:
        """The entry (and with ``body`` the prompt's bytes), checked; a cached file that
        fails a check is repaired once and read again."""
        data = self._data
        try:
            return self._read_checked(prompt_id, body, max_bytes)
        except BundleError as exc:
            if not self._swap_in_repaired(exc, data):
                raise
        return self._read_checked(prompt_id, body, max_bytes)

    def _read_checked(self, prompt_id: str, body: bool, max_bytes: int) -> Any:
        entry = self._entry(prompt_id)
        if entry is None or not body:
            return entry
        offset, length, digest = entry
        signed = self._signed
        if signed is not None and not isinstance(signed, PageTable) and signed[prompt_id] != digest:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} is indexed with sha256 {digest}, but the "
                f"release signs {signed[prompt_id]}; rebuild and re-release it"
            )
        if length > max_bytes:
            raise _TooLarge(
                f"bundle: prompt {prompt_id!r} is {length} bytes, over the limit of "
                f"{max_bytes} (max_prompt_bytes)"
            )
        start = self._index_end + len(_PROMPTS) + offset
        chunk = self._data[start : start + length]
        actual = sha256_hex(chunk)
        if actual != digest:
            raise BundleError(
                f"bundle: prompt {prompt_id!r} hashes to {actual}, but the index says {digest}"
            )
        return entry, chunk

    def _swap_in_repaired(self, exc: BundleError, failed: Blob) -> bool:
        """Replace the bytes that failed a check (``failed``) with repaired ones; whether
        reading again can help."""
        if isinstance(exc, _TooLarge):
            return False
        with self._lock:
            if self._data is not failed:
                return True  # another thread repaired them meanwhile
            repair, self._repair = self._repair, None
            if repair is None:
                if self._repair_failed:
                    raise BundleError(f"{exc} ({self._repair_failed})") from None
                return False
            try:
                data = repair()
            except PromptopsError as again:
                self._repair_failed = (
                    f"the cached copy of the bundle is damaged; fetching it again failed: {again}"
                )
                raise BundleError(f"{exc} ({self._repair_failed})") from None
            self._pages = {}
            if not isinstance(self._signed, PageTable):  # found by a search, not signed
                data = data if isinstance(data, bytes) else bytes(data)
                self._index_end = _index_end(data)
            self._data = data
        return True

    # -- public ---------------------------------------------------------------------
    @property
    def source(self) -> Any:
        """The build's ``{"commit", "tree", "dirty"}`` object, for an unsigned preview.

        Not authenticated in a cached bundle (only the prompts are checked there, ADR
        0019): a signed release's commit and tree are the manifest's, never this.

        Raises:
            BundleError: if the bundle does not end with a ``source`` object.
        """
        return _parse_source(self._data)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id in the bundle, sorted.

        Raises:
            BundleError: if an index page does not hash to its signed digest.
        """
        signed = self._signed
        if self._ids is not None:
            return self._ids
        if isinstance(signed, PageTable):
            ids: list[str] = []
            for at in range(len(signed.firsts)):
                data = self._data
                try:
                    page = self._page(signed, at)
                except BundleError as exc:
                    if not self._swap_in_repaired(exc, data):
                        raise
                    page = self._page(signed, at)
                ids.extend(page_ids(page, f"bundle: index page {at}"))
            # The pages are signed and now checked: the list cannot change (a repaired copy
            # holds the same signed pages), so an unknown id does not walk them again.
            self._ids = tuple(ids)
            return self._ids
        return tuple(signed if signed is not None else self._full_index())

    def __contains__(self, prompt_id: object) -> bool:
        if not isinstance(prompt_id, str):
            return False
        signed = self._signed
        if signed is None:
            return prompt_id in self._full_index()
        if not isinstance(signed, PageTable):
            return prompt_id in signed
        return self._checked(prompt_id, body=False) is not None

    def digest(self, prompt_id: str) -> str:
        """The prompt's sha256 as listed in the index.

        Raises:
            KeyError: if the bundle has no such prompt.
            BundleError: if its index entry is malformed or fails its check.
        """
        entry = self._checked(prompt_id, body=False)
        if entry is None:
            raise KeyError(prompt_id)
        return str(entry[2])

    def load(self, prompt_id: str, *, max_bytes: int) -> dict[str, Any]:
        """Slice, hash-check and parse one compiled prompt.

        Raises:
            KeyError: if the bundle has no such prompt.
            BundleError: if the slice does not hash to the index digest, the index does
                not match what the release signs, the prompt is too large, or not a JSON
                object.
        """
        found = self._checked(prompt_id, body=True, max_bytes=max_bytes)
        if found is None:
            raise KeyError(prompt_id)
        chunk = found[1]
        value = parse_json(chunk, where=f"bundle: prompt {prompt_id!r}", max_bytes=max_bytes)
        if not isinstance(value, dict):
            raise BundleError(f"bundle: prompt {prompt_id!r} is not a JSON object")
        return value


class _TooLarge(BundleError):
    """A limit of this application, not damage: never repaired."""


def _index_end(data: bytes) -> int:
    """The offset just past the index of ``data``, whose header was checked.

    An index ends with "]}" (or is "{}"), which no index entry can contain, so this finds
    its end even if a prompt is itself called "prompts".

    Raises:
        BundleError: if no index ends before the prompts.
    """
    if data.startswith(b"{}" + _PROMPTS, len(_HEAD)):
        return len(_HEAD) + 2
    end = data.find(b"]}" + _PROMPTS, len(_HEAD)) + 2
    if end < 2:
        raise BundleError("bundle: expected ',\"prompts\":' right after the index")
    return end


def _parse_source(data: Blob) -> Any:
    # "source" sorts last, so it sits at the end of the file (a few hundred bytes): look
    # in the last 4 KiB (one read of a cached file), then in the whole file.
    key = b',"source":'
    end = data[max(0, len(data) - 4096) :]
    at = end.rfind(key)
    if at < 0:
        end = bytes(data)
        at = end.rfind(key)
    if at < 0:
        raise BundleError("bundle: no 'source' object at the end of the file")
    tail = end[at + len(key) : -1]
    value = parse_json(tail, where="bundle: the 'source' object", max_bytes=len(tail))
    if not isinstance(value, dict) or end[-1:] != b"}":
        raise BundleError("bundle: 'source' is not a JSON object at the end of the file")
    return value

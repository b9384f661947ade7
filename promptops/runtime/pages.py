"""The page table of a bundle's index: what a release manifest (``release/v2``) signs
instead of one digest per prompt (ADR 0019).

The index of ``bundle.json`` (ADR 0002) is cut into pages of :data:`PAGE_ENTRIES`
consecutive entries; the manifest signs each page's first prompt id, byte length and
sha256, and the prompt count. A prompt is then authenticated by reading one page (found by
bisecting the first ids), checking it against its signed digest and checking the
prompt's bytes against the digest its entry holds: the work is the same for 1,000 prompts
as for 50,000, and the signed manifest grows by one short row per 256 prompts instead of
one per prompt.

Trusted core, no I/O: bytes in, checked bytes out. Standard library and ``cryptography``.
"""

import bisect
import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from promptops.errors import BundleError
from promptops.runtime._fields import HEX64
from promptops.runtime.digest import Blob, sha256_hex

__all__ = [
    "BUNDLE_HEAD",
    "PAGE_ENTRIES",
    "PROMPTS_KEY",
    "PageTable",
    "check_index_end",
    "check_pages",
    "cut_pages",
    "entry_key",
    "find_entry",
    "page_ids",
    "parse_page_table",
]

BUNDLE_HEAD = b'{"format":"promptops.bundle/v1","index":'
PROMPTS_KEY = b',"prompts":'
# 256 entries of ~100 bytes: a 25 kB page hashed per prompt served, and a 50,000-prompt
# release signs 196 rows (~20 kB) instead of 50,000 digests (~5 MB).
PAGE_ENTRIES = 256
_ENTRY = re.compile(rb'\[(\d{1,15}),(\d{1,15}),"([0-9a-f]{64})"\]')


class PageTable(NamedTuple):
    """The signed description of a bundle's index: prompt count and pages."""

    prompt_count: int  # prompts in the bundle
    firsts: tuple[str, ...]  # each page's first prompt id, ascending
    lengths: tuple[int, ...]  # each page's byte length
    digests: tuple[str, ...]  # each page's sha256 hex
    starts: tuple[int, ...]  # each page's offset from the index's opening "{"

    @property
    def index_size(self) -> int:
        """Bytes of the index object, braces included (pages are joined by commas)."""
        if not self.lengths:
            return 2
        return self.starts[-1] + self.lengths[-1] + 1

    def page_of(self, prompt_id: str) -> int | None:
        """The page that holds ``prompt_id`` if the bundle has it, else None."""
        at = bisect.bisect_right(self.firsts, prompt_id) - 1
        return at if at >= 0 else None

    def document(self) -> dict[str, Any]:
        """The predicate's ``prompts`` value (what the manifest signs)."""
        rows = [list(r) for r in zip(self.firsts, self.lengths, self.digests, strict=True)]
        return {"count": self.prompt_count, "pages": rows}


def entry_key(prompt_id: str) -> bytes:
    """``"id":`` as the canonical index writes it."""
    return json.dumps(prompt_id, ensure_ascii=False).encode("utf-8") + b":"


def _table(count: int, rows: list[tuple[str, int, str]]) -> PageTable:
    starts, at = [], 1  # past the index's "{"
    for _, length, _ in rows:
        starts.append(at)
        at += length + 1  # the comma (or the closing "}") after each page
    return PageTable(
        count,
        tuple(r[0] for r in rows),
        tuple(r[1] for r in rows),
        tuple(r[2] for r in rows),
        tuple(starts),
    )


def parse_page_table(value: Any, where: str) -> PageTable:
    """The predicate's ``prompts`` object: ``{"count": N, "pages": [[first, length,
    sha256], ...]}`` with first ids strictly ascending.

    Raises:
        BundleError: naming what is malformed.
    """
    if not isinstance(value, dict):
        raise BundleError(f"{where}: 'prompts' must be an object {{count, pages}}")
    count, pages = value.get("count"), value.get("pages")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise BundleError(f"{where}: prompts 'count' must be a non-negative integer")
    if not isinstance(pages, list) or (count == 0) != (not pages):
        raise BundleError(f"{where}: prompts 'pages' must be a list, empty only for 0 prompts")
    rows: list[tuple[str, int, str]] = []
    for row in pages:
        if not (
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], str)
            and type(row[1]) is int
            and row[1] > 0
            and isinstance(row[2], str)
            and HEX64.match(row[2])
        ):
            raise BundleError(f"{where}: a page must be [first id, length > 0, sha256 hex]")
        if rows and row[0] <= rows[-1][0]:
            raise BundleError(f"{where}: pages must be in ascending order of their first id")
        rows.append((row[0], row[1], row[2]))
    if len(rows) > count:
        raise BundleError(f"{where}: {len(rows)} pages for {count} prompts")
    return _table(count, rows)


def cut_pages(data: bytes, page_entries: int = PAGE_ENTRIES) -> PageTable:
    """The page table of the bundle ``data`` (for the release writer).

    Raises:
        BundleError: if ``data`` does not start with the canonical header and index.
    """
    if not data.startswith(BUNDLE_HEAD):
        raise BundleError("bundle: does not start with the promptops bundle header")
    base = len(BUNDLE_HEAD)
    if data.startswith(b"{}" + PROMPTS_KEY, base):
        end = base + 2
    else:  # an index ends with "]}", which no entry holds
        end = data.find(b"]}" + PROMPTS_KEY, base) + 2
    region = data[base:end]
    try:
        index = json.loads(region)
    except ValueError as exc:
        raise BundleError(f"bundle: the index is not JSON ({exc})") from None
    if not isinstance(index, dict) or data[end : end + len(PROMPTS_KEY)] != PROMPTS_KEY:
        raise BundleError("bundle: the index must be an object followed by the prompts")
    rows: list[tuple[str, int, str]] = []
    at, ids = 1, list(index)
    for first in range(0, len(ids), page_entries):
        page = ids[first : first + page_entries]
        length = sum(len(entry_key(i)) + len(json.dumps(index[i], separators=(",", ":")))
                     for i in page) + len(page) - 1  # fmt: skip
        rows.append((page[0], length, sha256_hex(region[at : at + length])))
        at += length + 1
    if at != len(region) and not (not rows and region == b"{}"):
        raise BundleError("bundle: the index is not canonical JSON; rebuild it")
    table = _table(len(ids), rows)
    check_pages(table, data)
    return table


def check_index_end(table: PageTable, data: Blob) -> int:
    """Check that the index of ``data`` ends where ``table`` says (a few bytes read);
    returns the offset just past the index.

    ``},"prompts":`` occurs nowhere in an index but at its end (inside a JSON string a
    quote is escaped), so a table that covers less or more than the whole index, such as
    one truncated before it was signed, is refused here, before any prompt is served.

    Raises:
        BundleError: if the header or the end of the index is not where it should be.
    """
    base = len(BUNDLE_HEAD)
    if data[: base + 1] != BUNDLE_HEAD + b"{":
        raise BundleError("bundle: does not start with the promptops bundle header")
    end = base + table.index_size
    if data[end - 1 : end + len(PROMPTS_KEY)] != b"}" + PROMPTS_KEY:
        raise BundleError(
            "bundle: its index is not the size the release signs (pointer and release do not "
            "belong together, or the manifest was signed over another bundle)"
        )
    return end


def check_pages(table: PageTable, data: Blob) -> int:
    """Check that ``table`` describes the index of the whole bundle ``data``; returns
    the offset of the ``prompts`` object. Reads the header and the index only.

    Raises:
        BundleError: naming the first page that differs.
    """
    end = check_index_end(table, data)
    base = len(BUNDLE_HEAD)
    index = data[base:end]  # one read of a file (the "{" is at 0, "}" at the end)
    for i, (first, start, length) in enumerate(
        zip(table.firsts, table.starts, table.lengths, strict=True)
    ):
        page = index[start : start + length]
        if sha256_hex(page) != table.digests[i] or not page.startswith(entry_key(first) + b"["):
            raise BundleError(
                f"bundle: index page {i} (from {first!r}) does not match the page the release signs"
            )
        after = index[start + length : start + length + 1]
        if after != (b"," if i + 1 < len(table.firsts) else b"}"):
            raise BundleError(f"bundle: index page {i} (from {first!r}) ends mid-entry")
    return end + len(PROMPTS_KEY)


def find_entry(
    page: bytes, prompt_id: str, start: int = 0, end: int | None = None
) -> tuple[int, int, str] | None:
    """``(offset, length, sha256)`` of ``prompt_id`` in a checked page (or the entries of
    a whole index, ``page[start:end]``), or None.

    A key is ``"id":[`` at the start of the page or after a comma: inside a JSON string a
    quote is always escaped, so ``,"id":[`` cannot occur anywhere but at an entry.

    Raises:
        BundleError: if the entry is malformed.
    """
    try:
        key = entry_key(prompt_id)
    except UnicodeEncodeError:
        return None  # a lone surrogate: no UTF-8 bundle holds the id
    if page.startswith(key, start):
        at = start + len(key)
    else:
        found = page.find(b"," + key, start, len(page) if end is None else end)
        if found < 0:
            return None
        at = found + 1 + len(key)
    m = _ENTRY.match(page, at)
    if m is None:
        raise BundleError(f"bundle: index entry for {prompt_id!r} is malformed")
    return int(m.group(1)), int(m.group(2)), m.group(3).decode("ascii")


def page_ids(page: bytes, where: str) -> list[str]:
    """The prompt ids of a checked page, in order."""
    from promptops.runtime.jsonparse import parse_json

    value = parse_json(b"{" + page + b"}", where=where, max_bytes=len(page) + 2)
    if not isinstance(value, Mapping):
        raise BundleError(f"{where}: not a JSON object")
    return list(value)

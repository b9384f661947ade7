"""Rebuild at the cost of the change: the previous bundle's bytes for unchanged prompts.

After each build into a directory, a small record is kept (``<git-dir>/promptops-cache/
builds/``): the bundle's sha256, a stamp of every shared input (model pins, tools,
instructions, partials, promptops and key versions) and each prompt's (path, content
digest). The next build into the same place, if that file is still the one written and the
stamp is unchanged, takes each unchanged prompt's bytes from it; the rest go through the
compile cache as usual. The result is byte-identical either way (tests compare).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from promptops.compile._format import IndexEntry

__all__ = ["Previous", "load_previous", "save_record"]

_FORMAT = "promptops-build/v2"
# Beyond these many records (one per output directory), the oldest go.
_MAX_RECORDS = 8


def _record_file(cache_dir: Path, bundle_file: Path) -> Path:
    name = hashlib.sha1(str(bundle_file.resolve()).encode()).hexdigest()[:24]
    return cache_dir / "builds" / name


@dataclass(frozen=True)
class Previous:
    """The last bundle written to a place, where its prompts can be reused."""

    data: bytes
    base: int  # absolute offset of the prompts object's "{"
    index: dict[str, IndexEntry]
    sources: dict[str, tuple[str, str]]  # id -> (path, content digest) it was built from

    def body(self, prompt_id: str) -> memoryview:
        offset, length, _ = self.index[prompt_id]
        start = self.base + offset
        return memoryview(self.data)[start : start + length]  # no copy of the bytes


def load_previous(cache_dir: Path | None, bundle_file: Path, stamp: str) -> Previous | None:
    """The bundle last written to ``bundle_file`` when it was built with shared inputs
    ``stamp`` and the file is unchanged since, else None."""
    if cache_dir is None:
        return None
    try:
        raw = marshal.loads(_record_file(cache_dir, bundle_file).read_bytes())
        fmt, path, sha, old_stamp, sources, index, base = raw
        if fmt != _FORMAT or path != str(bundle_file.resolve()) or old_stamp != stamp:
            return None
        data = bundle_file.read_bytes()
    except (OSError, EOFError, ValueError, TypeError):
        return None
    # The file is the one written (its sha256), so the index recorded with it is its index:
    # no need to parse the bundle's own.
    if hashlib.sha256(data).hexdigest() != sha:
        return None  # rewritten or edited since: nothing in it is trusted
    return Previous(data, base, index, sources)


def save_record(
    cache_dir: Path | None,
    bundle_file: Path,
    sha256: str,
    stamp: str,
    sources: Mapping[str, tuple[str, str]],
    index: Mapping[str, IndexEntry],
    base: int,
) -> None:
    """Remember what was written to ``bundle_file``: its sha256, the inputs' stamp, each
    prompt's source and the bundle's index, with ``base`` the offset of its prompts object
    (a cache: failures are ignored)."""
    if cache_dir is None:
        return
    target = _record_file(cache_dir, bundle_file)
    raw = (_FORMAT, str(bundle_file.resolve()), sha256, stamp, dict(sources), dict(index), base)
    with contextlib.suppress(OSError, ValueError):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(raw))
        os.replace(tmp, target)
        records = sorted(target.parent.iterdir(), key=lambda f: f.stat().st_mtime)
        for old in records[: max(0, len(records) - _MAX_RECORDS)]:
            old.unlink()

"""Check many files on every core: a cold 10,000-file repository is CPU-bound parsing.

Each result carries its document's validated plain data as compact bytes
(``store.encode_data``): sending 350 bytes back costs a sixth of parsing the file again,
so nothing after the check (eval cases, the compiler) parses a file a second time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from itertools import repeat
from pathlib import Path

from promptops.repo.context import CheckContext
from promptops.repo.filecheck import check_file
from promptops.repo.result import FileResult
from promptops.repo.sources import read_capped
from promptops.repo.store import Record, encode_data, encode_result

__all__ = ["Checked", "check_many"]

# Below this many files a worker pool costs more than it saves.
PARALLEL_MIN = 1_500


Item = tuple[str, bytes | None]
Names = Mapping[str, str]
# A file checked: its result encoded (``store.Record``) and its document's data encoded
# (``store.encode_data``; None when it did not load). Bytes cross the process boundary and
# stay bytes in the parent: 60,000 results as objects would hold 100 MB more.
Checked = tuple[Record, bytes | None]


def _check(
    path: str, data: bytes | None, ctx: CheckContext, root: Path | None, names: Names
) -> tuple[str | None, bytes, bytes | None]:
    if data is None and root is not None:
        data = read_capped(root / names.get(path, path), ctx.limits)
    r = check_file(path, data if data is not None else b"", ctx)
    encoded = encode_data(r.data) if r.kind is not None else None
    return r.kind, encode_result(FileResult(r.kind, None, r.diagnostics, r.facts)), encoded


def _chunk(
    items: list[Item], ctx: CheckContext, root: Path | None, names: Names
) -> list[tuple[str | None, bytes, bytes | None]]:
    return [_check(path, data, ctx, root, names) for path, data in items]


def _records(parts: list[tuple[str | None, bytes, bytes | None]]) -> list[Checked]:
    return [(Record(kind, raw), data) for kind, raw, data in parts]


def check_many(
    items: list[Item], ctx: CheckContext, root: Path | None = None, names: Names | None = None
) -> list[Checked]:
    """``check_file`` over ``items``, in worker processes when there are many. An item
    without bytes is read from ``root`` (by the worker, so reading is parallel too), under
    its real name in ``names`` (canonical path -> file name) when it has one."""
    names = names or {}
    workers = min(os.cpu_count() or 1, 8)
    # Forking a process that runs other threads can copy a lock some thread holds: only
    # single-threaded callers (the CLI, most scripts) get a pool.
    if len(items) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
        return _records(_chunk(items, ctx, root, names))
    # Imported here: a warm run never needs a pool, and these imports cost ~40 ms.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return _records(_chunk(items, ctx, root, names))
    size = max(100, len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    with pool:
        out: list[Checked] = []
        for part in pool.map(_chunk, chunks, repeat(ctx), repeat(root), repeat(names)):
            out.extend(_records(part))
    return out

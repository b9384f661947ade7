"""Compile many prompts on every core, each from its stored document (never parsed again).

A cold build of 10,000 prompts spends most of its time validating documents into models and
compiling them, one prompt at a time: forked workers share that, each building a prompt's
model from its encoded data (``repo.store``), compiling it, and sending back the canonical
bytes, its dependencies and its cache key, then dropping the model. The parent holds no
model at all, so memory stays flat as the repository grows.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from promptops.canonical import canonical_bytes
from promptops.compile.config import CompileConfig
from promptops.compile.keys import Deps, Digests, full_key
from promptops.compile.prompt import compile_prompt_object
from promptops.compile.shared import Resolver
from promptops.errors import ValidationError
from promptops.repo.store import decode_data
from promptops.repo.types import Diagnostic
from promptops.spec import Prompt

__all__ = ["PARALLEL_MIN", "Compiled", "compile_documents"]

# Below this many prompts a worker pool costs more than it saves.
PARALLEL_MIN = 400


@dataclass(frozen=True)
class Compiled:
    """One prompt compiled: its bytes and their sha256, or the diagnostics why not."""

    prompt_id: str
    body: bytes = b""
    sha256: str = ""
    deps: str = ""
    key: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class _Job:
    resolver: Resolver
    digests: Digests
    config: CompileConfig
    documents: dict[str, bytes]
    owns: dict[str, str]


# Set in the parent just before forking: the workers inherit it, nothing is pickled in.
_JOB: _Job | None = None


def _compile(job: _Job, prompt_id: str) -> Compiled:
    try:
        prompt = Prompt.model_validate(decode_data(job.documents[prompt_id]))
        deps = Deps.of(prompt)
        obj = compile_prompt_object(job.resolver, prompt_id, job.config, prompt)
    except ValidationError as exc:
        return Compiled(prompt_id, diagnostics=tuple(exc.diagnostics))
    body = canonical_bytes(obj)
    return Compiled(
        prompt_id,
        body,
        hashlib.sha256(body).hexdigest(),
        deps.encode(),
        full_key(job.digests, job.owns[prompt_id], deps),
    )


def _chunk(ids: list[str]) -> list[Compiled]:
    assert _JOB is not None
    return [_compile(_JOB, pid) for pid in ids]


def compile_documents(
    resolver: Resolver,
    digests: Digests,
    config: CompileConfig,
    documents: dict[str, bytes],
    owns: dict[str, str],
) -> Iterator[Compiled]:
    """Compile the prompts whose encoded documents are in ``documents`` (id -> bytes), in
    worker processes when there are many; results come in the order of ``documents``.

    ``resolver`` must already hold every shared object the prompts may reach (models, tools,
    instructions, partials: see ``Resolver.prefetch``), so workers never read the
    repository; ``owns`` holds each prompt's own cache key.
    """
    global _JOB
    job = _Job(resolver, digests, config, documents, owns)
    ids = list(documents)
    workers = min(os.cpu_count() or 1, 8)
    # Forking a process that runs other threads can copy a lock some thread holds: only
    # single-threaded callers get a pool.
    if len(ids) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
        yield from (_compile(job, pid) for pid in ids)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from (_compile(job, pid) for pid in ids)
        return
    size = max(50, min(500, len(ids) // (workers * 8)))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    _JOB = job
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        with pool:
            for part in pool.map(_chunk, chunks):
                yield from part
    finally:
        _JOB = None

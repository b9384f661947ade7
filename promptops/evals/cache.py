"""The response cache: identical requests are sent at most once.

Keyed by the sha256 of ``provider \n request digest \n sample``: the provider that answers
is part of the key (an echo answer must never stand in for a model's). Three layers: a
memory map; for remote providers in-flight deduplication (a second thread asking for a
key being fetched waits for the first) and files under a directory
(``<git-dir>/promptops-cache/responses/ab/<key>.json``) written atomically.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from promptops.canonical import sha256_hex
from promptops.evals.types import Response
from promptops.fsutil import atomic_write_text

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["CacheStats", "ResponseCache", "cache_key"]


def cache_key(provider: str, digest: str, sample: int) -> str:
    """The cache key of sample ``sample`` of the request ``digest`` answered by ``provider``."""
    return sha256_hex(f"{provider}\n{digest}\n{sample}".encode())


@dataclass(frozen=True)
class CacheStats:
    """``calls``: requests actually sent; ``hits``: answered from memory, disk or in-flight."""

    calls: int
    hits: int
    disk_hits: int


class ResponseCache:
    """Thread-safe; shared by every run of a session (both refs of a behaviour diff)."""

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        self._directory = directory
        self._enabled = enabled
        self._lock = threading.Lock()
        self._memory: dict[str, Response] = {}
        self._inflight: dict[str, Future[Response]] = {}
        self._calls = 0
        self._hits = 0
        self._disk_hits = 0

    @property
    def enabled(self) -> bool:
        """False for ``--no-cache``: every request is sent and its key never looked at."""
        return self._enabled

    @property
    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._calls, self._hits, self._disk_hits)

    def get(
        self, key: str, call: Callable[[], Response], *, persist: bool
    ) -> tuple[Response, bool]:
        """The response for ``key``, calling ``call`` only if no layer has it.

        Returns ``(response, from_cache)``. ``persist`` allows the disk layer (remote
        providers only: echo and replay are cheaper to recompute than to read).

        Raises:
            Exception: whatever ``call`` raises (waiting threads receive it too).
        """
        if not self._enabled:
            with self._lock:
                self._calls += 1
            return call(), False
        if not persist:
            return self._get_local(key, call)
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._hits += 1
                return cached, True
            pending = self._inflight.get(key)
            if pending is None:
                # Loaded here: echo and replay (never persisted) need no futures.
                from concurrent.futures import Future

                future: Future[Response] = Future()
                self._inflight[key] = future
            else:
                self._hits += 1
        if pending is not None:
            return pending.result(), True
        try:
            response, from_disk = self._fetch(key, call, persist)
        except BaseException as exc:
            with self._lock:
                del self._inflight[key]
            future.set_exception(exc)
            raise
        with self._lock:
            self._memory[key] = response
            del self._inflight[key]
        future.set_result(response)
        return response, from_disk

    def lookup(self, key: str) -> Response | None:
        """The response for ``key`` from memory or disk, without calling anything."""
        if not self._enabled:
            return None
        with self._lock:
            cached = self._memory.get(key)
        if cached is None:
            path = self._path(key)
            try:
                cached = None if path is None else Response.from_dict(json.loads(path.read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                return None
        with self._lock:
            if cached is not None:
                self._memory[key] = cached
                self._hits += 1
        return cached

    def store(self, key: str, response: Response) -> None:
        """Keep ``response`` for ``key`` (memory and disk), as if it had been fetched.

        Raises:
            OSError: if the disk layer cannot be written.
        """
        with self._lock:
            self._calls += 1
            if self._enabled:
                self._memory[key] = response
        path = self._path(key) if self._enabled else None
        if path is not None:
            atomic_write_text(path, json.dumps(response.to_dict(), sort_keys=True))

    def _get_local(self, key: str, call: Callable[[], Response]) -> tuple[Response, bool]:
        # Echo and replay answer in microseconds on the calling thread: a racing duplicate
        # is cheaper than the in-flight bookkeeping.
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._hits += 1
                return cached, True
            self._calls += 1
        response = call()
        with self._lock:
            self._memory[key] = response
        return response, False

    def _fetch(
        self, key: str, call: Callable[[], Response], persist: bool
    ) -> tuple[Response, bool]:
        path = self._path(key) if persist else None
        if path is not None:
            try:
                response = Response.from_dict(json.loads(path.read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                pass  # absent or damaged: fetch again and overwrite
            else:
                with self._lock:
                    self._hits += 1
                    self._disk_hits += 1
                return response, True
        with self._lock:
            self._calls += 1
        response = call()
        if path is not None:
            atomic_write_text(path, json.dumps(response.to_dict(), sort_keys=True))
        return response, False

    def _path(self, key: str) -> Path | None:
        return None if self._directory is None else self._directory / key[:2] / f"{key}.json"

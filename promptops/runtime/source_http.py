"""Read a published layout over HTTP(S) with the standard library.

Timeouts and size caps come from :class:`~promptops.runtime.config.RuntimeConfig`: each
socket operation waits at most ``http_timeout``, and the whole load at most
``fetch_deadline`` (a server that drips a byte a second cannot hold a read open, so the
cache fallback starts on time). Conditional requests: the ETag of a response whose bytes
verified is remembered in the cache (by the loader, after verification), sent back as
``If-None-Match``, and a 304 is answered from the cached blob, which is hash-checked on read
like any other.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from promptops.errors import FetchError
from promptops.runtime.cache import Cache
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.sources import Fetched

__all__ = ["DEADLINE_SLACK", "HttpSource", "deadline_passed", "read_body", "remaining"]

_RELEASE_DIR = re.compile(r"/releases/[A-Za-z0-9][A-Za-z0-9_.-]*/?$")


_CHUNK = 1024 * 1024
# What a static host answers for a file that is not there (S3 answers 403 without list
# permission): the end of the trust chain, not an outage.
_ABSENT = (403, 404, 410)


# A socket timeout this close to the deadline was the deadline's (its timeout was set so).
DEADLINE_SLACK = 0.05


def deadline_passed(url: str) -> FetchError:
    """The error of a fetch that ran past its ``fetch_deadline``."""
    return FetchError(f"{url}: the fetch deadline passed (fetch_deadline); giving up")


def remaining(deadline: float | None, url: str) -> float | None:
    """Seconds left before ``deadline`` (``None``: no deadline).

    Raises:
        FetchError: if it has passed.
    """
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise deadline_passed(url)
    return left


def read_body(resp: http.client.HTTPResponse, limit: int, deadline: float | None = None) -> bytes:
    """At most ``limit + 1`` bytes of ``resp``'s body, so a caller can tell "too large";
    past ``deadline`` (a ``time.monotonic()`` value) a :class:`FetchError`.

    Raises:
        FetchError: if the deadline passes.
    """
    # In chunks: read(limit + 1) would allocate the whole cap (64 MB) for every response.
    # read1 returns what one recv brings, so the deadline is checked between receipts
    # (read() would keep collecting a dripping body until its size was reached).
    chunks: list[bytes] = []
    total = 0
    sock = getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)
    while total <= limit:
        left = remaining(deadline, resp.geturl())
        if left is not None and isinstance(sock, socket.socket):
            sock.settimeout(min(left, sock.gettimeout() or left))
        chunk = resp.read1(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class HttpSource:
    """A published layout (or a ``.../releases/NAME`` directory) served over HTTP(S)."""

    def __init__(self, url: str, config: RuntimeConfig, cache: Cache | None) -> None:
        self.base = url if url.endswith("/") else url + "/"
        self.config = config
        self.cache = cache

    @property
    def id(self) -> str:
        return self.base

    @property
    def is_release_dir(self) -> bool:
        # Nothing to probe cheaply over HTTP; the layout fixes the name (ADR 0003).
        return _RELEASE_DIR.search(urllib.parse.urlsplit(self.base).path) is not None

    @property
    def name(self) -> str:
        return urllib.parse.urlsplit(self.base).path.rstrip("/").rsplit("/", 1)[-1]

    def read(self, rel: str, limit: int, deadline: float | None = None) -> Fetched:
        url = urllib.parse.urljoin(self.base, rel)
        known = self.cache.etag(url) if self.cache is not None else None
        if known is not None:
            fetched = self._get(url, limit, known, deadline)
            if fetched is not None:
                return fetched
        fetched = self._get(url, limit, None, deadline)
        assert fetched is not None  # without If-None-Match there is no 304 to miss
        return fetched

    def read_optional(self, rel: str, limit: int, deadline: float | None = None) -> Fetched | None:
        try:
            return self._get(urllib.parse.urljoin(self.base, rel), limit, None, deadline, True)
        except _Absent:
            return None

    def _get(
        self,
        url: str,
        limit: int,
        known: tuple[str, str] | None,
        deadline: float | None,
        optional: bool = False,
    ) -> Fetched | None:
        headers = {"User-Agent": self.config.user_agent, "Accept-Encoding": "identity"}
        if known is not None:
            headers["If-None-Match"] = known[0]
        request = urllib.request.Request(url, headers=headers)
        left = remaining(deadline, url)
        timeout = self.config.http_timeout if left is None else min(left, self.config.http_timeout)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                data = read_body(resp, limit, deadline)
                return Fetched(data, url, etag=resp.headers.get("ETag"))
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and known is not None and self.cache is not None:
                kept = self.cache.get(known[1], limit)
                # A 304 for a blob we no longer hold (pruned, corrupt): ask again in full.
                return None if kept is None else Fetched(kept, url, known[0], not_modified=True)
            if optional and exc.code in _ABSENT:
                raise _Absent from None
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if deadline is not None and time.monotonic() >= deadline - DEADLINE_SLACK:
                raise deadline_passed(url) from None
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: cannot fetch ({reason})") from None


class _Absent(Exception):
    """The server says the file is not there."""

"""Read a published layout over HTTP(S) with the standard library.

Timeouts and size caps come from :class:`~promptops.runtime.config.RuntimeConfig`.
Conditional requests: the ETag of a response whose bytes verified is remembered in the
cache (by the loader, after verification), sent back as ``If-None-Match``, and a 304 is
answered from the cached blob, which is hash-checked on read like any other.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.parse
import urllib.request

from promptops.errors import FetchError
from promptops.runtime.cache import Cache
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.sources import Fetched

__all__ = ["HttpSource", "read_body"]

_RELEASE_DIR = re.compile(r"/releases/[A-Za-z0-9][A-Za-z0-9_.-]*/?$")


_CHUNK = 1024 * 1024


def read_body(resp: http.client.HTTPResponse, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``resp``'s body, so a caller can tell "too large"."""
    # In chunks: read(limit + 1) would allocate the whole cap (64 MB) for every response.
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = resp.read(min(_CHUNK, limit + 1 - total))
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

    def read(self, rel: str, limit: int) -> Fetched:
        url = urllib.parse.urljoin(self.base, rel)
        known = self.cache.etag(url) if self.cache is not None else None
        if known is not None:
            fetched = self._get(url, limit, known)
            if fetched is not None:
                return fetched
        fetched = self._get(url, limit, None)
        assert fetched is not None  # without If-None-Match there is no 304 to miss
        return fetched

    def _get(self, url: str, limit: int, known: tuple[str, str] | None) -> Fetched | None:
        headers = {"User-Agent": self.config.user_agent, "Accept-Encoding": "identity"}
        if known is not None:
            headers["If-None-Match"] = known[0]
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.config.http_timeout) as resp:
                data = read_body(resp, limit)
                return Fetched(data, url, etag=resp.headers.get("ETag"))
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and known is not None and self.cache is not None:
                kept = self.cache.get(known[1], limit)
                # A 304 for a blob we no longer hold (pruned, corrupt): ask again in full.
                return None if kept is None else Fetched(kept, url, known[0], not_modified=True)
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: cannot fetch ({reason})") from None

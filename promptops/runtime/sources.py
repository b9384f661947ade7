"""Where published releases come from: a directory, ``file://`` or ``http(s)://``.

The I/O shell only: a source reads a path of the ADR 0003 layout, capped in size, and
raises :class:`~promptops.errors.FetchError` when it cannot. It verifies nothing; the
loader hands every byte to :class:`~promptops.runtime.state.TrustedState` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from promptops.errors import FetchError, UsageError
from promptops.runtime.cache import Cache, read_capped
from promptops.runtime.config import RuntimeConfig

__all__ = ["Fetched", "FileSource", "Source", "open_source"]


@dataclass(frozen=True)
class Fetched:
    """Bytes read from a source; ``etag`` is set for HTTP responses that carried one."""

    data: bytes
    url: str
    etag: str | None = None
    not_modified: bool = False  # answered from the cache after an HTTP 304


class Source(Protocol):
    """A published layout (or one release directory) to read from."""

    @property
    def id(self) -> str:
        """A stable identity for cache keys."""

    @property
    def is_release_dir(self) -> bool:
        """Whether this source is ``releases/NAME`` itself rather than the layout root."""

    def read(self, rel: str, limit: int) -> Fetched:
        """Read ``rel`` (a ``/``-separated path below the source), at most ``limit + 1``
        bytes, so the caller can tell an oversized file from one at the limit.

        Raises:
            FetchError: if it cannot be read.
        """


class FileSource:
    """A directory on the local file system."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @property
    def id(self) -> str:
        return self.root.as_uri()

    @property
    def is_release_dir(self) -> bool:
        return (self.root / "release.dsse.json").is_file()

    def read(self, rel: str, limit: int) -> Fetched:
        path = self.root / rel
        try:
            return Fetched(read_capped(path, limit), path.as_uri())
        except FileNotFoundError:
            raise FetchError(f"{path}: not found") from None
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror or exc})") from None


def open_source(source: str | Path, config: RuntimeConfig, cache: Cache | None) -> Source:
    """The source for a path, ``file://`` URL or ``http(s)://`` URL.

    Raises:
        UsageError: if the URL scheme is not supported.
    """
    if isinstance(source, Path) or ":" not in source:
        return FileSource(Path(source))
    import urllib.parse  # only for URLs

    parsed = urllib.parse.urlsplit(source)
    if parsed.scheme in ("http", "https"):
        from promptops.runtime.source_http import HttpSource

        return HttpSource(source, config, cache)
    if parsed.scheme == "file":
        return FileSource(Path(urllib.parse.unquote(parsed.path)))
    if parsed.scheme and len(parsed.scheme) > 1:  # "C:" is a Windows drive, not a scheme
        raise UsageError(
            f"unsupported release source {source!r}: expected a directory, file:// or "
            "http(s):// URL"
        )
    return FileSource(Path(source))

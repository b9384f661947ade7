"""Where published releases come from: a directory, ``file://``, ``http(s)://``, ``oci://``.

The I/O shell only: a source reads a path of the ADR 0003 layout, capped in size, and
raises :class:`~promptops.errors.FetchError` when it cannot. It verifies nothing; the
loader hands every byte to :class:`~promptops.runtime.state.TrustedState` first.
"""

import os
from typing import NamedTuple, Protocol

from promptops.errors import FetchError, UsageError
from promptops.runtime.cache import Cache, read_capped
from promptops.runtime.config import RuntimeConfig

__all__ = ["Fetched", "FileSource", "Source", "open_source"]


class Fetched(NamedTuple):
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
    """A directory on the local file system (``os.path`` strings: no pathlib import)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.realpath(os.fspath(root))

    @property
    def id(self) -> str:
        return "file://" + self.root.replace(os.sep, "/")

    @property
    def is_release_dir(self) -> bool:
        return os.path.isfile(os.path.join(self.root, "release.dsse.json"))

    def read(self, rel: str, limit: int) -> Fetched:
        path = os.path.join(self.root, *rel.split("/"))
        try:
            return Fetched(read_capped(path, limit), "file://" + path.replace(os.sep, "/"))
        except FileNotFoundError:
            raise FetchError(f"{path}: not found") from None
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror or exc})") from None


def open_source(
    source: str | os.PathLike[str], config: RuntimeConfig, cache: Cache | None
) -> Source:
    """The source for a path, ``file://`` URL, ``http(s)://`` URL or ``oci://`` registry.

    Raises:
        UsageError: if the URL scheme is not supported.
    """
    if not isinstance(source, str) or ":" not in source:
        return FileSource(source)
    import urllib.parse  # only for URLs

    parsed = urllib.parse.urlsplit(source)
    if parsed.scheme in ("http", "https"):
        from promptops.runtime.source_http import HttpSource

        return HttpSource(source, config, cache)
    if parsed.scheme == "oci":
        from promptops.runtime.source_oci import OciSource

        return OciSource(source, config, cache)
    if parsed.scheme == "file":
        return FileSource(urllib.parse.unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # "C:" is a Windows drive, not a scheme
        raise UsageError(
            f"unsupported release source {source!r}: expected a directory, a file:// or "
            "http(s):// URL, or oci://HOST/REPOSITORY"
        )
    return FileSource(source)

"""Where published releases come from: a directory, ``file://``, ``http(s)://``, ``oci://``.

The I/O shell only: a source reads a path of the ADR 0003 layout, capped in size, and
raises :class:`~promptops.errors.FetchError` when it cannot. It verifies nothing; the
loader hands every byte to :class:`~promptops.runtime.state.TrustedState` first.
"""

import os
from typing import NamedTuple, Protocol

from promptops.errors import FetchError, UsageError
from promptops.runtime.blob import FOLLOW_FLAGS
from promptops.runtime.cache import Cache, read_regular
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import Blob

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

    @property
    def name(self) -> str:
        """The last path segment (a release directory's name)."""

    def read(self, rel: str, limit: int, deadline: float | None = None) -> Fetched:
        """Read ``rel`` (a ``/``-separated path below the source), at most ``limit + 1``
        bytes, so the caller can tell an oversized file from one at the limit.
        ``deadline`` (``time.monotonic()`` value) bounds the whole read.

        Raises:
            FetchError: if it cannot be read, or the deadline passes.
        """

    def read_optional(self, rel: str, limit: int, deadline: float | None = None) -> Fetched | None:
        """Like :meth:`read`, but ``None`` if ``rel`` does not exist (the end of the trust
        chain).

        Raises:
            FetchError: if it exists but cannot be read, or the source is unreachable.
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

    @property
    def name(self) -> str:
        return os.path.basename(self.root)

    def read(self, rel: str, limit: int, deadline: float | None = None) -> Fetched:
        fetched = self.read_optional(rel, limit, deadline)
        if fetched is None:
            raise FetchError(f"{self._path(rel)}: not found{self._missing(rel)}")
        return fetched

    def _missing(self, rel: str) -> str:
        # A mistyped root or channel name is the usual cause: say which, from what is there.
        if not os.path.isdir(self.root):
            return f" ({self.root} is not a directory)"
        if not rel.startswith("channels/"):
            return ""
        try:
            names = sorted(
                n[:-5] for n in os.listdir(self._path("channels")) if n.endswith(".json")
            )
        except OSError:
            names = []
        if names:
            return f"; channels published here: {', '.join(names)}"
        return "; no channel is published here (promptops publish DIR --channel NAME)"

    def read_optional(self, rel: str, limit: int, deadline: float | None = None) -> Fetched | None:
        path = self._path(rel)
        try:
            # Symlinks are followed (a published tree may be linked into place), but a FIFO
            # or device is refused instead of blocking the read forever.
            data = read_regular(path, limit, follow=True)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror or exc})") from None
        return Fetched(data, "file://" + path.replace(os.sep, "/"))

    def read_hashed(self, rel: str, limit: int) -> tuple[Blob, str] | None:
        """``rel`` as a file read where needed, and its sha256, hashed as it streamed
        (:func:`~promptops.runtime.blob.read_hashed`); None where :meth:`read` must do
        (over ``limit``, not a regular file, no ``pread``).

        Raises:
            FetchError: if it cannot be read.
        """
        from promptops.runtime.blob import read_hashed

        path = self._path(rel)
        try:
            return read_hashed(path, FOLLOW_FLAGS, limit)  # as read(): links followed
        except FileNotFoundError:
            raise FetchError(f"{path}: not found") from None
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror or exc})") from None

    def _path(self, rel: str) -> str:
        return os.path.normpath(os.path.join(self.root, *rel.split("/")))


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

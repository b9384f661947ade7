"""Paths of the published layout (ADR 0003), shared by release, publish, promote, verify."""

from __future__ import annotations

from pathlib import Path

from promptops.errors import UsageError
from promptops.runtime.trust import RELEASE_NAME

__all__ = [
    "BUNDLE_NAME",
    "MANIFEST_NAME",
    "channel_path",
    "check_name",
    "digest_path",
    "release_dir",
]

BUNDLE_NAME = "bundle.json"
MANIFEST_NAME = "release.dsse.json"


def check_name(name: str, what: str) -> str:
    """``name`` if it is safe as one path segment.

    Raises:
        UsageError: if it is not.
    """
    if not RELEASE_NAME.match(name):
        raise UsageError(f"{what} name {name!r} must match {RELEASE_NAME.pattern}")
    return name


def release_dir(root: Path, name: str) -> Path:
    return root / "releases" / check_name(name, "release")


def channel_path(root: Path, channel: str) -> Path:
    return root / "channels" / f"{check_name(channel, 'channel')}.json"


def digest_path(root: Path, sha256: str) -> Path:
    return root / "digests" / sha256

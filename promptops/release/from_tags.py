"""Recreate ``dist/releases/NAME`` from release tags, e.g. in a fresh CI clone.

A tag records its serial and bundle digest; the bundle is deterministic, so rebuilding the
tagged commit must give exactly those bytes. The manifest is signed anew (same serial,
new ``created``/``expires``): signatures are not stored in git.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.compile import build
from promptops.errors import BundleError
from promptops.release import _git
from promptops.release.create import write_release
from promptops.release.layout import MANIFEST_NAME, release_dir
from promptops.runtime.dsse import TrustRoot

__all__ = ["releases_from_tags"]


def releases_from_tags(
    root: Path,
    dist: Path,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
) -> list[str]:
    """Write every release tag of ``root`` that ``dist`` lacks; returns their names.

    Raises:
        BundleError: if a tagged commit no longer builds the bundle its tag records.
        SignatureError: if the keys do not satisfy ``trust``.
        ValidationError: if a tagged commit does not validate.
    """
    written: list[str] = []
    for tag in sorted(_git.release_tags(root).values(), key=lambda t: t.serial):
        directory = release_dir(dist, tag.name)
        if (directory / MANIFEST_NAME).is_file():
            continue
        bundle = build(root, ref=tag.commit)
        if tag.bundle_sha256 is not None and bundle.sha256 != tag.bundle_sha256:
            raise BundleError(
                f"tag {tag.name} records bundle sha256:{tag.bundle_sha256}, but its commit now "
                f"builds sha256:{bundle.sha256}; rebuild with the promptops version that made it"
            )
        write_release(
            directory,
            bundle,
            tag.name,
            tag.serial,
            keys,
            now=now,
            expires_in=expires_in,
            trust=trust,
        )
        written.append(tag.name)
    return written

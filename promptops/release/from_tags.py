"""Recreate ``dist/releases/NAME`` from release tags, e.g. in a fresh CI clone, publishing
only what people signed.

Each tag carries the release signatures (``release/tagsig.py``); the bundle is
deterministic, so rebuilding the tagged commit gives back exactly the statement that was
signed. Nothing here signs a release: a tag whose rebuilt bundle differs, whose signatures
do not meet the release threshold of the trust policy in force (the newest verified
version on the branch), whose commit is not on that branch, or whose serial repeats or
skips one is refused.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from promptops.compile import build
from promptops.errors import BundleError, SignatureError, UsageError
from promptops.fsutil import atomic_write_bytes
from promptops.release import _git
from promptops.release.create import models_of
from promptops.release.layout import BUNDLE_NAME, MANIFEST_NAME, release_dir
from promptops.release.tagsig import envelope_from_tag, parse_tag
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import verify_bundle, verify_manifest

__all__ = ["FromTags", "check_serials", "releases_from_tags"]


@dataclass(frozen=True)
class FromTags:
    """Releases re-assembled from tags, and older ones left out (with why)."""

    written: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def check_serials(tags: list[_git.ReleaseTag]) -> None:
    """Refuse two release tags with one serial, or a serial skipped.

    Raises:
        BundleError: naming the tags.
    """
    ordered = sorted(tags, key=lambda t: (t.serial, t.name))
    for before, after in itertools.pairwise(ordered):
        if after.serial == before.serial:
            raise BundleError(
                f"tags {before.name} and {after.name} both claim serial {after.serial}; a "
                "serial names one release: delete the tag that was not released by "
                "promptops release"
            )
        if after.serial != before.serial + 1:
            raise BundleError(
                f"tag {after.name} claims serial {after.serial}, but the serial before it is "
                f"{before.serial} ({before.name}): a skipped serial is refused (serials come "
                "from promptops release, one after another)"
            )


def _write_new(directory: Path, name: str, data: bytes) -> None:
    target = directory / name
    if target.exists():
        if target.read_bytes() != data:
            raise UsageError(
                f"{target}: already holds different bytes than the signed release; remove it"
            )
        return
    atomic_write_bytes(target, data)


def releases_from_tags(
    root: Path,
    dist: Path,
    *,
    trust: TrustRoot,
    branch: str,
    now: dt.datetime,
) -> FromTags:
    """Write every release tag of ``root`` into ``dist`` as the signed release it records.

    An older tag whose signatures no longer meet the release role (its signer was revoked
    or removed since) is left out and reported: applications would refuse it too. The
    newest tag must verify, or nothing is published.

    Raises:
        BundleError: if serials repeat or skip, a rebuilt bundle differs from the tagged one,
            or a tag carries no signatures.
        SignatureError: if the newest tag's signatures do not meet the release role of
            ``trust``.
        UsageError: if a tagged commit is not reachable from ``branch``.
        ValidationError: if a tagged commit does not validate.
    """
    tags = list(_git.release_tags(root).values())
    check_serials(tags)
    newest = max((t.serial for t in tags), default=0)
    written: list[str] = []
    skipped: list[tuple[str, str]] = []
    for tag in sorted(tags, key=lambda t: t.serial):
        if not _git.is_ancestor(root, tag.commit, branch):
            raise UsageError(
                f"tag {tag.name} is on commit {tag.commit[:12]}, which is not on {branch}: only "
                "reviewed commits of the branch are published (pass --branch if another "
                "branch is the reviewed one)"
            )
        bundle = build(root, ref=tag.commit)
        if tag.bundle_sha256 is None or bundle.sha256 != tag.bundle_sha256:
            raise BundleError(
                f"tag {tag.name} records bundle sha256:{tag.bundle_sha256}, but its commit now "
                f"builds sha256:{bundle.sha256}; rebuild with the promptops version that made it"
            )
        signed = parse_tag(tag)
        if signed is None:
            raise BundleError(
                f"tag {tag.name} carries no release signatures (made by a promptops that did "
                "not store them in the tag); publish it from the dist/ its promptops release "
                "wrote, or release its content again under a new name"
            )
        envelope = envelope_from_tag(signed, bundle, models_of(bundle))
        try:
            manifest = verify_manifest(envelope, trust, now=now, check_expiry=False)
        except BundleError as exc:
            message = (
                f"tag {tag.name}: {exc} (checked against the trust policy in force on "
                f"{branch}, version {trust.version})"
            )
            if isinstance(exc, SignatureError) and tag.serial < newest:
                skipped.append((tag.name, message))
                continue
            raise type(exc)(message) from None
        verify_bundle(manifest, bundle.data)
        directory = release_dir(dist, tag.name)
        _write_new(directory, BUNDLE_NAME, bundle.data)
        _write_new(directory, MANIFEST_NAME, envelope)
        written.append(tag.name)
    return FromTags(tuple(written), tuple(skipped))

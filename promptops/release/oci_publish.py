"""``publish`` and ``promote`` for an OCI registry (``oci://HOST/REPOSITORY``).

The registry's current pointers for the channels involved are read into a temporary tree
laid out as a static publish; the ordinary :func:`~promptops.release.channels.publish` and
:func:`~promptops.release.channels.promote` run on that tree, so immutability of release
names, the refusal to move a channel back and the signing are the very same code; then
what changed is pushed, release artifacts first and channel tags last, so a reader never
finds a channel naming a release that is not there yet.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import UsageError
from promptops.fsutil import atomic_write_bytes
from promptops.release.channels import PromoteResult, abort_canary, promote
from promptops.release.layout import BUNDLE_NAME, MANIFEST_NAME, channel_path, release_dir
from promptops.release.oci_push import Pusher, channel_manifest, release_manifest, trust_manifest
from promptops.release.publish import publish
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.oci_client import parse_ref
from promptops.runtime.trust import read_manifest_unverified
from promptops.runtime.trust import read_pointer_unverified as read_pointer

__all__ = ["OciPublishResult", "promote_oci", "publish_oci"]

_LIMITS = RuntimeConfig()


@dataclass(frozen=True)
class OciPublishResult:
    destination: str
    releases: tuple[str, ...]
    channels: tuple[PromoteResult, ...]
    tags: tuple[str, ...]  # the tags written (unchanged ones are not pushed again)
    skipped: tuple[tuple[str, str], ...] = ()  # tags left out, and why (see publish)


class _Session:
    """One push: the registry, the staging tree and what it held before."""

    def __init__(self, destination: str, stage: Path, timeout: float) -> None:
        self.pusher = Pusher(parse_ref(destination), timeout=timeout, user_agent="promptops")
        self.stage = stage
        self.before: dict[str, bytes] = {}  # channel -> the pointer the registry served
        self.tags: list[str] = []

    def pull_pointer(self, channel: str) -> None:
        found = self.pusher.pointer(channel)
        if found is not None:
            atomic_write_bytes(channel_path(self.stage, channel), found[0])
            self.before[channel] = found[0]

    def pull_release(self, name: str) -> None:
        directory = release_dir(self.stage, name)
        limits = (_LIMITS.max_envelope_bytes, _LIMITS.max_bundle_bytes)
        envelope, bundle, _ = self.pusher.release_files(name, limits)
        atomic_write_bytes(directory / MANIFEST_NAME, envelope)
        atomic_write_bytes(directory / BUNDLE_NAME, bundle)

    def push_release(self, name: str) -> bytes:
        """Push release ``name`` of the stage (unless the registry has it); its manifest.

        Raises:
            UsageError: if the registry holds other bytes under the same release name.
        """
        directory = release_dir(self.stage, name)
        envelope = (directory / MANIFEST_NAME).read_bytes()
        bundle = (directory / BUNDLE_NAME).read_bytes()
        serial = read_manifest_unverified(envelope).serial
        manifest = release_manifest(name, serial, bundle, envelope)
        tag = "release-" + name
        found = self.pusher.client.find_manifest(tag)
        if found is not None and found[1] != manifest:
            theirs = sorted(layer["digest"] for layer in found[0]["layers"])
            ours = sorted(layer["digest"] for layer in _layers(manifest))
            if theirs != ours:
                raise UsageError(
                    f"{self.pusher.ref}: tag {tag} already holds release {name!r} with "
                    "different content; release names are immutable, release under a new name"
                )
            return found[1]  # the same files, pushed by another promptops version
        if found is None:
            self.pusher.push_artifact(tag, manifest, [bundle, envelope])
            self.tags.append(tag)
        digest_tag = "sha256-" + read_manifest_unverified(envelope).bundle_sha256
        if self.pusher.client.find_manifest(digest_tag) is None:
            self.pusher.put_manifest(digest_tag, manifest)
            self.tags.append(digest_tag)
        return manifest

    def push_trust_versions(self) -> None:
        """Push the stage's trust versions the registry lacks (before any release that may
        need them: a reader walks the chain first)."""
        folder = self.stage / "trust"
        paths = sorted(folder.glob("*.json"), key=lambda p: int(p.stem)) if folder.is_dir() else []
        for path in paths:
            version, data = int(path.stem), path.read_bytes()
            tag = f"trust-{version}"
            found = self.pusher.client.find_manifest(tag)
            if found is None:
                self.pusher.push_artifact(tag, trust_manifest(version, data), [data])
                self.tags.append(tag)
            elif found[1] != trust_manifest(version, data):
                raise UsageError(
                    f"{self.pusher.ref}: tag {tag} already holds another trust version {version}"
                    "; a trust version is never replaced"
                )

    def release_manifest(self, name: str, releases: dict[str, bytes]) -> bytes:
        """The registry manifest of release ``name``: pushed in this session, pushed now
        from the stage, or already in the registry.

        Raises:
            UsageError: if neither the stage nor the registry has it.
        """
        if name in releases:
            return releases[name]
        if (release_dir(self.stage, name) / MANIFEST_NAME).is_file():
            releases[name] = self.push_release(name)
            return releases[name]
        found = self.pusher.client.find_manifest("release-" + name)
        if found is None:
            raise UsageError(f"{self.pusher.ref}: has no release {name!r}; publish it first")
        releases[name] = found[1]
        return found[1]

    def push_changed_pointers(self, releases: dict[str, bytes]) -> None:
        for path in sorted((self.stage / "channels").glob("*.json")):
            channel, data = path.name[: -len(".json")], path.read_bytes()
            if self.before.get(channel) == data:
                continue
            pointer = read_pointer(data)
            subject = self.release_manifest(pointer.release, releases)
            canary = None
            if pointer.canary is not None:
                name = pointer.canary.release
                canary = (name, self.release_manifest(name, releases))
            tag = "channel-" + channel
            manifest = channel_manifest(channel, pointer.release, data, subject, canary)
            self.pusher.push_artifact(tag, manifest, [data])
            self.tags.append(tag)


def _layers(manifest: bytes) -> list[dict[str, str]]:
    layers: list[dict[str, str]] = json.loads(manifest)["layers"]
    return layers


def publish_oci(
    source: Path,
    destination: str,
    *,
    channel: str | None,
    keys: Sequence[Ed25519PrivateKey],
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
    tags_from: Path | None = None,
    branch: str | None = None,
    repo: Path | None = None,
    timeout: float = 30.0,
) -> OciPublishResult:
    """Push the releases of ``source`` (a ``dist/``) to the registry repository
    ``destination`` (``oci://HOST/REPOSITORY``), then, with ``channel``, point that
    channel at the highest serial, exactly as :func:`~promptops.release.publish` does for
    a static tree. The trust chain of ``repo`` (or of ``branch``, from tags) is pushed
    first, tagged ``trust-N``.

    Raises:
        UsageError: if ``source`` has no releases, ``destination`` is not a repository, or
            it holds a different release under the same name.
        BundleError, RollbackError: as :func:`~promptops.release.promote`.
        FetchError: if the registry cannot be reached or refuses the push.
    """
    with tempfile.TemporaryDirectory(prefix="promptops-oci-") as tmp:
        session = _Session(destination, Path(tmp), timeout)
        channels = {read_pointer(p.read_bytes()).channel for p in _pointer_files(source)}
        for name in sorted(channels | ({channel} if channel else set())):
            session.pull_pointer(name)
        result = publish(source, session.stage, channel=channel, keys=keys, now=now,
                         expires_in=expires_in, trust=trust, tags_from=tags_from,
                         branch=branch, repo=repo)  # fmt: skip
        session.push_trust_versions()
        pushed = {name: session.push_release(name) for name in result.releases}
        session.push_changed_pointers(pushed)
        return OciPublishResult(destination, result.releases, result.channels,
                                tuple(session.tags), result.skipped)  # fmt: skip


def _pointer_files(source: Path) -> list[Path]:
    channels = source / "channels"
    return sorted(channels.glob("*.json")) if channels.is_dir() else []


def promote_oci(
    destination: str,
    name: str | None,
    channel: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None = None,
    timeout: float = 30.0,
    canary: int | None = None,
) -> PromoteResult:
    """Point ``channel`` of the registry repository ``destination`` at its release
    ``name`` (with ``canary``: send it that share of the traffic), as
    :func:`~promptops.release.promote` does for a static tree; ``name=None`` ends the
    channel's canary, as :func:`~promptops.release.abort_canary` does.

    Raises:
        UsageError: if the registry has no release ``name``, or no canary to end.
        BundleError, RollbackError: as :func:`~promptops.release.promote`.
        FetchError: if the registry cannot be reached or refuses the push.
    """
    with tempfile.TemporaryDirectory(prefix="promptops-oci-") as tmp:
        session = _Session(destination, Path(tmp), timeout)
        session.pull_pointer(channel)
        if name is None:
            current = session.before.get(channel)
            if current is not None:
                session.pull_release(read_pointer(current).release)
            result = abort_canary(session.stage, channel, keys, now=now, expires_in=expires_in,
                                  trust=trust)  # fmt: skip
        else:
            session.pull_release(name)
            result = promote(session.stage, name, channel, keys, now=now, expires_in=expires_in,
                             trust=trust, canary=canary)  # fmt: skip
        session.push_changed_pointers({})
        return result

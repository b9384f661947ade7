"""``publish oci://HOST/REPOSITORY --refresh``: the refresh of
:mod:`promptops.release.refresh` over a registry.

The registry's channels are its ``channel-*`` tags. Each release a pointer names is read
from one artifact (``release-NAME``) and checked as a tree's is; that artifact's manifest
becomes the ``subject`` of the re-signed channel artifact, so readers pull exactly what was
checked. The trust chain is read from ``trust-N`` tags, as applications walk it. Before a
channel tag is moved it is read again: a promotion that landed meanwhile is kept, not
overwritten with the older release (the channel is reported instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import UsageError
from promptops.release.manifest import PointerSpec
from promptops.release.oci_push import Pusher, channel_manifest
from promptops.release.refresh import RefreshResult, refresh
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.oci_client import parse_ref
from promptops.runtime.trust_chain import MAX_TRUST_BYTES

__all__ = ["OciStore", "refresh_oci"]

_CHANNEL_TAG = "channel-"


class OciStore:
    """The pointers of one registry repository (pull and push)."""

    def __init__(self, destination: str, *, timeout: float, config: RuntimeConfig) -> None:
        self.pusher = Pusher(parse_ref(destination), timeout=timeout, user_agent="promptops")
        self.config = config
        self._read: dict[str, str] = {}  # channel -> digest of the artifact its pointer came from
        self._subjects: dict[str, bytes] = {}  # release -> the manifest of what was checked

    @property
    def where(self) -> str:
        return str(self.pusher.ref)

    def channels(self) -> list[str]:
        tags = self.pusher.tags()
        names = sorted(t[len(_CHANNEL_TAG) :] for t in tags if t.startswith(_CHANNEL_TAG))
        if not names:
            raise UsageError(
                f"{self.where}: no channel-* tags to refresh; promote a release first "
                f"(promptops promote NAME --channel CHANNEL --dir {self.where})"
            )
        return names

    def pointer_where(self, channel: str) -> str:
        return f"{self.where}:{_CHANNEL_TAG}{channel}"

    def pointer(self, channel: str) -> bytes:
        found = self.pusher.pointer(channel)
        if found is None:
            raise UsageError(f"{self.pointer_where(channel)}: the tag is gone")
        self._read[channel] = found[1]
        return found[0]

    def release(self, name: str) -> tuple[bytes, bytes, str]:
        limits = (self.config.max_envelope_bytes, self.config.max_bundle_bytes)
        envelope, bundle, manifest = self.pusher.release_files(name, limits)
        self._subjects[name] = manifest
        return envelope, bundle, f"{self.where}:release-{name}"

    def trust_versions(self, after: int) -> Mapping[int, bytes]:
        versions: dict[int, bytes] = {}
        for version in range(after + 1, after + 1 + self.config.max_trust_rotations):
            data = self.pusher.trust_version(version, MAX_TRUST_BYTES)
            if data is None:  # a missing tag ends the chain
                break
            versions[version] = data
        return versions

    def write(self, spec: PointerSpec, pointer: bytes) -> str:
        where = self.pointer_where(spec.channel)
        tag = _CHANNEL_TAG + spec.channel
        now_there = self.pusher.client.find_manifest(tag)
        if now_there is None or now_there[2] != self._read[spec.channel]:
            raise UsageError(
                f"{where}: moved while it was being refreshed; left as it is: run publish "
                "--refresh again"
            )
        canary = None
        if spec.canary is not None:
            canary = (spec.canary.release, self._subjects[spec.canary.release])
        subject = self._subjects[spec.release]
        manifest = channel_manifest(spec.channel, spec.release, pointer, subject, canary)
        self.pusher.push_artifact(tag, manifest, [pointer])
        return where


def refresh_oci(
    destination: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None,
    timeout: float = 30.0,
) -> RefreshResult:
    """:func:`~promptops.release.refresh.refresh` for the registry repository
    ``destination`` (``oci://HOST/REPOSITORY``), walking its ``trust-N`` chain.

    Raises:
        UsageError: if ``destination`` is not a repository, or it has no channel tags.
        BundleError, SignatureError: as :func:`~promptops.release.refresh.refresh`.
        FetchError: if the registry cannot be reached, or refuses the credentials or a push.
    """
    store = OciStore(destination, timeout=timeout, config=RuntimeConfig())
    return refresh(store, keys, now=now, expires_in=expires_in, trust=trust)

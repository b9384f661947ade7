"""Push release and channel-pointer artifacts to an OCI registry (ADR 0016), and read back
what publish, promote and refresh build on (tags, pointers, releases, trust versions).

The artifacts ``runtime/source_oci.py`` reads: OCI image manifests with an empty config,
their own ``artifactType``, and the files of the published layout as titled layers.
Manifests are canonical JSON, so the same release always has the same manifest digest and
publishing it again changes nothing.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from promptops.canonical import canonical_bytes
from promptops.errors import BundleError, FetchError, UsageError
from promptops.release.layout import BUNDLE_NAME, MANIFEST_NAME
from promptops.runtime.digest import sha256_hex
from promptops.runtime.jsonparse import parse_json
from promptops.runtime.oci_client import (
    MANIFEST_MEDIA_TYPE,
    MAX_MANIFEST_BYTES,
    OciClient,
    OciRef,
    Response,
)
from promptops.runtime.pointer import MAX_POINTER_BYTES
from promptops.runtime.source_oci import (
    ARTIFACT_CHANNEL,
    ARTIFACT_RELEASE,
    ARTIFACT_TRUST,
    BUNDLE_MEDIA_TYPE,
    CANARY_ANNOTATION,
    CANARY_MANIFEST_ANNOTATION,
    DSSE_MEDIA_TYPE,
    RELEASE_ANNOTATION,
    TITLE_ANNOTATION,
    find_layer,
    locate,
)

__all__ = ["Pusher", "channel_manifest", "release_manifest", "trust_manifest"]

EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG = b"{}"
CHANNEL_ANNOTATION = "dev.promptops.channel"
SERIAL_ANNOTATION = "dev.promptops.serial"
TRUST_ANNOTATION = "dev.promptops.trust-version"
MAX_TAG = 128
TAG_PAGE = 100  # tags asked per page; a registry may send fewer and link to the next
_MAX_TAG_PAGES = 1000  # a registry that keeps linking to more pages is not followed forever


def _descriptor(media_type: str, data: bytes, title: str | None = None) -> dict[str, Any]:
    desc: dict[str, Any] = {
        "mediaType": media_type,
        "digest": "sha256:" + sha256_hex(data),
        "size": len(data),
    }
    if title is not None:
        desc["annotations"] = {TITLE_ANNOTATION: title}
    return desc


def _manifest(
    artifact_type: str,
    layers: list[dict[str, Any]],
    annotations: dict[str, str],
    subject: dict[str, Any] | None = None,
) -> bytes:
    body: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "artifactType": artifact_type,
        "config": _descriptor(EMPTY_MEDIA_TYPE, EMPTY_CONFIG),
        "layers": layers,
        "annotations": annotations,
    }
    if subject is not None:
        body["subject"] = subject
    return canonical_bytes(body)


def release_manifest(name: str, serial: int, bundle: bytes, envelope: bytes) -> bytes:
    """The manifest of release ``name``: its bundle and DSSE envelope as layers."""
    layers = [
        _descriptor(BUNDLE_MEDIA_TYPE, bundle, _title(f"releases/{name}/{BUNDLE_NAME}")),
        _descriptor(DSSE_MEDIA_TYPE, envelope, _title(f"releases/{name}/{MANIFEST_NAME}")),
    ]
    return _manifest(
        ARTIFACT_RELEASE, layers, {RELEASE_ANNOTATION: name, SERIAL_ANNOTATION: str(serial)}
    )


def channel_manifest(
    channel: str,
    release: str,
    pointer: bytes,
    subject: bytes,
    canary: tuple[str, bytes] | None = None,
) -> bytes:
    """The manifest of ``channel``'s signed pointer; ``subject`` is the manifest of the
    release it points at, so readers pull that release by digest. ``canary``: the name and
    manifest of a canary pointer's second release, named in annotations (a manifest has
    one subject)."""
    location = locate(f"channels/{channel}.json")
    assert location is not None
    annotations = {CHANNEL_ANNOTATION: channel, RELEASE_ANNOTATION: release}
    if canary is not None:
        annotations[CANARY_ANNOTATION] = canary[0]
        annotations[CANARY_MANIFEST_ANNOTATION] = "sha256:" + sha256_hex(canary[1])
    return _manifest(
        ARTIFACT_CHANNEL,
        [_descriptor(DSSE_MEDIA_TYPE, pointer, location.title)],
        annotations,
        subject=_descriptor(MANIFEST_MEDIA_TYPE, subject),
    )


def trust_manifest(version: int, envelope: bytes) -> bytes:
    """The manifest of trust version ``version``: its signed envelope as the one layer."""
    location = locate(f"trust/{version}.json")
    assert location is not None
    return _manifest(
        ARTIFACT_TRUST,
        [_descriptor(DSSE_MEDIA_TYPE, envelope, location.title)],
        {TRUST_ANNOTATION: str(version)},
    )


def check_tag(tag: str) -> str:
    """``tag`` if a registry accepts it.

    Raises:
        UsageError: if it is longer than the distribution spec's 128 characters.
    """
    if len(tag) > MAX_TAG:
        raise UsageError(f"OCI tag {tag!r} is longer than {MAX_TAG} characters; use a shorter name")
    return tag


class Pusher:
    """Writes blobs and manifests to one repository (pull and push scope)."""

    def __init__(self, ref: OciRef, *, timeout: float, user_agent: str) -> None:
        if ref.reference is not None:
            raise UsageError(f"{ref}: publish to a repository, not to a tag or digest")
        self.ref = ref
        self.client = OciClient(
            ref, timeout=timeout, user_agent=user_agent, actions=("pull", "push")
        )

    def _fail(self, what: str, response: Response) -> FetchError:
        detail = response.body[:300].decode("utf-8", "replace").strip()
        return FetchError(f"{self.ref}: {what}: HTTP {response.status} {detail}")

    def push_blob(self, data: bytes) -> str:
        """Upload ``data`` unless the registry has it; returns its digest.

        Raises:
            FetchError: if the registry refuses.
        """
        digest = "sha256:" + sha256_hex(data)
        head = self.client.request("HEAD", f"blobs/{digest}")
        if head.status == 200:
            return digest
        started = self.client.request("POST", "blobs/uploads/", body=b"")
        location = started.headers.get("Location")
        if started.status != 202 or not location:
            raise self._fail("cannot start a blob upload", started)
        url = location + ("&" if "?" in location else "?") + "digest=" + digest
        done = self.client.request(
            "PUT", url, body=data, headers={"Content-Type": "application/octet-stream"}
        )
        if done.status != 201:
            raise self._fail(f"upload of {digest} refused", done)
        return digest

    def put_manifest(self, tag: str, manifest: bytes) -> str:
        """Tag ``manifest`` (its blobs must be pushed); returns its digest.

        Raises:
            FetchError: if the registry refuses.
        """
        response = self.client.request(
            "PUT",
            f"manifests/{check_tag(tag)}",
            body=manifest,
            headers={"Content-Type": MANIFEST_MEDIA_TYPE},
        )
        if response.status != 201:
            raise self._fail(f"manifest {tag} refused", response)
        return "sha256:" + sha256_hex(manifest)

    def push_artifact(self, tag: str, manifest: bytes, blobs: list[bytes]) -> str:
        """Push ``blobs`` (the config is added), then tag ``manifest``; returns its digest.

        Raises:
            FetchError: if the registry refuses.
        """
        for data in [EMPTY_CONFIG, *blobs]:
            self.push_blob(data)
        return self.put_manifest(tag, manifest)

    def layer(self, manifest: dict[str, Any], title: str, limit: int, where: str) -> bytes:
        """The layer titled ``title`` of an artifact's ``manifest``, fetched by its digest.

        Raises:
            FetchError: if the registry cannot be read, the artifact lacks the layer or it
                is larger than ``limit``.
            BundleError: if the blob is not what its digest says.
        """
        layer = find_layer(manifest, title, where)
        data = self.client.blob(layer["digest"], limit)
        if len(data) > limit:
            raise FetchError(f"{where}: {title} exceeds {limit} bytes")
        return data

    def layer_bytes(self, tag: str, title: str, limit: int) -> tuple[bytes, str] | None:
        """The layer titled ``title`` of the artifact at ``tag`` and that artifact's
        manifest digest, or ``None`` if the tag does not exist.

        Raises:
            FetchError: if the registry cannot be read or the artifact lacks the layer.
            BundleError: if a blob is not what its digest says.
        """
        found = self.client.find_manifest(tag)
        if found is None:
            return None
        return self.layer(found[0], title, limit, f"{self.ref}:{tag}"), found[2]

    def pointer(self, channel: str) -> tuple[bytes, str] | None:
        """The signed pointer of ``channel`` and the digest of the artifact holding it, or
        ``None`` if the registry has no ``channel-CHANNEL`` tag.

        Raises:
            FetchError, BundleError: as :meth:`layer_bytes`.
        """
        location = locate(f"channels/{channel}.json")
        assert location is not None
        return self.layer_bytes(location.tag, location.title, MAX_POINTER_BYTES)

    def trust_version(self, version: int, limit: int) -> bytes | None:
        """Trust version ``version`` (``trust-N``), or ``None`` if the tag is not there (the
        chain ends before it).

        Raises:
            FetchError, BundleError: as :meth:`layer_bytes`.
        """
        location = locate(f"trust/{version}.json")
        assert location is not None
        found = self.layer_bytes(location.tag, location.title, limit)
        return None if found is None else found[0]

    def release_files(self, name: str, limits: tuple[int, int]) -> tuple[bytes, bytes, bytes]:
        """Release ``name``: its envelope and bundle (at most ``limits``), both read from
        one artifact, and that artifact's manifest (what a channel names as its subject).

        Raises:
            UsageError: if the registry has no such release.
            FetchError, BundleError: as :meth:`layer`.
        """
        tag = "release-" + name
        found = self.client.find_manifest(tag)
        if found is None:
            raise UsageError(f"{self.ref}: has no release {name!r}; publish it first")
        envelope_title, bundle_title = (_title(f"releases/{name}/{file}")
                                        for file in (MANIFEST_NAME, BUNDLE_NAME))  # fmt: skip
        where = f"{self.ref}:{tag}"
        envelope = self.layer(found[0], envelope_title, limits[0], where)
        bundle = self.layer(found[0], bundle_title, limits[1], where)
        return envelope, bundle, found[1]

    def tags(self) -> list[str]:
        """Every tag of the repository (none if the registry does not know it), following
        the ``Link`` pages of the distribution API within this registry.

        Raises:
            FetchError: if the registry cannot be read, or lists more than the bounded
                number of pages.
        """
        url, found = f"tags/list?n={TAG_PAGE}", list[str]()
        for _ in range(_MAX_TAG_PAGES):
            response = self.client.request("GET", url, limit=MAX_MANIFEST_BYTES)
            if response.status == 404:  # NAME_UNKNOWN: nothing was ever pushed there
                return found
            if response.status != 200:
                raise self._fail("cannot list tags", response)
            found += _tag_names(response.body, f"{self.ref}: tags/list")
            link = _next_page(response.headers.get("Link"))
            if link is None:
                return found
            url = urllib.parse.urljoin(self.ref.api, link)
            if urllib.parse.urlsplit(url)[:2] != urllib.parse.urlsplit(self.ref.api)[:2]:
                # The registry's token goes with every request: never to another host.
                raise FetchError(f"{self.ref}: tags/list links to another host: {link!r}")
        raise FetchError(f"{self.ref}: tags/list has more than {_MAX_TAG_PAGES} pages")


def _title(rel: str) -> str:
    location = locate(rel)
    assert location is not None
    return location.title


def _tag_names(body: bytes, where: str) -> list[str]:
    listing = parse_json(body, where=where, max_bytes=MAX_MANIFEST_BYTES)
    tags = listing.get("tags") if isinstance(listing, dict) else None
    if tags is None and isinstance(listing, dict):
        return []  # "tags": null, or absent: a repository with no tags left
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BundleError(f'{where}: expected {{"tags": [names]}}, found {body[:200]!r}')
    return tags


def _next_page(link: str | None) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header (RFC 8288), if any."""
    for part in (link or "").split(","):
        target, _, params = part.strip().partition(";")
        is_next = 'rel="next"' in params.replace(" ", "")
        if is_next and target.startswith("<") and target.endswith(">"):
            return target[1:-1]
    return None

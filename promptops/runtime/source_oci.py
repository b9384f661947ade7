"""Read a published layout from an OCI registry (``oci://HOST/REPOSITORY``).

The layout of ADR 0003 stored as OCI artifacts (ADR 0016); this module maps its paths:

========================  ===================================================
``channels/C.json``       layer ``C.json`` of the artifact tagged ``channel-C``
``releases/N/FILE``       layer ``FILE`` of the artifact tagged ``release-N``
``digests/HEX``           annotation ``dev.promptops.release`` of the artifact
                          tagged ``sha256-HEX`` (the same release artifact)
``trust/V.json``          layer ``V.json`` of the artifact tagged ``trust-V``
                          (the trust chain, ADR 0012; absent tag: the chain ends)
========================  ===================================================

Only the channel tag (or the digest tag of a pin) is resolved by name; the release it names
is then pulled by the manifest digest the channel artifact's ``subject`` records (during a
canary, the second release by the digest in its ``dev.promptops.canary.manifest``
annotation), and every blob by its digest, checked on arrival. A blob the cache already
holds under that sha256 (the loader stores verified bytes there) is not fetched again.
Nothing here is trusted: the loader verifies every byte as it does for any other source.
"""

from typing import Any, NamedTuple

from promptops.errors import BundleError, FetchError
from promptops.runtime.cache import Cache
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.oci_client import OciClient, parse_ref
from promptops.runtime.sources import Fetched

__all__ = [
    "ARTIFACT_CHANNEL",
    "ARTIFACT_RELEASE",
    "ARTIFACT_TRUST",
    "BUNDLE_MEDIA_TYPE",
    "CANARY_ANNOTATION",
    "CANARY_MANIFEST_ANNOTATION",
    "DSSE_MEDIA_TYPE",
    "RELEASE_ANNOTATION",
    "TITLE_ANNOTATION",
    "Location",
    "OciSource",
    "find_layer",
    "locate",
]

ARTIFACT_RELEASE = "application/vnd.promptops.release.v1"
ARTIFACT_CHANNEL = "application/vnd.promptops.channel.v1"
ARTIFACT_TRUST = "application/vnd.promptops.trust.v1"
BUNDLE_MEDIA_TYPE = "application/vnd.promptops.bundle.v1+json"
DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json"
TITLE_ANNOTATION = "org.opencontainers.image.title"
RELEASE_ANNOTATION = "dev.promptops.release"
CANARY_ANNOTATION = "dev.promptops.canary"  # the canary release of a canary pointer
CANARY_MANIFEST_ANNOTATION = "dev.promptops.canary.manifest"  # its manifest digest

_MEMO = 8  # parsed release manifests kept by digest (immutable, tiny)


class Location(NamedTuple):
    """Where one file of the layout lives: the artifact's tag, and the layer's title."""

    tag: str
    title: str
    artifact_type: str


def locate(rel: str) -> Location | None:
    """The artifact and layer holding ``rel`` (``None`` for ``digests/``, which is an
    annotation, and for paths outside the layout)."""
    parts = rel.split("/")
    if len(parts) == 2 and parts[0] == "channels" and parts[1].endswith(".json"):
        return Location("channel-" + parts[1][: -len(".json")], parts[1], ARTIFACT_CHANNEL)
    if len(parts) == 3 and parts[0] == "releases":
        return Location("release-" + parts[1], parts[2], ARTIFACT_RELEASE)
    if len(parts) == 2 and parts[0] == "trust" and parts[1].endswith(".json"):
        return Location("trust-" + parts[1][: -len(".json")], parts[1], ARTIFACT_TRUST)
    return None


def _check_type(manifest: dict[str, Any], expected: str, where: str) -> None:
    found = manifest.get("artifactType") or (manifest.get("config") or {}).get("mediaType")
    if found != expected:
        raise BundleError(f"{where}: holds a {found!r} artifact, not {expected!r}")


def find_layer(manifest: dict[str, Any], title: str, where: str) -> dict[str, Any]:
    """The layer titled ``title`` of an artifact's manifest.

    Raises:
        FetchError: if it has none.
    """
    for layer in manifest["layers"]:
        if layer.get("annotations", {}).get(TITLE_ANNOTATION) == title:
            return dict(layer)
    raise FetchError(f"{where}: the artifact has no layer titled {title!r}")


def _digest_of(descriptor: Any) -> Any:
    return descriptor.get("digest") if isinstance(descriptor, dict) else None


class OciSource:
    """A published layout in one repository of an OCI registry, or (``:TAG`` or
    ``@sha256:...``) one release artifact."""

    def __init__(self, url: str, config: RuntimeConfig, cache: Cache | None) -> None:
        self.ref = parse_ref(url)
        self.cache = cache
        self.client = OciClient(self.ref, timeout=config.http_timeout, user_agent=config.user_agent)
        self._releases: dict[str, str] = {}  # release name -> manifest digest, last learned
        self._manifests: dict[str, dict[str, Any]] = {}

    @property
    def id(self) -> str:
        return str(self.ref)

    @property
    def is_release_dir(self) -> bool:
        return self.ref.reference is not None

    @property
    def name(self) -> str:
        """The release a ``:release-NAME`` reference names (a digest names none: ``""``)."""
        reference = self.ref.reference or ""
        return reference[len("release-") :] if reference.startswith("release-") else ""

    def read_optional(self, rel: str, limit: int, deadline: float | None = None) -> Fetched | None:
        """As :meth:`read`, for a trust version: ``None`` when the registry has no such
        tag (the end of the chain). From a release artifact (``:release-NAME``), the
        repository's chain is read (the loader asks for ``../../trust/V.json``)."""
        while rel.startswith("../"):
            rel = rel[len("../") :]
        location = locate(rel)
        if location is None or location.artifact_type != ARTIFACT_TRUST:
            return self.read(rel, limit, deadline)
        where = f"{self.ref.host}/{self.ref.repository}:{location.tag}"
        self.client.deadline = deadline
        found = self.client.find_manifest(location.tag)
        if found is None:
            return None
        _check_type(found[0], ARTIFACT_TRUST, where)
        return self._blob(find_layer(found[0], location.title, where), limit, where)

    def read(self, rel: str, limit: int, deadline: float | None = None) -> Fetched:
        """Read ``rel`` of the layout (see the module docstring).

        Raises:
            FetchError: if the registry cannot be read or lacks the artifact.
            BundleError: if what it serves is not what its digests say.
        """
        where = f"{self.ref}/{rel}"
        self.client.deadline = deadline
        if self.ref.reference is not None:
            manifest = self._manifest(self.ref.reference, ARTIFACT_RELEASE, where)
            return self._blob(find_layer(manifest, rel, where), limit, where)
        if rel.startswith("digests/"):
            return self._release_name(rel[len("digests/") :], limit, where)
        location = locate(rel)
        if location is None:
            raise FetchError(f"{where}: not a path of the published layout")
        reference = location.tag
        if location.artifact_type == ARTIFACT_RELEASE:
            # Pull by the digest the channel (or digest) artifact names, if it named one.
            reference = self._releases.get(location.tag[len("release-") :], reference)
        manifest = self._manifest(reference, location.artifact_type, where)
        if location.artifact_type == ARTIFACT_CHANNEL:
            self._learn_from_channel(manifest)
        return self._blob(find_layer(manifest, location.title, where), limit, where)

    def _manifest(self, reference: str, artifact_type: str, where: str) -> dict[str, Any]:
        known = self._manifests.get(reference)
        if known is not None:
            return known
        manifest, _, digest = self.client.manifest(reference)
        _check_type(manifest, artifact_type, where)
        if artifact_type == ARTIFACT_RELEASE:
            self._remember(digest, manifest)
        return manifest

    def _remember(self, digest: str, manifest: dict[str, Any]) -> None:
        # Release artifacts never change under their digest: keep a few parsed.
        if len(self._manifests) >= _MEMO:
            self._manifests.pop(next(iter(self._manifests)))
        self._manifests[digest] = manifest

    def _learn_from_channel(self, manifest: dict[str, Any]) -> None:
        subject = manifest.get("subject")
        annotations = manifest.get("annotations") or {}
        self._releases = {}
        found = (
            (annotations.get(RELEASE_ANNOTATION), _digest_of(subject)),
            (annotations.get(CANARY_ANNOTATION), annotations.get(CANARY_MANIFEST_ANNOTATION)),
        )
        for name, digest in found:
            if isinstance(name, str) and isinstance(digest, str) and digest.startswith("sha256:"):
                self._releases[name] = digest

    def _release_name(self, hex_digest: str, limit: int, where: str) -> Fetched:
        manifest, _, digest = self.client.manifest("sha256-" + hex_digest)
        _check_type(manifest, ARTIFACT_RELEASE, where)
        name = (manifest.get("annotations") or {}).get(RELEASE_ANNOTATION)
        if not isinstance(name, str):
            raise FetchError(f"{where}: the artifact names no release ({RELEASE_ANNOTATION})")
        self._remember(digest, manifest)
        self._releases = {name: digest}
        return Fetched((name + "\n").encode()[: limit + 1], where)

    def _blob(self, layer: dict[str, Any], limit: int, where: str) -> Fetched:
        digest = layer["digest"]
        if layer["size"] <= limit and self.cache is not None:
            kept = self.cache.get(digest[len("sha256:") :], limit)  # re-hashed by the cache
            if kept is not None:
                return Fetched(kept, f"{self.ref.host}/{self.ref.repository}@{digest}")
        data = self.client.blob(digest, limit)
        if len(data) <= limit and len(data) != layer["size"]:
            raise BundleError(f"{where}: {len(data)} bytes where the manifest says {layer['size']}")
        return Fetched(data, f"{self.ref.host}/{self.ref.repository}@{digest}")

"""An OCI distribution (registry API v2) client on the standard library.

Manifests and blobs, each checked against its digest, behind the authentication handshake
every public registry uses: a request answered ``401`` with ``WWW-Authenticate: Bearer
realm=...,service=...,scope=...`` is retried with a token fetched from ``realm`` (with the
user's credentials as HTTP Basic, or anonymously), and ``WWW-Authenticate: Basic`` (ECR,
registries behind htpasswd) is retried with the credentials themselves. Credentials come
from ``PROMPTOPS_OCI_USERNAME`` / ``PROMPTOPS_OCI_PASSWORD`` or from what ``docker login``
wrote to ``$DOCKER_CONFIG/config.json``. See ADR 0016.
"""

import binascii
import http.client
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import Any, NamedTuple

from promptops.errors import BundleError, FetchError, UsageError
from promptops.runtime.digest import sha256_hex
from promptops.runtime.jsonparse import parse_json
from promptops.runtime.source_http import DEADLINE_SLACK, deadline_passed, read_body, remaining

__all__ = [
    "MANIFEST_MEDIA_TYPE",
    "Credentials",
    "OciClient",
    "OciRef",
    "Response",
    "find_credentials",
    "parse_manifest",
    "parse_ref",
]

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the limit registries themselves apply
_MAX_SMALL_BYTES = 1024 * 1024  # token answers, docker config, error bodies

_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
# The distribution spec's grammar for repository names and tags.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_CHALLENGE_PARAM = re.compile(r'([A-Za-z_]+)=(?:"([^"]*)"|([^\s,]+))')


class OciRef(NamedTuple):
    """``oci://HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]``."""

    host: str
    repository: str
    reference: str | None = None  # a tag or a sha256 digest; None for the repository itself

    @property
    def scheme(self) -> str:
        # As docker does: plain HTTP only for a registry on this machine's loopback.
        name = self.host.rsplit(":", 1)[0] if not self.host.endswith("]") else self.host
        loopback = name in ("localhost", "[::1]") or name.startswith("127.")
        return "http" if loopback else "https"

    @property
    def api(self) -> str:
        """The ``/v2/REPOSITORY/`` base URL."""
        return f"{self.scheme}://{self.host}/v2/{self.repository}/"

    def __str__(self) -> str:
        ref = "" if self.reference is None else ("@" if ":" in self.reference else ":")
        return f"oci://{self.host}/{self.repository}{ref}{self.reference or ''}"


def parse_ref(url: str) -> OciRef:
    """Split an ``oci://`` URL.

    Raises:
        UsageError: naming the part that is not valid.
    """
    rest = url[len("oci://") :] if url.startswith("oci://") else url
    host, _, path = rest.partition("/")
    if not _HOST.match(host) or not path:
        raise UsageError(
            f"{url!r}: expected oci://HOST[:PORT]/REPOSITORY, e.g. oci://ghcr.io/acme/prompts"
        )
    reference = None
    if "@" in path:
        path, reference = path.split("@", 1)
        if not _DIGEST.match(reference):
            raise UsageError(
                f"{url!r}: a digest reference must be sha256:<64 lowercase hex digits>"
            )
    elif ":" in path:
        path, reference = path.rsplit(":", 1)
        if not _TAG.match(reference):
            raise UsageError(f"{url!r}: tag {reference!r} must match {_TAG.pattern}")
    path = path.rstrip("/")
    if not _REPOSITORY.match(path):
        raise UsageError(
            f"{url!r}: repository {path!r} must be lowercase path components "
            "(a-z, 0-9 and '.', '_', '-' between them)"
        )
    return OciRef(host, path, reference)


class Credentials(NamedTuple):
    username: str
    password: str


def _docker_config_auth(host: str) -> Credentials | None:
    folder = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    try:
        with open(os.path.join(folder, "config.json"), "rb") as f:
            config = parse_json(
                f.read(_MAX_SMALL_BYTES), where="config", max_bytes=_MAX_SMALL_BYTES
            )
    except (OSError, BundleError):
        return None
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return None
    for key, entry in auths.items():
        # Keys are "host", "https://host" or "https://host/v1/" (Docker Hub's legacy key).
        name = urllib.parse.urlsplit(key).netloc if "://" in key else key.split("/")[0]
        if name != host or not isinstance(entry, dict):
            continue
        if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
            return Credentials(entry["username"], entry["password"])
        try:
            user, sep, password = (
                binascii.a2b_base64(entry.get("auth") or "").decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError, TypeError):
            continue
        if sep:
            return Credentials(user, password)
    return None


def find_credentials(host: str) -> Credentials | None:
    """The credentials for ``host``: the environment first, then docker's config file."""
    user = os.environ.get("PROMPTOPS_OCI_USERNAME")
    password = os.environ.get("PROMPTOPS_OCI_PASSWORD")
    if user and password is not None:
        return Credentials(user, password)
    return _docker_config_auth(host)


class Response(NamedTuple):
    status: int
    headers: "Message[str, str]"
    body: bytes
    url: str


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, params = header.strip().partition(" ")
    found = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
             for m in _CHALLENGE_PARAM.finditer(params)}  # fmt: skip
    return scheme.lower(), found


def _basic(credentials: Credentials) -> str:
    raw = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + binascii.b2a_base64(raw, newline=False).decode()


def parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    """An OCI image manifest's JSON, with the fields promptops reads checked for shape.

    Raises:
        BundleError: if it is not one.
    """
    manifest = parse_json(data, where=f"{where}: manifest", max_bytes=len(data))
    ok = isinstance(manifest, dict) and manifest.get("schemaVersion") == 2
    layers = manifest.get("layers") if ok else None
    if not ok or not isinstance(layers, list):
        raise BundleError(f"{where}: not an OCI image manifest (schemaVersion 2 with layers)")
    for layer in layers:
        if not (
            isinstance(layer, dict)
            and isinstance(layer.get("digest"), str)
            and _DIGEST.match(layer["digest"])
            and isinstance(layer.get("size"), int)
            and isinstance(layer.get("annotations", {}), dict)
        ):
            raise BundleError(f"{where}: a layer lacks a sha256 digest or a size: {layer!r:.200}")
    checked: dict[str, Any] = manifest
    return checked


class OciClient:
    """One repository of one registry, for the given actions (``pull``, ``push``)."""

    def __init__(
        self,
        ref: OciRef,
        *,
        timeout: float,
        user_agent: str,
        actions: tuple[str, ...] = ("pull",),
        credentials: Credentials | None = None,
    ) -> None:
        self.ref = ref
        self.timeout = timeout
        self.user_agent = user_agent
        self.scope = f"repository:{ref.repository}:{','.join(actions)}"
        self.credentials = credentials if credentials is not None else find_credentials(ref.host)
        self._authorization: str | None = None
        # A time.monotonic() value bounding the requests of one load (fetch_deadline);
        # set by the source before each read.
        self.deadline: float | None = None

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        limit: int = _MAX_SMALL_BYTES,
    ) -> Response:
        """Send one request, answering an authentication challenge once.

        Raises:
            FetchError: if the registry cannot be reached, or refuses the credentials.
        """
        url = urllib.parse.urljoin(self.ref.api, url)
        response = self._send(method, url, body, headers or {}, limit)
        if response.status != 401:
            return response
        self._authorization = self._authenticate(response)
        response = self._send(method, url, body, headers or {}, limit)
        if response.status == 401:
            who = f"user {self.credentials.username!r}" if self.credentials else "no credentials"
            raise FetchError(
                f"{url}: HTTP 401 with {who} for {self.scope}; set PROMPTOPS_OCI_USERNAME and "
                f"PROMPTOPS_OCI_PASSWORD or run docker login {self.ref.host}"
            )
        return response

    def _send(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], limit: int
    ) -> Response:
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("User-Agent", self.user_agent)
        for name, value in headers.items():
            request.add_header(name, value)
        if self._authorization is not None:
            # Unredirected: blob downloads redirect to storage (S3, GCS) that must not see it.
            request.add_unredirected_header("Authorization", self._authorization)
        left = remaining(self.deadline, url)
        timeout = self.timeout if left is None else min(left, self.timeout)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                data = b"" if method == "HEAD" else read_body(resp, limit, self.deadline)
                return Response(resp.status, resp.headers, data, resp.url)
        except urllib.error.HTTPError as exc:
            with exc:
                data = exc.read(_MAX_SMALL_BYTES) if method != "HEAD" else b""
            return Response(exc.code, exc.headers, data, url)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if self.deadline is not None and time.monotonic() >= self.deadline - DEADLINE_SLACK:
                raise deadline_passed(url) from None
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: cannot fetch ({reason})") from None

    def _authenticate(self, response: Response) -> str:
        scheme, params = _challenge(response.headers.get("WWW-Authenticate") or "")
        if scheme == "basic":
            if self.credentials is None:
                raise FetchError(
                    f"{response.url}: the registry asks for a user name and password; set "
                    "PROMPTOPS_OCI_USERNAME and PROMPTOPS_OCI_PASSWORD or run docker login"
                )
            return _basic(self.credentials)
        if scheme != "bearer" or "realm" not in params:
            raise FetchError(f"{response.url}: HTTP 401 without a Bearer or Basic challenge")
        query = [("service", params["service"])] if "service" in params else []
        scopes = {self.scope, *filter(None, [params.get("scope")])}
        query += [("scope", s) for s in sorted(scopes)]
        realm = params["realm"]
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{response.url}: token realm {realm!r} is not an http(s) URL")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        if self.credentials is not None:
            request.add_unredirected_header("Authorization", _basic(self.credentials))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                answer = parse_json(
                    read_body(resp, _MAX_SMALL_BYTES, self.deadline),
                    where=realm,
                    max_bytes=_MAX_SMALL_BYTES + 1,
                )
        except urllib.error.HTTPError as exc:
            exc.close()
            raise FetchError(
                f"{realm}: token request refused: HTTP {exc.code} {exc.reason}"
            ) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise FetchError(
                f"{realm}: cannot fetch a token ({getattr(exc, 'reason', exc)})"
            ) from None
        except BundleError:
            raise FetchError(f"{realm}: the token answer is not JSON") from None
        token = (
            answer.get("token") or answer.get("access_token") if isinstance(answer, dict) else None
        )
        if not isinstance(token, str) or not token:
            raise FetchError(f"{realm}: the token answer holds no token")
        return "Bearer " + token

    # -- reading ---------------------------------------------------------------------
    def manifest(self, reference: str) -> tuple[dict[str, Any], bytes, str]:
        """The manifest at a tag or digest: ``(parsed, bytes, sha256:digest)``.

        Raises:
            FetchError: if there is none (or the registry cannot be read).
            BundleError: if fetched by digest and the bytes do not hash to it, or if it is
                not an OCI image manifest.
        """
        found = self.find_manifest(reference)
        if found is None:
            raise FetchError(f"{self._where(reference)}: not found in the registry")
        return found

    def _where(self, reference: str) -> str:
        sep = "@" if reference.startswith("sha256:") else ":"
        return f"{self.ref.host}/{self.ref.repository}{sep}{reference}"

    def find_manifest(self, reference: str) -> tuple[dict[str, Any], bytes, str] | None:
        """As :meth:`manifest`, but ``None`` when the registry has no such tag or digest.

        Raises:
            FetchError: if the registry cannot be read.
            BundleError: as :meth:`manifest`.
        """
        where = self._where(reference)
        response = self.request(
            "GET",
            f"manifests/{reference}",
            headers={"Accept": MANIFEST_MEDIA_TYPE},
            limit=MAX_MANIFEST_BYTES,
        )
        if response.status == 404:
            return None
        if response.status != 200:
            raise FetchError(f"{where}: HTTP {response.status} {_error_text(response.body)}")
        if len(response.body) > MAX_MANIFEST_BYTES:
            raise BundleError(f"{where}: manifest larger than {MAX_MANIFEST_BYTES} bytes")
        digest = "sha256:" + sha256_hex(response.body)
        if reference.startswith("sha256:") and digest != reference:
            raise BundleError(f"{where}: the registry served a manifest whose digest is {digest}")
        return parse_manifest(response.body, where), response.body, digest

    def blob(self, digest: str, limit: int) -> bytes:
        """The blob ``digest``, at most ``limit + 1`` bytes; hash-checked when it fits.

        Raises:
            FetchError: if it cannot be fetched.
            BundleError: if its bytes do not hash to ``digest``.
        """
        response = self.request("GET", f"blobs/{digest}", limit=limit)
        where = f"{self.ref.host}/{self.ref.repository}@{digest}"
        if response.status != 200:
            raise FetchError(f"{where}: HTTP {response.status} {_error_text(response.body)}")
        # Oversized bytes are handed back unchecked: the caller refuses them by size.
        if len(response.body) <= limit and "sha256:" + sha256_hex(response.body) != digest:
            raise BundleError(f"{where}: the registry served a blob with other bytes")
        return response.body


def _error_text(body: bytes) -> str:
    """The first error of a registry's JSON error body, or nothing."""
    try:
        errors = parse_json(body, where="error", max_bytes=_MAX_SMALL_BYTES).get("errors") or []
        return f"{errors[0].get('code')}: {errors[0].get('message')}"
    except (BundleError, AttributeError, IndexError, TypeError):
        return ""

"""Real OCI registries on 127.0.0.1 for the tests: Debian's ``docker-registry``.

``make oci-registry`` installs it (and htpasswd) when missing; each registry is started
with its own config file and storage in a temporary directory, on a free loopback port,
and stopped after the test module (its threads would otherwise keep the rest of the
suite multi-threaded, which turns off the validator's process pool). Two kinds:

- token auth, the flow GHCR and Docker Hub use: the registry answers 401 with a Bearer
  challenge naming :class:`TokenServer`, a loopback token service in this module that
  checks HTTP Basic credentials and signs a JWT (RS256, certificate in ``x5c``) the
  registry verifies against the certificate its config trusts;
- htpasswd (HTTP Basic), as registries behind a plain password use.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[1]
SERVICE = "promptops-test-registry"
ISSUER = "promptops-test-issuer"
# user -> (password, actions granted on every repository)
USERS = {
    "alice": ("alice-secret", ("pull", "push", "delete")),
    "reader": ("reader-secret", ("pull",)),
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ensure_installed() -> None:
    """Install the registry through the Makefile target, or skip saying why not."""
    if shutil.which("docker-registry") and shutil.which("htpasswd"):
        return
    out = subprocess.run(["make", "-s", "oci-registry"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0 or not shutil.which("docker-registry"):
        pytest.skip(
            "Debian's docker-registry could not be installed by `make oci-registry` (needs "
            f"apt-get as root): {out.stderr.strip()[-300:]}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class TokenServer:
    """Issues registry tokens for :data:`USERS` (anonymous: no access at all)."""

    key: rsa.RSAPrivateKey
    cert_pem: bytes
    cert_der: bytes
    server: http.server.ThreadingHTTPServer | None = None
    requests: list[tuple[str | None, list[str]]] = field(default_factory=list)  # (user, scopes)

    @classmethod
    def create(cls) -> TokenServer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "promptops test tokens")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(
            key,
            cert.public_bytes(serialization.Encoding.PEM),
            cert.public_bytes(serialization.Encoding.DER),
        )

    @property
    def realm(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/token"

    def token(self, user: str | None, scopes: list[str]) -> str:
        granted = USERS[user][1] if user else ()
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            repo, _, actions = rest.rpartition(":")
            allowed = [a for a in actions.split(",") if a in granted]
            if kind == "repository" and allowed:
                access.append({"type": "repository", "name": repo, "actions": allowed})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        claims = {"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300,
                  "nbf": now - 60, "iat": now, "jti": f"{now}-{len(self.requests)}",
                  "access": access}  # fmt: skip
        signing_input = ".".join(
            _b64url(json.dumps(part).encode()) for part in (header, claims)
        ).encode()
        signature = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + _b64url(signature)

    def start(self) -> None:
        tokens = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                user = None
                auth = self.headers.get("Authorization") or ""
                if auth.startswith("Basic "):
                    name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                    if USERS.get(name, ("",))[0] != password:
                        self.send_response(401)
                        self.end_headers()
                        return
                    user = name
                scopes = query.get("scope", [])
                tokens.requests.append((user, scopes))
                body = json.dumps({"token": tokens.token(user, scopes), "expires_in": 300})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Registry:
    """A running ``docker-registry serve`` process."""

    host: str
    folder: Path
    process: subprocess.Popen[str]
    log: list[str]
    drain: threading.Thread

    def url(self, repository: str) -> str:
        return f"oci://{self.host}/{repository}"

    def blob_file(self, digest: str) -> Path:
        """Where the filesystem storage driver keeps blob ``sha256:HEX``."""
        hex_digest = digest.removeprefix("sha256:")
        return (
            self.folder / f"data/docker/registry/v2/blobs/sha256/{hex_digest[:2]}/{hex_digest}/data"
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.drain.join()  # the pipe reaches EOF once the process is gone
        assert self.process.stderr is not None
        self.process.stderr.close()


def start_registry(folder: Path, auth: str) -> Registry:
    """Start a registry storing under ``folder`` with the given ``auth:`` YAML block.

    Returns once it logged that it listens (no polling, no sleeps).
    """
    port = _free_port()
    config = folder / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: info}\n"
        f"storage: {{filesystem: {{rootdirectory: {folder / 'data'}}}, "
        "delete: {enabled: true}}\n"
        f"http: {{addr: '127.0.0.1:{port}', secret: promptops-tests}}\n" + auth,
        encoding="utf-8",
    )
    process = subprocess.Popen(
        ["docker-registry", "serve", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    log: list[str] = []
    for line in process.stderr:
        log.append(line)
        if f"listening on 127.0.0.1:{port}" in line:
            break
    else:
        process.wait()
        raise RuntimeError("docker-registry exited before listening:\n" + "".join(log[-20:]))
    # Keep draining its log, or a full pipe would block the registry mid-request.
    stderr = process.stderr
    drain = threading.Thread(target=lambda: log.extend(stderr), daemon=True)
    drain.start()
    return Registry(f"127.0.0.1:{port}", folder, process, log, drain)


@dataclass
class TokenRegistry:
    registry: Registry
    tokens: TokenServer


@pytest.fixture(scope="module")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenRegistry]:
    """A registry with token authentication (alice may push, reader may pull)."""
    ensure_installed()
    folder = tmp_path_factory.mktemp("oci-token")
    tokens = TokenServer.create()
    tokens.start()
    (folder / "tokens.pem").write_bytes(tokens.cert_pem)
    auth = (
        f"auth: {{token: {{realm: '{tokens.realm}', service: {SERVICE}, issuer: {ISSUER}, "
        f"rootcertbundle: {folder / 'tokens.pem'}}}}}\n"
    )
    registry = start_registry(folder, auth)
    yield TokenRegistry(registry, tokens)
    registry.stop()
    tokens.stop()


@pytest.fixture(scope="module")
def oci_basic_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry behind HTTP Basic (htpasswd, bcrypt) with alice's password."""
    ensure_installed()
    folder = tmp_path_factory.mktemp("oci-basic")
    user, (password, _) = "alice", USERS["alice"]
    hashed = subprocess.run(
        ["htpasswd", "-Bbn", user, password], capture_output=True, text=True, check=True
    ).stdout.strip()
    (folder / "htpasswd").write_text(hashed + "\n", encoding="utf-8")
    registry = start_registry(
        folder, f"auth: {{htpasswd: {{realm: basic-realm, path: {folder / 'htpasswd'}}}}}\n"
    )
    yield registry
    registry.stop()

"""The pure parts of the OCI client: references, challenges, credentials, manifests."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from promptops.errors import BundleError, UsageError
from promptops.runtime.oci_client import (
    Credentials,
    OciRef,
    _challenge,
    find_credentials,
    parse_manifest,
    parse_ref,
)


@pytest.mark.parametrize(
    ("url", "ref", "api"),
    [
        ("oci://ghcr.io/acme/prompts", OciRef("ghcr.io", "acme/prompts"),
         "https://ghcr.io/v2/acme/prompts/"),
        ("oci://127.0.0.1:5000/p:release-v1", OciRef("127.0.0.1:5000", "p", "release-v1"),
         "http://127.0.0.1:5000/v2/p/"),
        ("oci://localhost/a/b@sha256:" + "0" * 64, OciRef("localhost", "a/b", "sha256:" + "0" * 64),
         "http://localhost/v2/a/b/"),
        ("oci://[::1]:5000/p", OciRef("[::1]:5000", "p"), "http://[::1]:5000/v2/p/"),
        ("oci://registry.example:443/a_b/c-d.e", OciRef("registry.example:443", "a_b/c-d.e"),
         "https://registry.example:443/v2/a_b/c-d.e/"),
    ],
)  # fmt: skip
def test_references_parse_and_only_loopback_is_plain_http(url: str, ref: OciRef, api: str) -> None:
    assert parse_ref(url) == ref
    assert parse_ref(url).api == api
    assert str(parse_ref(url)) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("oci://ghcr.io", "expected oci://HOST[:PORT]/REPOSITORY, e.g. oci://ghcr.io/acme/prompts"),
        ("oci://ghcr.io/Acme/p", "repository 'Acme/p' must be lowercase path components"),
        ("oci://ghcr.io/a//b", "repository 'a//b' must be lowercase path components"),
        ("oci://ghcr.io/a:-tag", "tag '-tag' must match"),
        ("oci://ghcr.io/a@sha256:abc", "a digest reference must be sha256:<64 lowercase hex"),
        ("oci://user@ghcr.io/a", "expected oci://HOST[:PORT]/REPOSITORY"),
    ],
)  # fmt: skip
def test_bad_references_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace(".", r"\.")):
        parse_ref(url)


def test_challenges_parse_quoted_and_bare_parameters() -> None:
    header = ('Bearer realm="https://ghcr.io/token",service="ghcr.io",'
              'scope="repository:acme/p:pull,push",error=insufficient_scope')  # fmt: skip
    assert _challenge(header) == (
        "bearer",
        {"realm": "https://ghcr.io/token", "service": "ghcr.io",
         "scope": "repository:acme/p:pull,push", "error": "insufficient_scope"},
    )  # fmt: skip
    assert _challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})


def _docker_config(folder: Path, auths: object) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"auths": auths}))


def test_credentials_come_from_the_environment_before_docker_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = base64.b64encode(b"AWS:ecr-token:with-colon").decode()
    _docker_config(tmp_path, {"https://123.dkr.ecr.example": {"auth": auth},
                              "ghcr.io": {"username": "u", "password": "p"}})  # fmt: skip
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("PROMPTOPS_OCI_USERNAME", raising=False)
    assert find_credentials("123.dkr.ecr.example") == Credentials("AWS", "ecr-token:with-colon")
    assert find_credentials("ghcr.io") == Credentials("u", "p")
    assert find_credentials("quay.io") is None
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "ci")
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", "s3cret")
    assert find_credentials("ghcr.io") == Credentials("ci", "s3cret")


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"auths": []}', '{"auths": {"ghcr.io": {"auth": "%%%"}}}']
)
def test_a_broken_docker_config_means_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    (tmp_path / "config.json").write_text(content)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("PROMPTOPS_OCI_USERNAME", raising=False)
    assert find_credentials("ghcr.io") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "x: manifest: not valid JSON"),
        (b'{"schemaVersion": 1, "layers": []}', "x: not an OCI image manifest"),
        (b'{"schemaVersion": 2}', "x: not an OCI image manifest"),
        (b'{"schemaVersion": 2, "layers": [{"digest": "sha512:00", "size": 1}]}',
         "x: a layer lacks a sha256 digest or a size"),
        (b'{"schemaVersion": 2, "layers": [{"digest": "sha256:' + b"0" * 64 + b'"}]}',
         "x: a layer lacks a sha256 digest or a size"),
    ],
)  # fmt: skip
def test_malformed_manifests_are_bundle_errors(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        parse_manifest(data, "x")

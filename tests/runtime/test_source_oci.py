"""Releases served from a real OCI registry (Debian's docker-registry on 127.0.0.1):
opened by channel, pin or artifact reference, cached, verified like any other source."""

from __future__ import annotations

import itertools
import urllib.parse
from pathlib import Path

import pytest

from promptops.canonical import sha256_hex
from promptops.errors import BundleError, FetchError
from promptops.release import publish_oci
from promptops.release.oci_push import Pusher, channel_manifest, release_manifest
from promptops.runtime import Registry
from promptops.runtime.oci_client import OciClient, parse_ref
from tests.oci_registry import USERS, TokenRegistry
from tests.oci_registry import Registry as RunningRegistry
from tests.runtime.fixtures import CONFIG, NOW, TRUST, publish, release_files

_names = itertools.count()


def _login(monkeypatch: pytest.MonkeyPatch, user: str | None, password: str | None = None) -> None:
    if user is None:
        monkeypatch.delenv("PROMPTOPS_OCI_USERNAME", raising=False)
        monkeypatch.delenv("PROMPTOPS_OCI_PASSWORD", raising=False)
        monkeypatch.setenv("DOCKER_CONFIG", "/nonexistent")
        return
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", user)
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", password or USERS[user][0])


def _pushed(
    registry: RunningRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    commit: str = "a" * 40,
    reader: str = "reader",
) -> str:
    """A new repository holding the fixture's release v1 and its channel production."""
    dist = tmp_path / f"dist-{commit[:4]}"
    publish(dist, commit=commit)
    url = registry.url(f"tests/runtime-{next(_names)}")
    _login(monkeypatch, "alice")
    publish_oci(dist, url, channel=None, keys=[], now=NOW, expires_in=NOW - NOW, trust=TRUST)
    _login(monkeypatch, reader)
    return url


def test_a_channel_opens_through_the_token_handshake_and_renders(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    before = len(oci_registry.tokens.requests)
    reg = Registry.open(url, trust=TRUST, channel="production", config=CONFIG)
    req = reg.prompt("greet").render(name="Ada")
    assert req.messages[1]["content"] == "Say hello to Ada."
    assert (reg.status.release, reg.status.source) == ("v1", url)
    repository = parse_ref(url).repository
    # One token for the whole load, asked for by the reader for pull only.
    assert oci_registry.tokens.requests[before:] == [("reader", [f"repository:{repository}:pull"])]


def test_a_pin_and_a_release_artifact_open_by_tag_or_digest(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    bundle, envelope = release_files()
    pinned = Registry.open(url, trust=TRUST, pin="sha256:" + sha256_hex(bundle), config=CONFIG)
    assert pinned.status.release == "v1"
    by_tag = Registry.open(url + ":release-v1", trust=TRUST, config=CONFIG)
    digest = "sha256:" + sha256_hex(release_manifest("v1", 1, bundle, envelope))
    by_digest = Registry.open(f"{url}@{digest}", trust=TRUST, config=CONFIG)
    assert by_tag.status.bundle_sha256 == by_digest.status.bundle_sha256 == sha256_hex(bundle)


def test_a_warm_cache_fetches_no_blob_but_the_pointer_it_lacks(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    fetched: list[str] = []
    real = OciClient.blob

    def spy(self: OciClient, digest: str, limit: int) -> bytes:
        fetched.append(digest)
        return real(self, digest, limit)

    monkeypatch.setattr(OciClient, "blob", spy)
    cache = tmp_path / "cache"
    Registry.open(url, trust=TRUST, channel="production", config=CONFIG, cache_dir=cache)
    assert len(fetched) == 3  # pointer, manifest, bundle
    fetched.clear()
    again = Registry.open(url, trust=TRUST, channel="production", config=CONFIG, cache_dir=cache)
    assert fetched == []  # the channel's manifest is read; every blob comes from the cache
    assert not again.status.from_cache  # ... yet it was checked against the registry


def _delete_tag(url: str, tag: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _login(monkeypatch, "alice")
    client = OciClient(parse_ref(url), timeout=10, user_agent="tests", actions=("delete",))
    digest = client.manifest(tag)[2]
    assert client.request("DELETE", f"manifests/{digest}").status == 202
    _login(monkeypatch, "reader")


def test_the_last_known_good_is_served_when_the_channel_is_gone(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    Registry.open(url, trust=TRUST, channel="production", config=CONFIG, cache_dir=cache)
    _delete_tag(url, "channel-production", monkeypatch)
    reg = Registry.open(url, trust=TRUST, channel="production", config=CONFIG, cache_dir=cache)
    assert (reg.status.from_cache, reg.status.stale, reg.status.release) == (True, True, "v1")
    assert reg.status.error is not None
    assert reg.status.error.endswith(":channel-production: not found in the registry")


def test_a_blob_changed_in_the_registrys_storage_is_refused(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch, commit="e" * 40)
    bundle, _ = release_files(commit="e" * 40)
    stored = oci_registry.registry.blob_file(sha256_hex(bundle))
    stored.write_bytes(stored.read_bytes().replace(b"Say hello", b"Say hallo"))
    with pytest.raises(BundleError, match="the registry served a blob with other bytes"):
        Registry.open(url, trust=TRUST, channel="production", config=CONFIG)


def test_a_channel_artifact_naming_another_release_is_refused(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pointer (signed) says v1; the unsigned OCI subject sends readers to v2.
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    v2_bundle, v2_envelope = release_files(release="v2", serial=2, commit="b" * 40)
    pointer = (tmp_path / "dist-aaaa" / "channels" / "production.json").read_bytes()
    _login(monkeypatch, "alice")
    pusher = Pusher(parse_ref(url), timeout=10, user_agent="tests")
    v2 = release_manifest("v2", 2, v2_bundle, v2_envelope)
    pusher.push_artifact("release-v2", v2, [v2_bundle, v2_envelope])
    pusher.push_artifact(
        "channel-production", channel_manifest("production", "v1", pointer, v2), [pointer]
    )
    _login(monkeypatch, "reader")
    with pytest.raises(
        BundleError, match=r"names release v1, but the release manifest says v2: .*mix-and-match"
    ):
        Registry.open(url, trust=TRUST, channel="production", config=CONFIG)


@pytest.mark.parametrize(
    ("user", "password", "message"),
    [
        (None, None, "HTTP 401 with no credentials for repository:tests/runtime-[0-9]+:pull; "
                     "set PROMPTOPS_OCI_USERNAME and PROMPTOPS_OCI_PASSWORD or run docker "
                     "login 127.0.0.1:"),
        ("reader", "wrong", "token request refused: HTTP 401 Unauthorized"),
    ],
)  # fmt: skip
def test_missing_or_wrong_credentials_say_what_to_do(
    oci_registry: TokenRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    user: str | None,
    password: str | None,
    message: str,
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    _login(monkeypatch, user, password)
    with pytest.raises(FetchError, match=message):
        Registry.open(url, trust=TRUST, channel="production", config=CONFIG)


def test_an_unknown_channel_is_a_fetch_error_naming_the_tag(
    oci_registry: TokenRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_registry.registry, tmp_path, monkeypatch)
    host = urllib.parse.urlsplit(url).netloc
    with pytest.raises(FetchError, match=f"{host}/tests/runtime-[0-9]+:channel-staging: not found"):
        Registry.open(url, trust=TRUST, channel="staging", config=CONFIG)


def test_a_registry_behind_basic_auth(
    oci_basic_registry: RunningRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _pushed(oci_basic_registry, tmp_path, monkeypatch, reader="alice")
    reg = Registry.open(url, trust=TRUST, channel="production", config=CONFIG)
    assert reg.status.release == "v1"
    _login(monkeypatch, None)
    with pytest.raises(FetchError, match="the registry asks for a user name and password"):
        Registry.open(url, trust=TRUST, channel="production", config=CONFIG)

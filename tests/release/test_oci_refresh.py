"""``promptops publish oci://... --refresh`` against a real registry with token
authentication: the pointers are re-signed exactly as a tree's are (the same code decides),
and an application whose clock is past the old expiry accepts the new ones."""

from __future__ import annotations

import datetime as dt
import itertools
import socket
from pathlib import Path
from typing import Any

import pytest

from promptops.errors import ExpiredError, FetchError, UsageError
from promptops.release import (
    canary_weight,
    create_release,
    promote,
    promote_oci,
    publish,
    publish_oci,
    refresh_oci,
)
from promptops.release.manifest import PointerSpec
from promptops.release.oci_push import Pusher
from promptops.release.oci_refresh import OciStore
from promptops.release.refresh import refresh
from promptops.release.trust_admin import revoke
from promptops.release.trustfile import policy_in_force
from promptops.runtime import Registry, RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.oci_client import parse_ref
from promptops.runtime.trust import ChannelPointer, verify_channel_pointer
from tests.helpers import commit_all, run_cli
from tests.oci_registry import USERS, TokenRegistry
from tests.release.conftest import DAYS_90, NOW, Signed
from tests.release.team import Team

DAY = dt.timedelta(days=1)
_names = itertools.count()


def _repository(oci: TokenRegistry) -> str:
    return oci.registry.url(f"tests/refresh-{next(_names)}")


def _releases(s: Signed, *names: str, now: dt.datetime = NOW) -> None:
    for i, name in enumerate(names):
        if i:
            greet = s.root / "prompts" / "greet.yaml"
            greet.write_text(greet.read_text().replace("Say hello", f"Say hello ({name})"))
            commit_all(s.root, name)
        create_release(s.root, name, [s.key], now=now, expires_in=DAYS_90, out=s.dist)


def _v1_in_production(s: Signed, oci: TokenRegistry) -> tuple[str, dict[str, Any]]:
    """A repository holding releases v1 and v2 with v1 promoted to production: its URL, and
    the keyword arguments that promoted it (to promote again)."""
    url = _repository(oci)
    _releases(s, "v1", "v2")
    publish_oci(s.dist, url, channel=None, keys=[], now=NOW, expires_in=DAY)
    kw: dict[str, Any] = {"now": NOW, "expires_in": DAY, "trust": s.trust}
    promote_oci(url, "v1", "production", [s.key], **kw)
    return url, kw


def _tag(url: str, channel: str) -> tuple[bytes, str]:
    """The pointer the registry serves for ``channel``, and its artifact's digest."""
    found = Pusher(parse_ref(url), timeout=10, user_agent="tests").pointer(channel)
    assert found is not None
    return found


def _pointer(url: str, channel: str, trust: TrustRoot) -> ChannelPointer:
    return verify_channel_pointer(_tag(url, channel)[0], trust, now=NOW, check_expiry=False)


def _strict(at: dt.datetime) -> RuntimeConfig:
    return RuntimeConfig(clock=lambda: at, expiry="strict")


@pytest.mark.usefixtures("alice")
def test_the_cli_refreshes_a_registry_as_it_refreshes_a_tree(
    signed: Signed,
    oci_registry: TokenRegistry,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = dt.datetime.now(dt.UTC)  # the CLI signs with the real clock
    _releases(signed, "v1", now=now)
    url, site = _repository(oci_registry), tmp_path / "site"
    kw = {"keys": [signed.key], "now": now, "expires_in": DAY, "trust": signed.trust}
    publish_oci(signed.dist, url, channel="production", **kw)  # type: ignore[arg-type]
    promote_oci(url, "v1", "staging", **kw)  # type: ignore[arg-type]
    publish(signed.dist, site, channel="production", **kw)  # type: ignore[arg-type]
    promote(site, "v1", "staging", **kw)  # type: ignore[arg-type]
    before = _pointer(url, "production", signed.trust)
    # An application whose clock is past the pointer's expiry refuses it...
    later = now + dt.timedelta(hours=36)
    expired = r"channel 'production' pointer \(release v1, serial 1\) expired at "
    with pytest.raises(ExpiredError, match=expired):
        Registry.open(url, trust=signed.trust, channel="production", config=_strict(later))

    monkeypatch.chdir(signed.root)  # the trust policy in force is the repository's
    refresh = ["--refresh", "--expires", "2d", "--key", str(signed.key_file)]
    code, out, err = run_cli(["publish", url, *refresh], capsys)
    assert (code, err) == (0, "")
    tree_code, tree_out, tree_err = run_cli(["publish", str(site), *refresh], capsys)
    assert (tree_code, tree_err) == (0, "")
    lines = [line.split(", expires ")[0] for line in out.splitlines()]
    assert lines == [
        "re-signed channel production -> v1 (serial 1)",
        "re-signed channel staging -> v1 (serial 1)",
    ]
    assert [line.split(", expires ")[0] for line in tree_out.splitlines()] == lines
    after = _pointer(url, "production", signed.trust)
    tree = verify_channel_pointer(
        (site / "channels" / "production.json").read_bytes(), signed.trust, now=NOW,
        check_expiry=False,
    )  # fmt: skip
    # The same release and serial, the next version, a new expiry: as the tree's refresh.
    assert after._replace(expires=NOW, signed=None) == tree._replace(expires=NOW, signed=None)
    assert (after.release, after.serial, after.version) == ("v1", 1, before.version + 1)
    assert after.expires >= now.replace(microsecond=0) + 2 * DAY > before.expires
    assert _pointer(url, "staging", signed.trust).version == 2
    # ... and accepts the re-signed one.
    reg = Registry.open(url, trust=signed.trust, channel="production", config=_strict(later))
    assert (reg.status.release, reg.status.serial, reg.status.expired) == ("v1", 1, False)
    assert reg.prompt("greet").render(name="Ada").messages[-1]["content"] == "Say hello to Ada."


@pytest.mark.usefixtures("alice")
def test_a_canary_keeps_both_releases_its_split_and_its_salt(
    signed: Signed, oci_registry: TokenRegistry
) -> None:
    url, kw = _v1_in_production(signed, oci_registry)
    promote_oci(url, "v2", "production", [signed.key], canary=canary_weight(10), **kw)
    before = _pointer(url, "production", signed.trust)
    later = NOW + dt.timedelta(hours=20)
    result = refresh_oci(url, [signed.key], now=later, expires_in=DAY, trust=signed.trust)
    assert result.problems == ()
    assert [r.describe() for r in result.refreshed] == [
        "v1 (serial 1), canary v2 (serial 2) at 10%"
    ]
    after = _pointer(url, "production", signed.trust)
    assert after._replace(version=0, expires=NOW, signed=None) == before._replace(
        version=0, expires=NOW, signed=None
    )
    assert (after.version, after.expires) == (before.version + 1, later + DAY)
    # Past the old pointer's expiry, an application is served both arms.
    reg = Registry.open(url, trust=signed.trust, channel="production",
                        config=_strict(NOW + dt.timedelta(hours=30)))  # fmt: skip
    assert (reg.status.release, reg.status.canary, reg.status.canary_weight) == ("v1", "v2", 1000)
    served = {reg.prompt("greet", key=f"user-{i}").provenance.release for i in range(200)}
    assert served == {"v1", "v2"}


@pytest.mark.parametrize("kind", ["tree", "oci"])
def test_a_channel_whose_release_no_longer_verifies_is_reported_and_left_alone(
    kind: str,
    team: Team,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = dt.datetime.now(dt.UTC)
    dist, site = team.root.parent / "dist", team.root.parent / "site"
    oci = kind == "oci"
    if oci:
        request.getfixturevalue("alice")
    where = _repository(request.getfixturevalue("oci_registry")) if oci else str(site)

    def staging_now() -> object:
        return _tag(where, "staging") if oci else (site / "channels" / "staging.json").read_bytes()

    def release_and_publish(name: str, signer: str) -> None:
        greet = team.root / "prompts" / "greet.yaml"
        greet.write_text(greet.read_text().replace("Say hello", f"Say hello ({name})"))
        commit_all(team.root, name)
        trust = policy_in_force(team.root)
        create_release(team.root, name, [team.key(signer)], now=now, expires_in=DAYS_90,
                       out=dist, trust=trust)  # fmt: skip
        kw = {"channel": "production", "keys": [team.key("ci")], "now": now, "expires_in": DAY,
              "trust": trust, "repo": team.root}  # fmt: skip
        if oci:
            publish_oci(dist, where, **kw)  # type: ignore[arg-type]
        else:
            publish(dist, site, **kw)  # type: ignore[arg-type]

    release_and_publish("v1", "alice")
    kw = {"now": now, "expires_in": DAY}
    if oci:
        promote_oci(where, "v1", "staging", [team.key("ci")], **kw)  # type: ignore[arg-type]
    else:
        promote(site, "v1", "staging", [team.key("ci")], **kw)  # type: ignore[arg-type]
    # alice's key is revoked (trust version 2, which bob releases under); production moves on.
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    revoke(team.root, "alice", [team.key("root")])
    commit_all(team.root, "trust: revoke alice, add bob")
    release_and_publish("v2", "bob")
    staging = staging_now()

    # The refresh walks the destination's trust chain from version 1, as applications do.
    shipped = team.root / "policies" / "trust" / "1.json"
    argv = ["publish", where, "--refresh", "--key", str(team.keys["ci"]), "--trust", str(shipped)]
    monkeypatch.chdir(team.root)
    code, out, err = run_cli(argv, capsys)
    assert code == 1
    assert out.split(", expires ")[0] == "re-signed channel production -> v2 (serial 2)"
    keyid = team.entries["alice"].split('keyid: "')[1]
    assert err == (
        "error: channel 'staging': release v1: envelope: 0 of 1 required signatures of the "
        f"release role (key {keyid[:12]} (alice) is revoked); its pointer is not re-signed "
        "(applications would refuse the release): promote a release that verifies (promptops "
        f"promote NAME --channel staging --dir {where})\n"
    )
    assert staging_now() == staging  # not re-signed, not touched


@pytest.mark.usefixtures("alice")
def test_nothing_is_pushed_when_the_registry_refuses(
    signed: Signed, oci_registry: TokenRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _repository(oci_registry)
    _releases(signed, "v1")
    publish_oci(signed.dist, url, channel="production", keys=[signed.key], now=NOW,
                expires_in=DAY, trust=signed.trust)  # fmt: skip
    before = _tag(url, "production")
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "reader")  # may pull, not push
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", USERS["reader"][0])
    with pytest.raises(FetchError, match=r"HTTP 401 with user 'reader' for repository:tests/"):
        refresh_oci(url, [signed.key], now=NOW, expires_in=DAY, trust=signed.trust)
    assert _tag(url, "production") == before
    # A registry repository without channel tags has nothing to refresh.
    empty = _repository(oci_registry)
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "alice")
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", USERS["alice"][0])
    publish_oci(signed.dist, empty, channel=None, keys=[], now=NOW, expires_in=DAY)
    with pytest.raises(UsageError, match=r": no channel-\* tags to refresh; promote a release"):
        refresh_oci(empty, [signed.key], now=NOW, expires_in=DAY, trust=signed.trust)


@pytest.mark.usefixtures("alice")
def test_a_promotion_that_lands_during_a_refresh_is_kept(
    signed: Signed, oci_registry: TokenRegistry
) -> None:
    url, kw = _v1_in_production(signed, oci_registry)

    class Racing(OciStore):
        """Another job promotes v2 after the refresh read the channel, before it writes."""

        def write(self, spec: PointerSpec, pointer: bytes) -> str:
            promote_oci(url, "v2", "production", [signed.key], **kw)
            return super().write(spec, pointer)

    store = Racing(url, timeout=10, config=RuntimeConfig())
    result = refresh(store, [signed.key], **kw)
    assert result.refreshed == ()
    assert result.problems == (
        f"{url}:channel-production: moved while it was being refreshed; left as it is: run "
        "publish --refresh again",
    )
    assert _pointer(url, "production", signed.trust).release == "v2"


@pytest.mark.usefixtures("alice")
def test_channels_are_listed_across_pages_of_tags(
    signed: Signed, oci_registry: TokenRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _repository(oci_registry)
    _releases(signed, "v1")
    kw = {"now": NOW, "expires_in": DAY, "trust": signed.trust}
    publish_oci(signed.dist, url, channel="production", keys=[signed.key], **kw)  # type: ignore[arg-type]
    for channel in ("beta", "staging"):
        promote_oci(url, "v1", channel, [signed.key], **kw)  # type: ignore[arg-type]
    monkeypatch.setattr("promptops.release.oci_push.TAG_PAGE", 1)  # one tag per page
    result = refresh_oci(url, [signed.key], **kw)  # type: ignore[arg-type]
    assert [r.channel for r in result.refreshed] == ["beta", "production", "staging"]


def test_the_cli_says_when_the_registry_cannot_be_reached(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    policy = str(signed.root / "policies" / "signers.yaml")
    argv = ["publish", f"oci://127.0.0.1:{port}/acme/prompts", "--refresh",
            "--key", str(signed.key_file), "--trust", policy]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"error: http://127.0.0.1:{port}/v2/acme/prompts/tags/list?n=100: cannot fetch "
        "([Errno 111] Connection refused)\n"
    )

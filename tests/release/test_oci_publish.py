"""``promptops publish oci://...`` / ``promote --dir oci://...`` / ``verify oci://...``
against a real registry with token authentication."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from promptops.errors import FetchError, RollbackError, UsageError
from promptops.release import create_release, promote_oci, publish_oci, verify_target
from promptops.runtime import Registry, RuntimeConfig
from tests.helpers import commit_all, git, run_cli
from tests.oci_registry import USERS, TokenRegistry
from tests.release.conftest import DAYS_90, NOW, Signed
from tests.release.team import Team

_names = itertools.count()


def _repository(oci: TokenRegistry) -> str:
    return oci.registry.url(f"tests/release-{next(_names)}")


def _release(s: Signed, name: str, text: str | None = None, now: dt.datetime = NOW) -> None:
    if text is not None:
        greet = s.root / "prompts" / "greet.yaml"
        greet.write_text(greet.read_text().replace("Say hello to", text))
        commit_all(s.root, f"greet: {text}")
    create_release(s.root, name, [s.key], now=now, expires_in=DAYS_90, out=s.dist)


def _publish(s: Signed, url: str, channel: str | None = "production") -> tuple[str, ...]:
    result = publish_oci(s.dist, url, channel=channel, keys=[s.key], now=NOW,
                         expires_in=DAYS_90, trust=s.trust)  # fmt: skip
    return result.tags


@pytest.mark.usefixtures("alice")
def test_publish_pushes_releases_then_the_channel_and_the_runtime_follows(
    signed: Signed, oci_registry: TokenRegistry
) -> None:
    url = _repository(oci_registry)
    _release(signed, "v1")
    tags = _publish(signed, url)
    assert [t.split("-")[0] for t in tags] == ["release", "sha256", "channel"]
    assert verify_target(url, signed.trust, now=NOW, channel="production").manifest.release == "v1"
    config = RuntimeConfig(clock=lambda: NOW)
    reg = Registry.open(url, trust=signed.trust, channel="production", config=config)
    assert reg.prompt("greet").render(name="Ada").messages[-1]["content"] == "Say hello to Ada."

    _release(signed, "v2", "Say hi to")
    assert _publish(signed, url)[-1] == "channel-production"
    assert reg.refresh().release == "v2"
    assert reg.prompt("greet").render(name="Ada").messages[-1]["content"] == "Say hi to Ada."


@pytest.mark.usefixtures("alice")
def test_publishing_again_writes_nothing(signed: Signed, oci_registry: TokenRegistry) -> None:
    url = _repository(oci_registry)
    _release(signed, "v1")
    _publish(signed, url, channel=None)
    assert _publish(signed, url, channel=None) == ()


@pytest.mark.usefixtures("alice")
def test_a_release_name_is_immutable_in_the_registry(
    signed: Signed, oci_registry: TokenRegistry, tmp_path: Path
) -> None:
    url = _repository(oci_registry)
    _release(signed, "v1")
    _publish(signed, url, channel=None)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(signed.root), str(clone))
    git(clone, "tag", "-d", "v1")
    other = Signed(clone, signed.key_file, signed.key, signed.trust, tmp_path / "other")
    _release(other, "v1", "Greet")
    immutable = "tag release-v1 already holds release 'v1' with different content; release names"
    with pytest.raises(UsageError, match=immutable):
        _publish(other, url, channel=None)


@pytest.mark.usefixtures("alice")
def test_promote_moves_a_channel_forward_and_never_back(
    signed: Signed, oci_registry: TokenRegistry
) -> None:
    url = _repository(oci_registry)
    _release(signed, "v1")
    _release(signed, "v2", "Hello")
    _publish(signed, url, channel=None)
    kw = {"now": NOW, "expires_in": DAYS_90, "trust": signed.trust}
    assert promote_oci(url, "v2", "production", [signed.key], **kw).serial == 2  # type: ignore[arg-type]
    with pytest.raises(RollbackError, match="refusing to move it back to v1"):
        promote_oci(url, "v1", "production", [signed.key], **kw)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="has no release 'v9'; publish it first"):
        promote_oci(url, "v9", "production", [signed.key], **kw)  # type: ignore[arg-type]
    assert verify_target(url, signed.trust, now=NOW, channel="production").manifest.release == "v2"


def test_a_reader_cannot_push(
    signed: Signed, oci_registry: TokenRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "reader")
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", USERS["reader"][0])
    _release(signed, "v1")
    with pytest.raises(
        FetchError,
        match=r"HTTP 401 with user 'reader' for repository:tests/release-[0-9]+:pull,push; set",
    ):
        _publish(signed, _repository(oci_registry))


@pytest.mark.usefixtures("alice")
def test_the_cli_publishes_and_verifies_oci(
    signed: Signed,
    oci_registry: TokenRegistry,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = _repository(oci_registry)
    _release(signed, "v1", now=dt.datetime.now(dt.UTC))  # the CLI reads the real clock
    monkeypatch.chdir(signed.root)
    key = ["--key", str(signed.key_file)]
    code, out, err = run_cli(["publish", url, "--from", str(signed.dist), "--channel",
                              "production", *key], capsys)  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[0] == f"published 1 release(s) to {url}"
    assert "channel production -> v1 (serial 1)" in out
    code, out, err = run_cli(["verify", url, "--channel", "production", "--format", "json"], capsys)
    assert code == 0, out
    assert json.loads(out)["release"] == "v1"
    code, out, err = run_cli(["verify", url + ":release-v1"], capsys)
    assert (code, out.splitlines()[0]) == (0, "verified release v1 (serial 1)")
    code, out, err = run_cli(["publish", "oci://Bad/Repo", "--from", str(signed.dist)], capsys)
    assert code == 2
    assert err == (
        "error: 'oci://Bad/Repo': repository 'Repo' must be lowercase path components "
        "(a-z, 0-9 and '.', '_', '-' between them)\n"
    )


@pytest.mark.usefixtures("alice")
def test_the_trust_chain_is_pushed_and_walked_from_a_registry(
    team: Team, oci_registry: TokenRegistry
) -> None:
    from promptops.release.trust_admin import revoke
    from promptops.release.trustfile import policy_in_force

    url = _repository(oci_registry)
    shipped = policy_in_force(team.root)  # what the application ships: version 1
    assert shipped is not None
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    revoke(team.root, "alice", [team.key("root")])
    commit_all(team.root, "trust: revoke alice, add bob")
    dist = team.root.parent / "dist"
    create_release(team.root, "v1", [team.key("bob")], now=NOW, expires_in=DAYS_90, out=dist,
                   trust=policy_in_force(team.root))  # fmt: skip
    result = publish_oci(dist, url, channel="production", keys=[team.key("ci")], now=NOW,
                         expires_in=DAYS_90, trust=policy_in_force(team.root),
                         repo=team.root)  # fmt: skip
    assert result.tags[:2] == ("trust-1", "trust-2")
    config = RuntimeConfig(clock=lambda: NOW)
    reg = Registry.open(url, trust=shipped, channel="production", config=config)
    assert (reg.status.release, reg.status.trust_version) == ("v1", 2)
    direct = Registry.open(url + ":release-v1", trust=shipped, config=config)
    assert direct.status.trust_version == 2

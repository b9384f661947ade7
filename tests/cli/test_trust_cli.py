"""The trust lifecycle end to end, as a team runs it: people sign releases, CI publishes
from tags with the channel key only, a key is revoked and another added without
redeploying the application, and a rollback restores content, never trust."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from promptops.runtime import Registry, RuntimeConfig
from tests.helpers import commit_all, git, run_cli
from tests.release.team import Team


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTOPS_SIGNING_KEY", raising=False)
    monkeypatch.delenv("PROMPTOPS_KEY_PASSPHRASE", raising=False)


def ci_publish(
    team: Team,
    site: Path,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
) -> tuple[int, str, str]:
    """What the CI workflow does: a fresh clone, publish --from-tags with the CI key."""
    clone = workdir / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    git(workdir, "clone", "-q", str(team.root), str(clone))
    monkeypatch.chdir(clone)
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", str(team.keys["ci"]))
    try:
        return run_cli(["publish", str(site), "--from-tags", *extra], capsys)
    finally:
        monkeypatch.delenv("PROMPTOPS_SIGNING_KEY")
        monkeypatch.chdir(team.root)


def _release(name: str, key: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["release", name, "--key", str(key)], capsys)


def test_release_v1_revoke_alice_add_bob_roll_back_to_v1_release_v3_with_bob(
    team: Team,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(team.root)
    keys = team.keys
    greet = team.root / "prompts" / "greet.yaml"
    v1_text = greet.read_text()
    assert _release("v1", keys["alice"], capsys)[0] == 0
    greet.write_text(v1_text.replace("Say hello", "Say hi"))
    commit_all(team.root, "say hi")
    assert _release("v2", keys["alice"], capsys)[0] == 0

    site, cache = tmp_path / "site", tmp_path / "app-cache"
    code, out, err = ci_publish(team, site, tmp_path, monkeypatch, capsys, "--channel",
                                "production")  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == "  channel production -> v2 (serial 2)"
    # The application ships the policy of that day and is never redeployed.
    shipped = tmp_path / "signers.json"
    shipped.write_text(
        json.dumps(yaml.safe_load((team.root / "policies/signers.yaml").read_text()))
    )
    config = RuntimeConfig()
    app = Registry.open(site, trust=shipped, channel="production", cache_dir=cache, config=config)
    assert app.prompt("greet").render(name="Ada").messages[-1]["content"] == "Say hi to Ada."

    # Revoke alice, add bob: a reviewed change, signed by the root key.
    signers = team.root / "policies" / "signers.yaml"
    signers.write_text(team.signers(["alice", "bob"]))
    code, out, err = run_cli(["trust", "revoke", "alice", "--key", str(keys["root"])], capsys)
    assert code == 0, err
    assert "wrote policies/trust/2.json (trust version 2)" in out
    assert run_cli(["validate"], capsys)[0] == 0
    commit_all(team.root, "trust: revoke alice, add bob")
    code, _, err = _release("v3-alice", keys["alice"], capsys)
    assert code == 1 and "(alice) is revoked" in err

    # Roll back to v1: the content of v1, the trust policy of today.
    trust_now = signers.read_text()
    code, out, err = run_cli(["rollback", "v1"], capsys)
    assert code == 0, err
    assert greet.read_text() == v1_text
    assert signers.read_text() == trust_now
    assert (team.root / "policies" / "trust" / "2.json").is_file()
    body = git(team.root, "log", "-1", "--format=%B")
    assert "a rollback restores content, never trust" in body
    assert _release("v3", keys["bob"], capsys)[0] == 0

    code, out, err = ci_publish(team, site, tmp_path, monkeypatch, capsys, "--channel",
                                "production")  # fmt: skip
    assert code == 0, err
    assert "  trust chain: versions 1..2" in out
    assert out.splitlines()[-1] == "  channel production -> v3 (serial 3)"
    assert "not published: v1: tag v1: envelope: 0 of 1 required signatures of the release " in err

    app = Registry.open(site, trust=shipped, channel="production", cache_dir=cache, config=config)
    assert (app.status.release, app.status.serial, app.status.trust_version) == ("v3", 3, 2)
    assert app.prompt("greet").render(name="Ada").messages[-1]["content"] == "Say hello to Ada."
    code, out, err = run_cli(
        ["verify", str(site), "--channel", "production", "--trust", str(shipped)], capsys
    )
    assert code == 0, err
    assert "  trust    version 2" in out.splitlines()

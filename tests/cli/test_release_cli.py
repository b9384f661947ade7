"""The release commands end to end through the CLI: keygen, release, publish, promote,
verify, rollback, log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import commit_all, git, init_repo, run_cli


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    root = tmp_path / "repo"
    init_repo(root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("PROMPTOPS_SIGNING_KEY", raising=False)
    monkeypatch.delenv("PROMPTOPS_KEY_PASSPHRASE", raising=False)
    key = tmp_path / "keys" / "alice.pem"
    code, out, err = run_cli(["keygen", "--out", str(key), "--name", "alice"], capsys)
    assert code == 0, err
    assert f"wrote private key {key}" in err
    assert out.startswith("  - name: alice\n    keyid: ")
    (root / "policies" / "signers.yaml").write_text("threshold: 1\nsigners:\n" + out)
    commit_all(root, "trust alice")
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", str(key))
    return root


def test_release_publish_verify_promote_rollback_log(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["release", "v1"], capsys)
    assert code == 0, err
    assert out.startswith("released v1: serial 1, commit ")

    code, out, err = run_cli(["verify", "dist/releases/v1"], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "verified release v1 (serial 1)"
    assert "  signers  alice" in out.splitlines()

    site = tmp_path / "site"
    code, out, err = run_cli(["publish", str(site), "--channel", "production"], capsys)
    assert (code, out.splitlines()[-1]) == (0, "  channel production -> v1 (serial 1)"), err

    greet = project / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    code, _, err = run_cli(["release", "v2"], capsys)
    assert code == 2
    assert "error: uncommitted changes to prompt sources (prompts/greet.yaml)" in err
    commit_all(project, "say hi")
    assert run_cli(["release", "v2"], capsys)[0] == 0
    assert run_cli(["publish", str(site)], capsys)[0] == 0
    code, out, _ = run_cli(["promote", "v2", "--channel", "production", "--dir", str(site)], capsys)
    assert out == "channel production -> v2 (serial 2) (was v1, serial 1)\n"
    code, _, err = run_cli(["promote", "v1", "--channel", "production", "--dir", str(site)], capsys)
    assert code == 1
    assert "refusing to move it back to v1 (serial 1)" in err

    code, out, err = run_cli(
        ["verify", str(site), "--channel", "production", "--format", "json"], capsys
    )
    report = json.loads(out)
    assert (code, report["ok"], report["release"], report["serial"]) == (0, True, "v2", 2)

    code, out, err = run_cli(["rollback", "v1"], capsys)
    assert code == 0, err
    assert "Revert prompts to v1 (from v2)" in out
    assert run_cli(["release", "v3"], capsys)[0] == 0
    v1 = json.loads((project / "dist/releases/v1/bundle.json").read_bytes())["index"]
    v3 = json.loads((project / "dist/releases/v3/bundle.json").read_bytes())["index"]
    assert {k: v[2] for k, v in v1.items()} == {k: v[2] for k, v in v3.items()}
    assert "promptops-serial: 3" in git(project, "tag", "-l", "--format=%(contents)", "v3")

    code, out, err = run_cli(["log", "greet"], capsys)
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.endswith("Revert prompts to v1 (from v2)  [release v3]")


def test_verify_failure_is_explained_and_exits_non_zero(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["release", "v1"], capsys)[0] == 0
    bundle = project / "dist/releases/v1/bundle.json"
    bundle.write_bytes(bundle.read_bytes()[:-1])
    code, out, err = run_cli(["verify", "dist/releases/v1"], capsys)
    assert code == 1
    assert err.startswith("error: bundle: ")
    assert "the bundle is truncated (an incomplete download?)" in err
    code, out, _ = run_cli(["verify", "dist/releases/v1", "--format", "json"], capsys)
    result = json.loads(out)
    assert (code, result["ok"]) == (1, False)
    assert "the bundle is truncated" in result["error"]


def test_keygen_refuses_a_key_inside_the_repository(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["keygen", "--out", "release.pem"], capsys)
    assert code == 2
    assert "refusing to write a private key inside the git work tree" in err
    assert not (project / "release.pem").exists()


def test_release_without_a_key_says_how_to_get_one(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMPTOPS_SIGNING_KEY")
    code, _, err = run_cli(["release", "v1"], capsys)
    assert code == 2
    assert "no signing key: pass --key FILE or set PROMPTOPS_SIGNING_KEY" in err
    assert os.listdir(project).count("dist") == 0


@pytest.fixture
def git_argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``git`` first on PATH that records every command line, then runs the real one."""
    import shutil
    import stat

    real = shutil.which("git")
    assert real is not None
    log = tmp_path / "git-argv.log"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell wrapper for git")
def test_a_signing_key_secret_is_never_echoed_nor_put_on_a_command_line(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    git_argv_log: Path,
) -> None:
    secret = "MC4CAQAwBQYDK2VwBCIEIBqXsecret0notPEMarmour"  # a PEM body without its armour
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", secret)
    code, out, err = run_cli(["release", "v1"], capsys)
    assert code == 2
    assert err == (
        "error: PROMPTOPS_SIGNING_KEY is neither PEM nor a file: set it to the key's PEM text "
        "(-----BEGIN PRIVATE KEY----- ...) or to the path of an existing key file\n"
    )
    assert secret not in out + err
    assert secret not in (git_argv_log.read_text() if git_argv_log.exists() else "")
    # A real key file is fine, and its path reaches git on stdin, not as an argument.
    key = project / "secrets" / "alice.pem"
    key.parent.mkdir()
    key.write_bytes((project.parent / "keys" / "alice.pem").read_bytes())
    (project / ".gitignore").write_text("secrets/\n")
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", str(key))
    assert run_cli(["release", "v1"], capsys)[0] == 0
    assert "check-ignore -q --stdin" in git_argv_log.read_text()
    assert str(key) not in git_argv_log.read_text()


def test_publish_refresh_re_signs_every_pointer(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["release", "v1"], capsys)[0] == 0
    site = tmp_path / "site"
    code, _, err = run_cli(["publish", str(site), "--channel", "production"], capsys)
    assert code == 0, err
    assert run_cli(["promote", "v1", "--channel", "staging", "--dir", str(site)], capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in (site / "channels").iterdir()}
    code, out, err = run_cli(["publish", str(site), "--refresh", "--expires", "2d"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split(", expires")[0] for line in lines] == [
        "re-signed channel production -> v1 (serial 1)",
        "re-signed channel staging -> v1 (serial 1)",
    ]
    after = {p.name: p.read_bytes() for p in (site / "channels").iterdir()}
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)
    code, out, _ = run_cli(["verify", str(site), "--channel", "staging"], capsys)
    assert code == 0 and "(pointer expires" in out
    code, _, err = run_cli(["publish", str(site), "--refresh", "--channel", "x"], capsys)
    assert (code, err) == (
        2,
        "error: --refresh re-signs the pointers DESTINATION has; run it alone\n",
    )

"""End to end from a real git repository: build / release / publish with the real tools,
then load and render through the runtime and through ``promptops render``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.runtime import Registry
from tests.helpers import commit_all, init_repo, run_cli
from tests.runtime.conftest import Served


@pytest.fixture
def site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A repository released as v1 and published to ``tmp_path/site`` on channel production."""
    root = tmp_path / "repo"
    init_repo(root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("PROMPTOPS_KEY_PASSPHRASE", raising=False)
    key = tmp_path / "keys" / "alice.pem"
    code, out, err = run_cli(["keygen", "--out", str(key), "--name", "alice"], capsys)
    assert code == 0, err
    one = "{threshold: 1, signers: [alice]}"  # one key holds every role, deliberately
    (root / "policies" / "signers.yaml").write_text(
        f"signers:\n{out}roles: {{root: {one}, release: {one}, channel: {one}}}\n"
    )
    commit_all(root, "trust alice")
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", str(key))
    assert run_cli(["release", "v1"], capsys)[0] == 0
    code, _, err = run_cli(["publish", str(tmp_path / "site"), "--channel", "production"], capsys)
    assert code == 0, err
    return tmp_path / "site"


def _trust_json(tmp_path: Path) -> Path:
    import yaml

    data = yaml.safe_load((tmp_path / "repo/policies/signers.yaml").read_text())
    (tmp_path / "signers.json").write_text(json.dumps(data, default=str))
    return tmp_path / "signers.json"


def test_runtime_loads_what_the_real_tools_published(site: Path, tmp_path: Path) -> None:
    trust = _trust_json(tmp_path)
    reg = Registry.open(site, trust=trust, channel="production", cache_dir=tmp_path / "cache")
    req = reg.prompt("greet").render(name="Ada")
    assert req.messages == [
        {"role": "system", "content": "Be brief and kind."},
        {"role": "user", "content": "Say hello to Ada."},
    ]
    assert (req.model, req.provider) == ("echo-2024-01-01", "echo")
    assert req.params["temperature"] == 0.1
    assert req.provenance.release == "v1" and req.provenance.serial == 1
    assert reg.check_tool_call("greet", "lookup", {"user": "ada"}).allowed
    pinned = Registry.open(site, trust=trust, pin=f"sha256:{reg.status.bundle_sha256}")
    assert pinned.status.release == "v1"


def test_runtime_loads_the_published_site_over_http(
    site: Path, tmp_path: Path, http_root: Served
) -> None:
    import shutil

    shutil.copytree(site, http_root.root, dirs_exist_ok=True)
    reg = Registry.open(http_root.url, trust=_trust_json(tmp_path), channel="production")
    assert reg.prompt("greet").render(name="B").messages[1]["content"] == "Say hello to B."


def test_render_from_a_release(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        [
            "render",
            "greet",
            "--var",
            "name=Ada",
            "--release",
            str(site),
            "--channel",
            "production",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["provenance"]["release"] == "v1"
    assert data["messages"][1] == {"role": "user", "content": "Say hello to Ada."}
    assert err == ""


def test_render_the_working_tree_says_it_is_unsigned(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greet = tmp_path / "repo/prompts/greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Wave"))
    code, out, err = run_cli(["render", "greet", "--var", "name=Ada"], capsys)
    assert code == 0, err
    assert out == "[system]\nBe brief and kind.\n\n[user]\nWave to Ada.\n"
    assert err.startswith("note: rendered from the working tree of .")
    code, out, _ = run_cli(
        ["render", "greet", "--var-json", 'name="J"', "--format", "anthropic"], capsys
    )
    assert json.loads(out)["system"] == "Be brief and kind."


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["render", "greet"], 1, "error: prompt 'greet': missing required input 'name'\n"),
        (
            ["render", "gret", "--var", "name=x"],
            2,
            "error: no prompt 'gret'; did you mean 'greet'?\n",
        ),
        (["render", "greet", "--var", "name"], 2, "expected NAME=VALUE, found 'name'"),
        (["render", "greet", "--var-json", "name={"], 2, "name: not JSON"),
        (["render", "greet", "--channel", "x"], 2, "--channel, --pin and --key need --release"),
        (["render", "greet", "--key", "u1"], 2, "--channel, --pin and --key need --release"),
        (
            ["render", "greet", "--var", "name=x", "--variant", "short"],
            2,
            "error: prompt 'greet' has no variant 'short' (variants: base)\n",
        ),
    ],
)
def test_render_errors(
    site: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, _, err = run_cli(argv, capsys)
    assert got == code
    assert message in err


def test_render_a_variant_from_the_working_tree_and_a_release(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greet = tmp_path / "repo/prompts/greet.yaml"
    greet.write_text(
        greet.read_text()
        + "variants:\n  short:\n    messages: [{role: user, content: 'Hi {{ name }}.'}]\n"
    )
    code, out, err = run_cli(["render", "greet", "--var", "name=Ada", "--variant", "short"], capsys)
    assert (code, out) == (0, "[system]\nBe brief and kind.\n\n[user]\nHi Ada.\n"), err
    # The release has no variants yet: a key changes nothing, a variant is refused by name.
    release = ["render", "greet", "--var", "name=Ada", "--release", str(site), "--channel",
               "production", "--key", "user-1", "--format", "json"]  # fmt: skip
    code, out, err = run_cli(release, capsys)
    assert code == 0, err
    assert json.loads(out)["provenance"]["variant"] is None
    code, _, err = run_cli([*release, "--variant", "short"], capsys)
    assert (code, err) == (
        2, "error: prompt 'greet' of release v1 has no variant 'short' (variants: base)\n"
    )  # fmt: skip

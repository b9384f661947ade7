from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.release import generate_key, load_trust


def test_yaml_and_json_give_the_same_trust_root(tmp_path: Path) -> None:
    entry = generate_key(tmp_path / "a.pem", "alice")
    yml = tmp_path / "signers.yaml"
    yml.write_text(
        "threshold: 1\nsigners:\n"
        + entry.to_yaml()
        + "    not_after: 2027-01-01T00:00:00Z\n    revoked: true\n"
    )
    js = tmp_path / "signers.json"
    js.write_text(
        json.dumps(
            {"signers": [{**entry.__dict__, "revoked": True, "not_after": "2027-01-01T00:00:00Z"}]}
        )
    )
    a, b = load_trust(yml), load_trust(js)
    assert a == b
    key = a.keys[entry.keyid]
    assert key.revoked and key.name == "alice" and key.not_after is not None


def test_a_keyid_that_does_not_match_the_key(tmp_path: Path) -> None:
    entry = generate_key(tmp_path / "a.pem", "alice")
    yml = tmp_path / "signers.yaml"
    yml.write_text("signers:\n" + entry.to_yaml().replace(entry.keyid, "0" * 64))
    with pytest.raises(UsageError, match=f"declares keyid {'0' * 64}, but its public key hashes"):
        load_trust(yml)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("signers: []\n", "lists no signers; add one with promptops keygen"),
        ("threshold: 0\nsigners: []\n", "threshold: Input should be greater than or equal to 1"),
        ("signers: [\n", "not valid YAML"),
    ],
)
def test_bad_trust_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "signers.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_trust(path)


def test_missing_trust_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read the trust root .*; pass --trust FILE"):
        load_trust(tmp_path / "nope.yaml")


def _roles_file(tmp_path: Path, extra: str = "", role_extra: str = "") -> Path:
    a = generate_key(tmp_path / "a.pem", "alice")
    b = generate_key(tmp_path / "b.pem", "ci")
    path = tmp_path / "signers.yaml"
    path.write_text(
        "signers:\n" + a.to_yaml() + extra + b.to_yaml() + "roles:\n"
        "  root: {threshold: 1, signers: [alice]}\n"
        f"  release: {{threshold: 1, signers: [alice{role_extra}]}}\n"
        "  channel: {threshold: 1, signers: [ci]}\n"
    )
    return path


@pytest.mark.parametrize(
    ("extra", "role_extra"),
    [
        ("", ""),  # plain: read without the model
        ("    revoked: false\n", ""),
        ("    revoked: 'false'\n", ""),  # coerced by the model: read by it
        ("    not_before: 2026-01-01T00:00:00Z\n", ""),  # a date: read by the model
        ("", ", ci"),
    ],
)
def test_a_plain_signers_file_reads_as_the_model_reads_it(
    tmp_path: Path, extra: str, role_extra: str
) -> None:
    from promptops.release.trustfile import parse_signers, trust_from_signers

    path = _roles_file(tmp_path, extra, role_extra)
    model = trust_from_signers(parse_signers(path.read_text(), str(path)), str(path))
    assert load_trust(path) == model


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    revoked: 'maybe'\n", r"revoked: Input should be a valid boolean"),
        ("    colour: blue\n", r"colour: Extra inputs are not permitted"),
        ("    scheme: rsa\n", r"scheme: Input should be 'ed25519'"),
    ],
)
def test_a_signers_file_the_plain_reading_cannot_take_gets_the_model_message(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        load_trust(_roles_file(tmp_path, extra))

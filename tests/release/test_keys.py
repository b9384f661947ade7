from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.release import generate_key, load_signing_keys, signer_entry
from promptops.release.keys import check_key_location
from tests.helpers import git, init_repo


def test_keygen_writes_a_0600_pkcs8_pem_and_the_signers_entry(tmp_path: Path) -> None:
    out = tmp_path / "k" / "alice.pem"
    entry = generate_key(out, "alice")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    key = load_signing_keys([out], None, None)[0]
    raw = base64.b64decode(entry.public_key)
    assert entry.keyid == hashlib.sha256(raw).hexdigest()
    assert signer_entry(key, "alice") == entry
    assert entry.to_yaml() == (
        f'  - name: alice\n    keyid: "{entry.keyid}"\n    public_key: "{entry.public_key}"\n'
        "    scheme: ed25519\n"
    )
    assert [p.name for p in out.parent.iterdir()] == ["alice.pem"]  # no temp file left


def test_keygen_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "alice.pem"
    generate_key(out, "alice")
    before = out.read_bytes()
    with pytest.raises(UsageError, match="already exists; refusing to overwrite a key"):
        generate_key(out, "alice")
    assert out.read_bytes() == before


def test_passphrase_encrypts_and_is_required(tmp_path: Path) -> None:
    out = tmp_path / "alice.pem"
    generate_key(out, "alice", b"s3cret")
    assert out.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(UsageError, match="set PROMPTOPS_KEY_PASSPHRASE"):
        load_signing_keys([out], None, None)
    with pytest.raises(UsageError, match="wrong passphrase"):
        load_signing_keys([out], None, b"wrong")
    assert load_signing_keys([out], None, b"s3cret")


def test_key_inside_the_work_tree_is_refused_unless_ignored(repo: Path) -> None:
    inside = repo / "keys" / "alice.pem"
    with pytest.raises(UsageError, match=r"refusing to write a private key inside the git work"):
        generate_key(inside, "alice")
    assert not inside.exists()
    (repo / ".gitignore").write_text("keys/\n", encoding="utf-8")
    generate_key(inside, "alice")
    assert load_signing_keys([inside], None, None)


def test_a_tracked_key_is_refused_even_if_a_pattern_matches(repo: Path) -> None:
    key = repo / "alice.pem"
    (repo / ".gitignore").write_text("*.pem\n", encoding="utf-8")
    generate_key(key, "alice")
    git(repo, "add", "-f", "alice.pem")
    with pytest.raises(UsageError, match="refusing to use a private key inside the git work"):
        check_key_location(key, "use")


def test_signing_key_from_environment_text_or_path(tmp_path: Path) -> None:
    out = tmp_path / "alice.pem"
    entry = generate_key(out, "alice")
    from_text = load_signing_keys([], out.read_text(), None)[0]
    from_path = load_signing_keys([], str(out), None)[0]
    assert signer_entry(from_text, "alice") == signer_entry(from_path, "alice") == entry
    with pytest.raises(UsageError, match="no signing key: pass --key FILE or set PROMPTOPS"):
        load_signing_keys([], None, None)


def test_a_missing_key_file_is_named_missing_even_inside_a_work_tree(repo: Path) -> None:
    # A mistyped --key inside the repository is reported as missing, not as a key that
    # could be committed.
    for missing in (repo / "nokey.pem", repo.parent / "nokey.pem"):
        with pytest.raises(UsageError) as caught:
            load_signing_keys([missing], None, None)
        assert str(caught.value) == (
            f"{missing}: no such signing key file; pass the path keygen wrote "
            "(default ~/.config/promptops/keys/NAME.pem), or create one with promptops keygen"
        )


def test_not_a_key(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("hello", encoding="utf-8")
    with pytest.raises(UsageError, match="not a readable private key PEM"):
        load_signing_keys([bogus], None, None)


def test_outside_any_repository_is_fine(tmp_path: Path) -> None:
    init_repo(tmp_path / "elsewhere")
    check_key_location(tmp_path / "alice.pem", "write")

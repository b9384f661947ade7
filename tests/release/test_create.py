from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.errors import SignatureError, UsageError, ValidationError
from promptops.release import (
    create_release,
    generate_key,
    load_signing_keys,
    load_trust,
    rollback,
)
from promptops.release._git import release_tags
from promptops.runtime.trust import verify_release
from tests.helpers import commit_all, git
from tests.release.conftest import DAYS_90, NOW, Signed


def _release(s: Signed, name: str) -> tuple[dict[str, str], int]:
    result = create_release(
        s.root, name, [s.key], now=NOW, expires_in=DAYS_90, out=s.dist, trust=s.trust
    )
    directory = s.dist / "releases" / name
    bundle = (directory / "bundle.json").read_bytes()
    manifest = verify_release(
        (directory / "release.dsse.json").read_bytes(), bundle, s.trust, now=NOW
    )
    assert manifest.serial == result.serial
    # The manifest signs the index's pages (checked against this bundle by verify_release).
    return {pid: e[2] for pid, e in json.loads(bundle)["index"].items()}, manifest.serial


def test_release_writes_signed_artifacts_and_an_annotated_tag(signed: Signed) -> None:
    result = create_release(
        signed.root,
        "v1",
        [signed.key],
        now=NOW,
        expires_in=DAYS_90,
        out=signed.dist,
        trust=signed.trust,
    )
    head = git(signed.root, "rev-parse", "HEAD")
    assert (result.serial, result.commit) == (1, head)
    bundle = (signed.dist / "releases/v1/bundle.json").read_bytes()
    manifest = verify_release(
        (signed.dist / "releases/v1/release.dsse.json").read_bytes(),
        bundle,
        signed.trust,
        now=NOW,
    )
    assert manifest.commit == head
    assert manifest.tree == git(signed.root, "rev-parse", "HEAD^{tree}")
    assert manifest.prompt_count == 1 and manifest.prompts.firsts == ("greet",)  # type: ignore[union-attr]
    assert dict(manifest.models) == {"default": "echo/echo-2024-01-01"}
    assert manifest.expires - manifest.created == DAYS_90
    assert json.loads(bundle)["source"]["commit"] == head
    message = git(signed.root, "tag", "-l", "--format=%(contents)", "v1")
    assert "promptops-serial: 1" in message.splitlines()
    assert f"promptops-bundle: sha256:{result.bundle_sha256}" in message.splitlines()
    assert "promptops-predicate: https://promptops.dev/release/v2" in message.splitlines()
    assert git(signed.root, "cat-file", "-t", "v1") == "tag"


def test_refuses_a_dirty_tree(signed: Signed) -> None:
    (signed.root / "prompts" / "new.yaml").write_text("kind: partial\ntemplate: x\n")
    with pytest.raises(UsageError, match=r"uncommitted changes to prompt sources \(prompts/new"):
        create_release(
            signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist
        )
    assert not signed.dist.exists()


def test_changes_outside_prompt_sources_do_not_block(signed: Signed) -> None:
    (signed.root / "README.md").write_text("notes\n")
    assert (
        create_release(
            signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist
        ).serial
        == 1
    )


def test_refuses_an_existing_tag_and_a_bad_name(signed: Signed) -> None:
    git(signed.root, "tag", "v1")
    with pytest.raises(UsageError, match="tag 'v1' already exists; choose a new release name"):
        create_release(
            signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist
        )
    with pytest.raises(UsageError, match=r"release name '\.\./x' must match"):
        create_release(
            signed.root, "../x", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist
        )


def test_refuses_a_repository_that_does_not_validate(signed: Signed) -> None:
    greet = signed.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("model: default", "model: nope"))
    commit_all(signed.root, "break it")
    with pytest.raises(ValidationError):
        create_release(
            signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist
        )
    assert release_tags(signed.root) == {}


def test_refuses_keys_the_repository_does_not_trust(signed: Signed, tmp_path: Path) -> None:
    generate_key(tmp_path / "mallory.pem", "mallory")
    mallory = load_signing_keys([tmp_path / "mallory.pem"], None, None)
    with pytest.raises(
        SignatureError, match=r"these keys do not satisfy the release role of the trust policy"
    ):
        create_release(
            signed.root,
            "v1",
            mallory,
            now=NOW,
            expires_in=DAYS_90,
            out=signed.dist,
            trust=signed.trust,
        )
    assert release_tags(signed.root) == {}


def test_release_change_release_rollback_release(signed: Signed) -> None:
    v1_prompts, serial1 = _release(signed, "v1")
    greet = signed.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    (signed.root / "prompts" / "extra.yaml").write_text(
        "kind: partial\ndescription: x\nowner: team-a\ntemplate: extra\n"
    )
    commit_all(signed.root, "change greeting")
    v2_prompts, serial2 = _release(signed, "v2")
    assert v2_prompts["greet"] != v1_prompts["greet"]

    result = rollback(signed.root, "v1")
    assert result.message == "Revert prompts to v1 (from v2)"
    assert git(signed.root, "log", "-1", "--format=%s") == "Revert prompts to v1 (from v2)"
    assert git(signed.root, "status", "--porcelain") == ""
    assert not (signed.root / "prompts" / "extra.yaml").exists()
    assert git(signed.root, "rev-parse", "HEAD:prompts") == git(
        signed.root, "rev-parse", "v1^{}:prompts"
    )

    v3_prompts, serial3 = _release(signed, "v3")
    assert (serial1, serial2, serial3) == (1, 2, 3)
    assert v3_prompts == v1_prompts


def test_rollback_refusals(signed: Signed) -> None:
    with pytest.raises(UsageError, match=r"'v9' is not a promptops release tag \(releases: none"):
        rollback(signed.root, "v9")
    _release(signed, "v1")
    with pytest.raises(
        UsageError, match="content already equals that of release v1; nothing to revert"
    ):
        rollback(signed.root, "v1")
    (signed.root / "models.yaml").write_text("models: {}\n")
    with pytest.raises(UsageError, match=r"uncommitted changes to prompt sources \(models.yaml"):
        rollback(signed.root, "v1")


def test_threshold_two_needs_two_distinct_keys(signed: Signed, tmp_path: Path) -> None:
    bob_entry = generate_key(tmp_path / "bob.pem", "bob")
    signers = signed.root / "policies" / "signers.yaml"
    text = signers.read_text().replace("threshold: 1", "threshold: 2")
    signers.write_text(text + bob_entry.to_yaml())
    commit_all(signed.root, "two signers")
    trust = load_trust(signers)
    bob = load_signing_keys([tmp_path / "bob.pem"], None, None)[0]
    with pytest.raises(SignatureError, match="1 of 2 required signatures of the release role"):
        create_release(
            signed.root,
            "v1",
            [signed.key, signed.key],
            now=NOW,
            expires_in=DAYS_90,
            out=signed.dist,
            trust=trust,
        )
    result = create_release(
        signed.root,
        "v1",
        [signed.key, bob],
        now=NOW,
        expires_in=DAYS_90,
        out=signed.dist,
        trust=trust,
    )
    envelope = (result.directory / "release.dsse.json").read_bytes()
    bundle = (result.directory / "bundle.json").read_bytes()
    assert len(verify_release(envelope, bundle, trust, now=NOW).signers) == 2

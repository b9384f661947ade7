"""``promptops trust rotate | revoke | sign`` and what ``validate`` says about the chain."""

from __future__ import annotations

import pytest

from promptops.errors import UsageError
from promptops.release.trust_admin import revoke, rotate, sign
from promptops.release.trustfile import policy_in_force
from promptops.repo import validate_repository
from tests.helpers import commit_all
from tests.release.team import Team


def _codes(team: Team) -> list[tuple[str, str, str]]:
    repo = validate_repository(team.root, cache=False)
    return [(d.path, d.level, d.code) for d in repo.diagnostics if d.code != "deprecated-model"]


def test_the_first_rotation_starts_the_chain_with_the_committed_policy(team: Team) -> None:
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    result = rotate(team.root, [team.key("root")])
    assert (result.version, result.started, result.missing) == (2, True, None)
    assert sorted(p.name for p in (team.root / "policies" / "trust").iterdir()) == [
        "1.json",
        "2.json",
    ]
    assert _codes(team) == []
    in_force = policy_in_force(team.root)
    assert in_force is not None and in_force.version == 2
    assert {k.name for k in in_force.release.keys.values()} == {"alice", "bob"}


def test_an_unchanged_policy_is_not_a_new_version(team: Team) -> None:
    assert rotate(team.root, [team.key("root")]).version == 1  # starts the chain only
    commit_all(team.root, "chain")
    with pytest.raises(UsageError, match=r"does not differ from policies/trust/1.json; edit it"):
        rotate(team.root, [team.key("root")])


def test_a_root_threshold_of_two_is_met_by_each_owner_signing_in_turn(team: Team) -> None:
    signers = team.root / "policies" / "signers.yaml"
    two_roots = "root: {threshold: 2, signers: [root, bob]}"
    text = team.signers(["alice", "bob"])
    signers.write_text(text.replace("root: {threshold: 1, signers: [root]}", two_roots))
    assert rotate(team.root, [team.key("root"), team.key("bob")]).missing is None
    commit_all(team.root, "two root keys")
    text = signers.read_text()
    signers.write_text(text.replace("signers: [alice, bob]}", "signers: [bob]}"))
    first = rotate(team.root, [team.key("root")])
    assert first.version == 3 and first.missing is not None
    assert "1 of 2 required signatures of the root role" in first.missing
    assert ("policies/trust/3.json", "error", "trust-chain") in _codes(team)
    done = sign(team.root, 3, [team.key("bob")])
    assert done.missing is None and _codes(team) == []


def test_revoke_marks_the_signer_and_signs_the_next_version(team: Team) -> None:
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    result = revoke(team.root, "alice", [team.key("root")])
    assert result.version == 2
    text = (team.root / "policies" / "signers.yaml").read_text()
    assert "    revoked: true" in text and text.startswith("version: 2\nchain: ")
    with pytest.raises(
        UsageError, match=r"no signer named 'eve' \(signers: alice, bob, ci, root\)"
    ):
        revoke(team.root, "eve", [team.key("root")])


def test_a_key_outside_the_root_role_signs_nothing(team: Team) -> None:
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    with pytest.raises(UsageError, match=r"cannot start the trust chain: version 1 .* must be "
                       r"signed by its own root role"):  # fmt: skip
        rotate(team.root, [team.key("alice")])


def test_validate_reports_an_edit_that_was_not_signed_and_a_gap(team: Team) -> None:
    rotate(team.root, [team.key("root")])
    signers = team.root / "policies" / "signers.yaml"
    signers.write_text(signers.read_text().replace("signers: [alice]", "signers: [alice, ci]"))
    diags = validate_repository(team.root, cache=False).diagnostics
    (edited,) = [d for d in diags if d.code == "trust-chain"]
    assert edited.path == "policies/signers.yaml" and edited.message.startswith(
        "policies/signers.yaml was edited after policies/trust/1.json signed it"
    )
    (team.root / "policies" / "trust" / "3.json").write_text("{}")
    gap = [d for d in validate_repository(team.root, cache=False).diagnostics
           if d.path == "policies/trust/3.json"]  # fmt: skip
    assert gap[0].message == (
        "version 3 follows no policies/trust/2.json: the chain must go 1, 2, 3, ... without a gap"
    )


def test_starting_the_chain_with_a_key_outside_the_root_role_names_the_root_signers(
    team: Team,
) -> None:
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["alice", "bob"]))
    with pytest.raises(UsageError) as caught:
        rotate(team.root, [team.key("ci")])
    assert str(caught.value) == (
        "cannot start the trust chain: version 1 (the committed policies/signers.yaml) must be "
        "signed by its own root role: envelope: no signatures; sign it with a key from the "
        "trust root; pass the root keys with --key (root role: root)"
    )
    assert not (team.root / "policies" / "trust").exists()

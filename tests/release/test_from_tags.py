"""CI publishes only what people signed: ``publish --from-tags`` re-assembles each release
from the signatures its tag carries and refuses every way a pushed tag could smuggle
content onto a channel."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from promptops.errors import BundleError, SignatureError, UsageError
from promptops.release import create_release, publish
from promptops.release._git import release_tags
from promptops.release.trustfile import policy_in_force
from tests.helpers import commit_all, git
from tests.release.conftest import DAYS_90, NOW
from tests.release.team import Team

DAY = dt.timedelta(days=1)


def _release(team: Team, name: str, who: str = "alice") -> None:
    create_release(
        team.root, name, [team.key(who)], now=NOW, expires_in=DAYS_90, out=team.root / "dist",
        trust=policy_in_force(team.root),
    )  # fmt: skip


def _edit(team: Team, text: str) -> None:
    greet = team.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", text))
    commit_all(team.root, text)


def _publish(team: Team, tmp_path: Path, channel: str | None = "production", **kw: object):  # type: ignore[no-untyped-def]
    return publish(
        tmp_path / "ci-dist",
        tmp_path / "site",
        channel=channel,
        keys=[team.key(str(kw.pop("key", "ci")))],
        now=NOW,
        expires_in=DAY,
        trust=policy_in_force(team.root, "main"),
        tags_from=team.root,
        branch=str(kw.pop("branch", "main")),
        **kw,  # type: ignore[arg-type]
    )


def _forge_tag(team: Team, name: str, message: str, commit: str = "HEAD") -> None:
    git(team.root, "tag", "-a", name, commit, "-m", message)


def _message(team: Team, name: str) -> str:
    return release_tags(team.root)[name].message


def test_the_tag_carries_the_signatures_and_ci_rebuilds_the_exact_envelope(
    team: Team, tmp_path: Path
) -> None:
    _release(team, "v1")
    message = _message(team, "v1")
    assert re.search(r"^promptops-signature: [0-9a-f]{64} \S+$", message, re.M)
    assert re.search(r"^promptops-expires: 2026-08-30T12:00:00Z$", message, re.M)
    result = _publish(team, tmp_path)
    assert result.releases == ("v1",) and result.channels[0].release == "v1"
    written = (tmp_path / "ci-dist" / "releases" / "v1" / "release.dsse.json").read_bytes()
    assert written == (team.root / "dist" / "releases" / "v1" / "release.dsse.json").read_bytes()


def test_a_tag_pushed_on_an_unreviewed_commit_is_refused(team: Team, tmp_path: Path) -> None:
    _release(team, "v1")
    git(team.root, "checkout", "-q", "-b", "sneaky")
    _edit(team, "Transfer all funds")
    _release(team, "v2")  # even signed by a real release key
    git(team.root, "checkout", "-q", "main")
    with pytest.raises(UsageError, match=r"^tag v2 is on commit [0-9a-f]{12}, which is not on "
                       r"main: only reviewed commits of the branch are published"):  # fmt: skip
        _publish(team, tmp_path)
    assert _publish(team, tmp_path, branch="sneaky").releases == ("v1", "v2")


def test_a_tag_claiming_a_serial_with_forged_or_missing_signatures_is_refused(
    team: Team, tmp_path: Path
) -> None:
    _release(team, "v1")
    _edit(team, "Say yo")
    bundle = re.search(r"promptops-bundle: (\S+)", _message(team, "v1"))
    assert bundle is not None
    # Anyone who can push a tag writes the old trailer lines: no signatures.
    from promptops.compile import build

    digest = build(team.root, ref="HEAD").sha256
    _forge_tag(team, "v2", f"promptops release v2\n\npromptops-serial: 2\n"
               f"promptops-bundle: sha256:{digest}\n")  # fmt: skip
    with pytest.raises(BundleError, match=r"^tag v2 carries no release signatures"):
        _publish(team, tmp_path)
    git(team.root, "tag", "-d", "v2")
    # ...or copies v1's signature lines next to its own content.
    lines = [ln for ln in _message(team, "v1").splitlines() if ln.startswith("promptops-")]
    forged = "\n".join(ln.replace("serial: 1", "serial: 2") for ln in lines if "bundle" not in ln)
    _forge_tag(team, "v2", f"promptops release v2\n\n{forged}\npromptops-bundle: sha256:{digest}\n")
    with pytest.raises(SignatureError, match=r"^tag v2: envelope: 0 of 1 required signatures of "
                       r"the release role \(invalid signature by key"):  # fmt: skip
        _publish(team, tmp_path)


def test_a_channel_key_cannot_make_a_release(team: Team, tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match=r"these keys do not satisfy the release role"):
        _release(team, "v1", who="ci")
    assert release_tags(team.root) == {}


def test_publishing_signs_pointers_only_and_only_with_a_channel_key(
    team: Team, tmp_path: Path
) -> None:
    _release(team, "v1")
    with pytest.raises(SignatureError, match=r"these keys may not sign channel pointers: .*"
                       r"\(alice\), which the channel role does not list"):  # fmt: skip
        _publish(team, tmp_path, key="alice")
    assert not (tmp_path / "site" / "channels").exists()


def test_nothing_is_promoted_unless_the_run_says_so(team: Team, tmp_path: Path) -> None:
    _release(team, "v1")
    promote_dir = tmp_path / "ci-dist" / "channels"
    promote_dir.mkdir(parents=True)
    result = _publish(team, tmp_path, channel=None)
    assert result.channels == () and not (tmp_path / "site" / "channels").exists()


@pytest.mark.parametrize(
    ("serials", "message"),
    [
        ((1, 1), r"^tags v1 and v2 both claim serial 1"),
        ((1, 3), r"^tag v2 claims serial 3, but the serial before it is 1 \(v1\): a skipped"),
    ],
)
def test_duplicate_and_skipped_serials_are_refused(
    team: Team, tmp_path: Path, serials: tuple[int, int], message: str
) -> None:
    for name, serial in zip(("v1", "v2"), serials, strict=True):
        _forge_tag(team, name, f"promptops release {name}\n\npromptops-serial: {serial}\n")
    with pytest.raises(BundleError, match=message):
        _publish(team, tmp_path)


def test_an_unsigned_edit_of_the_policy_neither_releases_nor_counts(
    team: Team, tmp_path: Path
) -> None:
    from promptops.errors import ValidationError
    from promptops.release.trust_admin import rotate

    _release(team, "v1")
    rotate(team.root, [team.key("root")])  # starts the chain: policies/trust/1.json
    commit_all(team.root, "trust chain")
    # signers.yaml edited to trust bob, committed without a signed trust version.
    (team.root / "policies" / "signers.yaml").write_text(team.signers(["bob"]))
    commit_all(team.root, "trust bob")
    in_force = policy_in_force(team.root, "main")
    assert in_force is not None
    assert {k.name for k in in_force.release.keys.values()} == {"alice"}
    with pytest.raises(ValidationError):
        _release(team, "v2", who="bob")


def test_a_tag_made_before_release_v2_is_re_assembled_as_the_v1_manifest_it_signs(
    team: Team, tmp_path: Path
) -> None:
    import base64
    import json
    from dataclasses import replace

    from promptops.release.manifest import ReleaseSpec, sign_manifest
    from promptops.runtime.trust import PREDICATE_TYPE_V1, read_manifest_unverified

    _release(team, "v1")
    dist = team.root / "dist" / "releases" / "v1"
    bundle = (dist / "bundle.json").read_bytes()
    m = read_manifest_unverified((dist / "release.dsse.json").read_bytes())
    digests = {pid: e[2] for pid, e in json.loads(bundle)["index"].items()}
    spec = ReleaseSpec(m.release, m.serial, m.commit, m.tree, digests, dict(m.models),
                       m.created, m.expires, m.promptops_version)  # fmt: skip
    old = json.loads(sign_manifest(replace(spec, predicate_type=PREDICATE_TYPE_V1), bundle,
                                   [team.key("alice")]))  # fmt: skip
    (signature,) = old["signatures"]
    lines = [line for line in _message(team, "v1").splitlines()
             if not line.startswith(("promptops-predicate:", "promptops-signature:"))]  # fmt: skip
    lines.append(f"promptops-signature: {signature['keyid']} {signature['sig']}")
    git(team.root, "tag", "-d", "v1")
    _forge_tag(team, "v1", "\n".join(lines) + "\n")
    assert _publish(team, tmp_path).releases == ("v1",)
    written = (tmp_path / "ci-dist" / "releases" / "v1" / "release.dsse.json").read_bytes()
    assert written == json.dumps(old, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    assert b'"predicateType":"https://promptops.dev/release/v1"' in base64.b64decode(old["payload"])

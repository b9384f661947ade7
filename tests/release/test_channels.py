from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.errors import BundleError, RollbackError, SignatureError, UsageError
from promptops.release import create_release, promote, publish
from promptops.release.refresh import refresh_pointers
from promptops.release.trust_admin import rotate
from promptops.release.trustfile import policy_in_force
from promptops.runtime.trust import (
    check_pointer_matches,
    verify_channel_pointer,
    verify_release,
)
from tests.helpers import commit_all, git
from tests.release.conftest import DAYS_90, NOW, Signed
from tests.release.team import Team

WEEK = dt.timedelta(days=7)


def _two_releases(s: Signed) -> None:
    create_release(s.root, "v1", [s.key], now=NOW, expires_in=DAYS_90, out=s.dist)
    greet = s.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    commit_all(s.root, "hi")
    create_release(s.root, "v2", [s.key], now=NOW, expires_in=DAYS_90, out=s.dist)


def _verify_channel(s: Signed, root: Path, channel: str) -> str:
    pointer = verify_channel_pointer(
        (root / "channels" / f"{channel}.json").read_bytes(), s.trust, now=NOW
    )
    release = root / "releases" / pointer.release
    manifest = verify_release(
        (release / "release.dsse.json").read_bytes(),
        (release / "bundle.json").read_bytes(),
        s.trust,
        now=NOW,
    )
    check_pointer_matches(pointer, manifest)
    digest = (root / "digests" / manifest.bundle_sha256).read_text()
    assert digest == pointer.release + "\n"
    return pointer.release


def test_publish_lays_out_the_static_tree(signed: Signed, tmp_path: Path) -> None:
    _two_releases(signed)
    site = tmp_path / "site"
    result = publish(
        signed.dist,
        site,
        channel="production",
        keys=[signed.key],
        now=NOW,
        expires_in=WEEK,
        trust=signed.trust,
    )
    assert result.releases == ("v1", "v2")
    files = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith("digests/")] == [
        "channels/production.json",
        "releases/v1/bundle.json",
        "releases/v1/release.dsse.json",
        "releases/v2/bundle.json",
        "releases/v2/release.dsse.json",
    ]
    assert len([f for f in files if f.startswith("digests/")]) == 2
    assert _verify_channel(signed, site, "production") == "v2"
    # Publishing again is idempotent.
    publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=WEEK)


def test_promote_moves_forward_and_refuses_to_move_back(signed: Signed) -> None:
    _two_releases(signed)
    first = promote(signed.dist, "v1", "production", [signed.key], now=NOW, expires_in=WEEK)
    assert (first.release, first.previous_release) == ("v1", None)
    second = promote(
        signed.dist, "v2", "production", [signed.key], now=NOW, expires_in=WEEK, trust=signed.trust
    )
    assert (second.serial, second.previous_serial) == (2, 1)
    before = (signed.dist / "channels" / "production.json").read_bytes()
    with pytest.raises(
        RollbackError,
        match=r"channel 'production' serves release v2 \(serial 2\); refusing to move it back "
        r"to v1 \(serial 1\)",
    ):
        promote(signed.dist, "v1", "production", [signed.key], now=NOW, expires_in=WEEK)
    assert (signed.dist / "channels" / "production.json").read_bytes() == before
    assert _verify_channel(signed, signed.dist, "production") == "v2"
    # Channels are independent.
    promote(signed.dist, "v1", "staging", [signed.key], now=NOW, expires_in=WEEK)
    assert _verify_channel(signed, signed.dist, "staging") == "v1"


def test_promoting_a_release_the_tree_does_not_hold_says_to_publish_it(
    signed: Signed, tmp_path: Path
) -> None:
    _two_releases(signed)
    site = tmp_path / "site"
    publish(signed.dist, site, channel="production", keys=[signed.key], now=NOW, expires_in=WEEK)
    with pytest.raises(UsageError) as caught:
        promote(site, "v3", "production", [signed.key], now=NOW, expires_in=WEEK)
    assert str(caught.value) == (
        f"{site}/releases/v3/release.dsse.json: not found: {site} has no release v3; publish "
        f"it there first (promptops publish {site}, from dist/ or --from-tags), or create it "
        "(promptops release v3)"
    )
    assert _verify_channel(signed, site, "production") == "v2"  # the pointer is untouched


def test_publish_refuses_a_different_release_under_a_published_name(
    signed: Signed, tmp_path: Path
) -> None:
    _two_releases(signed)
    site = tmp_path / "site"
    publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=WEEK)
    (site / "releases" / "v1" / "bundle.json").write_bytes(
        (site / "releases" / "v2" / "bundle.json").read_bytes()
    )
    with pytest.raises(UsageError, match="already published with different content"):
        publish(signed.dist, site, channel=None, keys=[], now=NOW, expires_in=WEEK)


def test_publish_needs_releases(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no releases/ directory; run promptops release first"):
        publish(tmp_path, tmp_path / "site", channel=None, keys=[], now=NOW, expires_in=WEEK)


def test_publish_from_tags_in_a_fresh_clone(signed: Signed, tmp_path: Path) -> None:
    _two_releases(signed)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(signed.root), str(clone))
    site = tmp_path / "site"
    result = publish(
        clone / "dist",
        site,
        channel="production",
        keys=[signed.key],
        now=NOW,
        expires_in=WEEK,
        trust=signed.trust,
        tags_from=clone,
        branch="origin/main",
    )
    assert result.releases == ("v1", "v2")
    assert _verify_channel(signed, site, "production") == "v2"
    for name in ("v1", "v2"):
        rebuilt = (site / "releases" / name / "bundle.json").read_bytes()
        assert rebuilt == (signed.dist / "releases" / name / "bundle.json").read_bytes()


def test_a_tag_whose_commit_builds_other_bytes_is_refused(signed: Signed, tmp_path: Path) -> None:
    git(
        signed.root,
        "tag",
        "-a",
        "v9",
        "-m",
        f"promptops release v9\n\npromptops-serial: 9\npromptops-bundle: sha256:{'0' * 64}\n",
    )
    with pytest.raises(
        BundleError,
        match=f"tag v9 records bundle sha256:{'0' * 64}, but its commit now builds sha256:",
    ):
        publish(
            tmp_path / "dist",
            tmp_path / "site",
            channel=None,
            keys=[signed.key],
            now=NOW,
            expires_in=WEEK,
            tags_from=signed.root,
            trust=signed.trust,
            branch="main",
        )


def test_after_the_channel_key_changes_a_move_replaces_the_old_pointer(
    team: Team, tmp_path: Path
) -> None:
    # ci moved channels under trust version 1; version 2 gives the channel role to bob.
    site, dist = tmp_path / "site", team.root / "dist"

    def release_and_publish(name: str, key: str) -> None:
        trust = policy_in_force(team.root)
        create_release(team.root, name, [team.key("alice")], now=NOW, expires_in=DAYS_90,
                       out=dist, trust=trust)  # fmt: skip
        publish(dist, site, channel="production", keys=[team.key(key)], now=NOW,
                expires_in=WEEK, trust=trust, repo=team.root)  # fmt: skip

    release_and_publish("v1", "ci")
    text = team.signers(["alice"]).replace("signers: [ci]}", "signers: [bob]}")
    (team.root / "policies" / "signers.yaml").write_text(
        text.replace("signers:\n", "signers:\n" + team.entries["bob"], 1), encoding="utf-8"
    )
    assert rotate(team.root, [team.key("root")]).version == 2
    commit_all(team.root, "trust 2: bob holds the channel key")
    new_trust = policy_in_force(team.root)
    assert new_trust is not None and new_trust.version == 2
    old_pointer = (site / "channels" / "production.json").read_bytes()
    # The pointer ci signed is no pointer of version 2: refreshing it as it is, or splitting
    # it with a canary, would carry it over, so both refuse it (refresh reports the channel)...
    refreshed = refresh_pointers(site, [team.key("bob")], now=NOW, expires_in=WEEK,
                                 trust=new_trust)  # fmt: skip
    assert refreshed.refreshed == ()
    [problem] = refreshed.problems
    assert problem.startswith(f"{site / 'channels' / 'production.json'}: ")
    assert problem.endswith(
        "; a pointer signed before the channel key changed is not re-signed as it is: promote "
        "a release to the channel with the new key, which replaces it (promptops promote NAME "
        f"--channel production --dir {site})"
    )
    with pytest.raises(SignatureError, match=r"\(ci\), which the channel role does not list"):
        promote(site, "v1", "production", [team.key("bob")], now=NOW, expires_in=WEEK,
                trust=new_trust, canary=1000)  # fmt: skip
    assert (site / "channels" / "production.json").read_bytes() == old_pointer
    # ... while a move, by the new key, replaces it, numbering on from it.
    release_and_publish("v2", "bob")
    pointer = verify_channel_pointer(
        (site / "channels" / "production.json").read_bytes(), new_trust, now=NOW
    )
    assert (pointer.release, pointer.serial, pointer.version) == ("v2", 2, 2)
    assert sorted(p.name for p in (site / "trust").iterdir()) == ["1.json", "2.json"]
    # The old key cannot move it back.
    with pytest.raises(SignatureError, match=r"these keys may not sign channel pointers"):
        promote(site, "v2", "production", [team.key("ci")], now=NOW, expires_in=WEEK,
                trust=new_trust)  # fmt: skip

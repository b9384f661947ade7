"""A team's repository with split trust roles, for the trust lifecycle tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.release import generate_key, load_signing_keys
from tests.helpers import commit_all, init_repo


@dataclass(frozen=True)
class Team:
    """A committed repository whose trust policy splits the roles: root (root), release
    (alice), channel (ci); bob has a key but is not trusted yet. ``keys[name]`` are key
    files, ``entries[name]`` the signers.yaml entries keygen printed."""

    root: Path
    keys: dict[str, Path]
    entries: dict[str, str]

    def signers(self, release: list[str], revoked: tuple[str, ...] = ()) -> str:
        """A role-form signers.yaml (root: root, channel: ci)."""
        names = sorted({"root", "ci", *release, *revoked})
        entries = "".join(
            self.entries[n] + ("    revoked: true\n" if n in revoked else "") for n in names
        )
        return (
            "signers:\n" + entries + "roles:\n"
            "  root: {threshold: 1, signers: [root]}\n"
            f"  release: {{threshold: 1, signers: [{', '.join(release)}]}}\n"
            "  channel: {threshold: 1, signers: [ci]}\n"
        )

    def key(self, name: str) -> Ed25519PrivateKey:
        return load_signing_keys([self.keys[name]], None, None)[0]


def make_team(tmp_path: Path) -> Team:
    """The repository of :class:`Team` under ``tmp_path``."""
    root = tmp_path / "repo"
    init_repo(root)
    keys, entries = {}, {}
    for name in ("root", "alice", "bob", "ci"):
        keys[name] = tmp_path / "keys" / f"{name}.pem"
        entries[name] = generate_key(keys[name], name).to_yaml()
    made = Team(root, keys, entries)
    (root / "policies" / "signers.yaml").write_text(made.signers(["alice"]), encoding="utf-8")
    commit_all(root, "trust: root, alice releases, ci moves channels")
    return made

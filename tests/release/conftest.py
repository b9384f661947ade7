from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.release import generate_key, load_signing_keys, load_trust
from promptops.runtime.dsse import TrustRoot
from tests.helpers import commit_all, init_repo
from tests.oci_registry import USERS

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAYS_90 = dt.timedelta(days=90)


@dataclass(frozen=True)
class Signed:
    """A committed repository whose policies/signers.yaml trusts ``key`` (file ``key_file``)."""

    root: Path
    key_file: Path
    key: Ed25519PrivateKey
    trust: TrustRoot
    dist: Path


@pytest.fixture
def signed(tmp_path: Path) -> Signed:
    root = tmp_path / "repo"
    init_repo(root)
    key_file = tmp_path / "keys" / "alice.pem"
    entry = generate_key(key_file, "alice")
    (root / "policies" / "signers.yaml").write_text(
        "threshold: 1\nsigners:\n" + entry.to_yaml(), encoding="utf-8"
    )
    commit_all(root, "trust alice")
    key = load_signing_keys([key_file], None, None)[0]
    trust = load_trust(root / "policies" / "signers.yaml")
    return Signed(root, key_file, key, trust, tmp_path / "dist")


@pytest.fixture
def alice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registry credentials of alice, who may push (tests/oci_registry.py)."""
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "alice")
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", USERS["alice"][0])

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, init_repo
from tests.oci_registry import oci_basic_registry, oci_registry

__all__ = ["oci_basic_registry", "oci_registry"]  # real registries on loopback, per test module


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    yield


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed copy of the minimal valid repository."""
    root = tmp_path / "repo"
    init_repo(root)
    return root

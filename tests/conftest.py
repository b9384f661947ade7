from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GIT_ENV, init_repo
from tests.oci_registry import oci_basic_registry, oci_registry
from tests.release.team import Team, make_team

__all__ = ["oci_basic_registry", "oci_registry"]  # real registries on loopback, per test module


# Set by git for hooks and `git rebase -x`: inherited, they would point every git command a
# test runs at the repository the suite was started from instead of the test's own.
_GIT_LOCATION = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
)
for _key in _GIT_LOCATION:
    os.environ.pop(_key, None)


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


@pytest.fixture(autouse=True, scope="session")
def _every_code_is_documented() -> Iterator[None]:
    """Every repository any test loads may only report codes listed in repo/codes.py (the
    list docs/readme/diagnostics.md is generated from)."""
    from promptops.repo import loader
    from promptops.repo.codes import CODES

    real = loader._load
    unknown: set[str] = set()

    def checked(*args: Any, **kwargs: Any) -> Any:
        repo = real(*args, **kwargs)
        unknown.update(d.code for d in repo.diagnostics if d.code not in CODES)
        return repo

    loader._load = checked
    yield
    loader._load = real
    assert not unknown, f"diagnostic codes missing from promptops/repo/codes.py: {unknown}"


@pytest.fixture
def team(tmp_path: Path) -> Team:
    """A committed repository with split trust roles (see tests/release/team.py)."""
    return make_team(tmp_path)

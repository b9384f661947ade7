"""Caps on file size and count; the parallel checker agrees with the sequential one."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import promptops.repo.parallel as parallel
from promptops.repo import Limits, load_repository
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, write_files

TODAY = dt.date(2026, 6, 1)


def test_oversized_file_in_working_tree_and_ref(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root)
    (root / "prompts" / "big.yaml").write_text("kind: prompt\n" + "# pad\n" * 400)
    commit_all(root, "big")
    limits = Limits(max_file_bytes=1000)
    expected = [
        (
            "prompts/big.yaml",
            1,
            1,
            "too-large",
            "file is larger than the limit of 1000 bytes; split it into smaller files",
        )
    ]
    for ref in (None, "HEAD"):
        repo = load_repository(root, ref, today=TODAY, limits=limits)
        assert [(d.path, d.line, d.col, d.code, d.message) for d in repo.errors] == expected


def test_too_many_files(tmp_path: Path) -> None:
    write_files(tmp_path, MINIMAL_REPO)
    repo = load_repository(tmp_path, today=TODAY, limits=Limits(max_files=3))
    assert repo.errors[0].code == "too-many-files"
    assert repo.errors[0].message == (
        "more than 3 files under models.yaml, prompts/, policies/ and evals/; the limit is 3 "
        "(raise it with 'limits: {max_files: N}' in policies/rules.yaml or --limit max_files=N)"
    )


def _with_rules(tmp_path: Path, rules: str) -> Path:
    files = {**MINIMAL_REPO, "policies/rules.yaml": rules}
    write_files(tmp_path, files)
    return tmp_path


def test_rules_yaml_raises_and_lowers_limits(tmp_path: Path) -> None:
    # 7 files: over a limit of 3 from the default; rules.yaml lifts it, or lowers another.
    root = _with_rules(tmp_path, "rules: {require_owner: true}\nlimits: {max_files: 7}\n")
    assert load_repository(root, today=TODAY, limits=Limits(max_files=3)).ok
    (root / "policies/rules.yaml").write_text("limits: {max_file_bytes: 200}\n")
    repo = load_repository(root, today=TODAY)
    assert {(d.path, d.code) for d in repo.errors} == {("prompts/greet.yaml", "too-large")}


def test_overrides_win_over_rules_yaml(tmp_path: Path) -> None:
    root = _with_rules(tmp_path, "limits: {max_files: 7}\n")
    repo = load_repository(root, today=TODAY, overrides={"max_files": 3})
    assert repo.errors[0].code == "too-many-files"
    lower, higher = Limits(max_files=3), {"max_files": 9}
    repo = load_repository(root, today=TODAY, limits=lower, overrides=higher)
    assert repo.ok


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (
            "{max_depth: 1001}",
            "policies/rules.yaml:1:21: error: limits.max_depth: input should be less than or "
            "equal to 1000; found 1001 [schema]",
        ),
        (
            "{max_files: 0}",
            "policies/rules.yaml:1:21: error: limits.max_files: input should be greater than "
            "or equal to 1; found 0 [schema]",
        ),
        (
            "{max_file: 10}",
            "policies/rules.yaml:1:10: error: unknown key 'max_file' in 'limits'; did you mean "
            "'max_files'? [unknown-key]",
        ),
    ],
)
def test_bad_limits_are_diagnostics(tmp_path: Path, limits: str, message: str) -> None:
    root = _with_rules(tmp_path, f"limits: {limits}\n")
    repo = load_repository(root, today=TODAY)
    assert [str(d) for d in repo.errors] == [message]


def test_parallel_checks_match_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = dict(MINIMAL_REPO)
    for i in range(30):
        files[f"prompts/many/p{i}.yaml"] = MINIMAL_REPO["prompts/greet.yaml"].replace(
            "model: default", "model: defualt" if i % 7 == 0 else "model: default"
        )
    write_files(tmp_path, files)
    sequential = load_repository(tmp_path, cache=False, today=TODAY)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    maps: list[int] = []
    real_map = ProcessPoolExecutor.map

    def spy(self: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        maps.append(1)
        return real_map(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "map", spy)
    in_parallel = load_repository(tmp_path, cache=False, today=TODAY)
    assert maps == [1]  # the pool really ran
    assert in_parallel.diagnostics == sequential.diagnostics
    assert len(sequential.errors) == 5
    assert sorted(in_parallel.prompts) == sorted(sequential.prompts)


def test_rules_yaml_limits_hold_on_loads_answered_from_the_store(tmp_path: Path) -> None:
    # The second load reads rules.yaml's data from the store (by its blob), parsing nothing.
    import promptops.repo.store as store_module

    root = tmp_path / "repo"
    init_repo(root, {**MINIMAL_REPO, "policies/rules.yaml": "limits: {max_files: 7}\n"})
    assert load_repository(root, today=TODAY, limits=Limits(max_files=3)).ok
    store_module._PROCESS.clear()  # a new process: only the store on disk remains
    assert load_repository(root, today=TODAY, limits=Limits(max_files=3)).ok
    (root / "policies/rules.yaml").write_text("limits: {max_files: 5}\n")
    store_module._PROCESS.clear()
    repo = load_repository(root, today=TODAY, limits=Limits(max_files=3))
    assert repo.errors[0].code == "too-many-files"

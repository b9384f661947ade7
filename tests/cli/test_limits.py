"""``--limit NAME=N`` on the commands that read a repository, over rules.yaml's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.cli import limits as cli_limits
from promptops.spec import LIMIT_CEILINGS
from tests.helpers import commit_all, run_cli


def test_names_match_the_spec() -> None:
    assert list(cli_limits.NAMES) == list(LIMIT_CEILINGS)


def test_validate_limit_lowers_and_raises(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["validate", str(repo), "--limit", "max_files=3"], capsys)
    assert code == 1
    assert "error: more than 3 files under models.yaml" in out
    (repo / "policies/rules.yaml").write_text("limits: {max_files: 3}\n")
    commit_all(repo, "limit")
    assert run_cli(["validate", str(repo)], capsys)[0] == 1
    assert run_cli(["validate", str(repo), "--limit", "max-files=7"], capsys)[0] == 0


def test_build_honours_compile_limits(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["build", str(repo), "--limit", "max_bundle_bytes=100"], capsys)
    assert code == 1
    assert "cannot build: the bundle is" in err
    assert "over the limit of 100" in err
    (repo / "policies/rules.yaml").write_text("limits: {max_prompts: 1, max_bundle_bytes: 100}\n")
    commit_all(repo, "limit")
    code, _, err = run_cli(["build", str(repo), "--limit", "max_bundle_bytes=1000000"], capsys)
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("max_file=3", "expected NAME=N with NAME one of: max_files, max_file_bytes"),
        ("max_files", "expected NAME=N with NAME one of: max_files, max_file_bytes"),
        ("max_files=many", "max_files: expected an integer, found 'many'"),
        ("max_depth=1001", "max_depth: expected 1 to 1000, found 1001"),
        ("max_files=0", "max_files: expected 1 to 10000000, found 0"),
    ],
)
def test_bad_limit_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], arg: str, message: str
) -> None:
    code, out, err = run_cli(["validate", str(repo), "--limit", arg], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_bundle_over_the_limit_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = repo / "out"
    code, _, err = run_cli(
        ["build", str(repo), "--out", str(out), "--limit", "max_bundle_bytes=100"], capsys
    )
    assert code == 1 and "over the limit of 100" in err
    assert not out.exists()

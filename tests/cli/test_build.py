from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import MINIMAL_REPO, git, run_cli, write_files


def test_build_writes_dist_and_prints_digest_count_and_source(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["build", str(repo)], capsys)
    data = (repo / "dist" / "bundle.json").read_bytes()
    head = git(repo, "rev-parse", "HEAD")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"wrote {repo / 'dist' / 'bundle.json'} ({len(data)} bytes)",
        f"digest:  sha256:{hashlib.sha256(data).hexdigest()}",
        "prompts: 1",
        f"source:  commit {head} tree {tree} (clean)",
    ]


def test_build_ref_into_out_dir_matches_the_working_tree(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["build", str(repo), "--out", str(tmp_path / "wt")], capsys)[0] == 0
    code, out, _ = run_cli(
        ["build", str(repo), "--ref", "HEAD", "--out", str(tmp_path / "ref")], capsys
    )
    assert code == 0
    assert out.startswith(f"wrote {tmp_path / 'ref' / 'bundle.json'} (")
    assert (tmp_path / "ref" / "bundle.json").read_bytes() == (
        tmp_path / "wt" / "bundle.json"
    ).read_bytes()


def test_build_defaults_to_the_current_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    code, out, _ = run_cli(["build"], capsys)
    assert code == 0
    assert out.startswith("wrote dist/bundle.json (")
    assert (repo / "dist" / "bundle.json").is_file()


def test_dirty_tree_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    code, out, _ = run_cli(["build", str(repo)], capsys)
    assert code == 0
    assert out.splitlines()[-1].endswith("(dirty working tree)")


def test_invalid_repository_prints_diagnostics_and_exits_1(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("tools: [lookup]", "tools: [lokup]"))
    code, out, err = run_cli(["build", str(repo)], capsys)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith("prompts/greet.yaml:")
    assert "lokup" in lines[0]
    assert lines[-1] == (
        "error: cannot build: the repository has 1 error(s); run `promptops validate` and fix them"
    )
    assert not (repo / "dist").exists()


def test_unknown_ref_exits_2_without_traceback(repo: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "promptops", "build", str(repo), "--ref", "nope"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr


def test_directory_outside_git_builds_with_no_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "plain"
    write_files(root, MINIMAL_REPO)
    code, out, _ = run_cli(["build", str(root)], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "source:  working tree (no commit)"
    assert (
        b'"source":{"commit":null,"dirty":true,"tree":null}}'
        in (root / "dist" / "bundle.json").read_bytes()
    )

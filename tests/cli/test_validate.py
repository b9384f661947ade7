"""``promptops validate``: output formats and exit codes (0 clean, 1 errors, 2 usage)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from promptops.cli.main import main
from tests.helpers import commit_all


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["validate", *argv])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def break_model(repo: Path) -> None:
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("model: default", "model: defualt"))


def test_clean_repository_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(repo))
    assert code == 0
    assert out == "ok: 0 error(s), 0 warning(s), 7 valid document(s)\n"


def test_errors_exit_1_with_positions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_model(repo)
    code, out, _ = run(capsys, str(repo))
    assert code == 1
    assert out.splitlines() == [
        "prompts/greet.yaml:4:8: error: unknown model 'defualt'; did you mean 'default'? "
        "[unknown-model]",
        "failed: 1 error(s), 0 warning(s), 6 valid document(s)",
    ]


def test_json_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_model(repo)
    code, out, _ = run(capsys, str(repo), "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {
            "path": "prompts/greet.yaml",
            "line": 4,
            "col": 8,
            "level": "error",
            "code": "unknown-model",
            "message": "unknown model 'defualt'; did you mean 'default'?",
        }
    ]


def test_ref_validates_a_commit_not_the_working_tree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_model(repo)
    commit_all(repo, "broken")
    (repo / "prompts" / "greet.yaml").write_text(
        (repo / "prompts" / "greet.yaml").read_text().replace("defualt", "default")
    )
    assert run(capsys, str(repo))[0] == 0
    assert run(capsys, str(repo), "--ref", "HEAD")[0] == 1
    assert run(capsys, str(repo), "--ref", "HEAD~1")[0] == 0


def test_unknown_ref_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(repo), "--ref", "no-such-ref")
    assert code == 2
    assert err == (
        "error: unknown git ref 'no-such-ref'; expected a branch, tag or commit "
        "(see 'git log --oneline')\n"
    )


def test_missing_root_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    assert err.startswith(f"error: no models.yaml in {tmp_path} or any parent directory")


def test_bad_format_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, str(repo), "--format", "xml")[0] == 2


def test_garbage_files_never_print_a_traceback(repo: Path) -> None:
    (repo / "prompts" / "greet.yaml").write_bytes(b"\xff\xfe\x00garbage: [")
    (repo / "models.yaml").write_text("models: [unclosed\n")
    out = subprocess.run(
        [sys.executable, "-m", "promptops", "validate", str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert (
        "prompts/greet.yaml:1:1: error: binary file (contains NUL bytes); expected UTF-8 "
        "YAML text [not-text]" in out.stdout
    )

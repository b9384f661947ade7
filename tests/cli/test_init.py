from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, run_cli


def test_init_prints_files_and_next_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "my prompts"
    code, out, err = run_cli(["init", str(target)], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Created a prompt repository in {target} (16 files):"
    assert "  prompts/support/assistant.yaml" in lines
    assert "  .gitignore" in lines
    assert f"Initialised an empty git repository in {target} (nothing committed)." in lines
    assert lines[lines.index("Next steps:") + 1 :] == [
        f"  cd '{target}'",
        "  promptops validate                 # check everything, with positions",
        "  promptops eval --provider echo     # offline: echo never calls tools, so the",
        "                                     # tool case fails until a model answers",
        "  git add -A && git commit -m 'Add prompt repository'",
        "  promptops keygen                   # paste its entry under signers: in",
        "                                     # policies/signers.yaml, name it in each role",
    ]
    assert git(target, "rev-list", "--all") == ""


def test_init_eval_offline_fails_only_the_tool_case_the_next_steps_warn_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["init", str(tmp_path / "r")], capsys)[0] == 0
    code, out, _ = run_cli(["eval", str(tmp_path / "r"), "--provider", "echo"], capsys)
    assert code == 1
    verdicts = [line for line in out.splitlines() if line.split(" ")[0] in ("PASS", "FAIL")]
    assert verdicts == [
        "PASS evals/support/assistant.yaml :: answers-the-question-asked",
        "FAIL evals/support/assistant.yaml :: order-question-looks-up-the-order",
    ]


def test_init_defaults_to_the_current_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["init"], capsys)
    assert code == 0
    assert (tmp_path / "models.yaml").is_file()
    assert "  cd " not in out


def test_init_refuses_to_overwrite_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "models.yaml").write_text("models: {}\n", encoding="utf-8")
    code, out, err = run_cli(["init", str(tmp_path)], capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"error: refusing to overwrite existing files in {tmp_path}: models.yaml; "
        "nothing was written. Move them aside or choose another directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.yaml"]


def test_init_then_validate_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["init", str(tmp_path / "r")], capsys)[0] == 0
    code, out, _ = run_cli(["validate", str(tmp_path / "r")], capsys)
    assert (code, out) == (0, "ok: 0 error(s), 0 warning(s), 8 valid document(s)\n")

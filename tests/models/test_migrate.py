"""``promptops migrate`` on the example repository (issue 14, item 3 and "Done when")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import commit_all, git, init_repo, run_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A git copy of the example repository at the top of this project."""
    root = tmp_path / "example"
    init_repo(root, {"README.md": "example\n"})
    for name in ("models.yaml", "prompts", "policies", "evals"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy2(src, root / name)
    commit_all(root, "example repository")
    return root


def test_migrate_prints_the_side_by_side_table(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["migrate", "extract-mini", "--to", "support-default", "--path", str(example),
            "--provider", "replay"]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "## Migrate pin extract-mini to support-default"
    assert lines[2] == "1 prompt(s) use `extract-mini`: `extract/contact`"
    assert lines[4].startswith("| target | pass | fail | error | judge scores (95% CI) |")
    # The recordings answer extract-mini's requests; the candidate's are new requests.
    assert lines[6].startswith("| extract-mini | 2/2 (100%) | 0 | 0 |")
    assert lines[7].startswith("| support-default | 0/2 (0%) | 0 | 2 |")
    assert "**2 case(s) where the targets disagree**" in out
    assert git(example, "branch", "--list") == "* main"  # nothing written without --apply


def test_migrate_apply_writes_the_change_on_a_branch(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (example / "models.yaml").read_text(encoding="utf-8")
    argv = ["migrate", "extract-mini", "--to", "support-default", "--path", str(example),
            "--provider", "echo", "--apply"]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert code == 0
    branch = "promptops/migrate-extract-mini-to-support-default"
    assert err.startswith(f"branch {branch} (")
    assert (example / "models.yaml").read_text(encoding="utf-8") == before  # untouched
    assert git(example, "status", "--porcelain") == ""
    diff = git(example, "diff", "main", branch)
    removed = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert removed == [
        "-    model: gpt-4o-mini-2024-07-18",
        "-    pricing: {input_per_mtok: 0.15, output_per_mtok: 0.60}",
        "-    lifecycle: {deprecated: 2026-09-30, retires: 2027-03-31, replacement: "
        "support-default}",
    ]
    assert added == [
        "+    model: gpt-4o-2024-08-06",
        "+    pricing: {input_per_mtok: 2.5, output_per_mtok: 10.0}",
    ]
    message = git(example, "log", "-1", "--format=%B", branch)
    assert message.startswith("Migrate pin extract-mini to support-default\n\n## Migrate pin")
    assert "### promptops diff (behaviour)" in message
    assert "### Behaviour (echo;" in message
    assert "### promptops diff (behaviour)" in out
    code, _, err = run_cli(argv, capsys)
    assert code == 2 and f"branch {branch!r} exists already" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["migrate", "nope", "--to", "support-default"], "error: no pin 'nope' in models.yaml\n"),
        (["migrate", "extract-mini", "--to", "suport-default"],
         "error: 'suport-default' is neither a pin of models.yaml nor provider:model-id "
         "(providers: openai, openai-compatible, anthropic, azure-openai, gemini, bedrock, "
         "replay, echo); did you mean "
         "'support-default'?\n"),
    ],
)  # fmt: skip
def test_migrate_usage_errors(
    example: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run_cli([*argv, "--path", str(example), "--provider", "echo"], capsys)
    assert (code, err) == (2, message)

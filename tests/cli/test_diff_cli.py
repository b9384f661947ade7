"""`promptops diff` through the CLI: formats and the --fail-on exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.diff.fixtures import BASE, edit, make_change
from tests.helpers import commit_all, run_cli, write_files

GREET = BASE["prompts/greet.yaml"]


@pytest.fixture(scope="module")
def high_risk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A high-risk tool granted to greet whose template also stops echoing the name (a
    regression under the echo provider)."""
    root = tmp_path_factory.mktemp("cli") / "repo"
    greet = edit(GREET, "tools: [lookup]", "tools: [lookup, refund]")
    greet = edit(greet, "Say hello to {{ name }}.", "Say hello.")
    base, head = make_change(root, {"prompts/greet.yaml": greet})
    return root, base, head


@pytest.mark.parametrize(
    ("extra", "code", "err"),
    [
        (["--fail-on", "never"], 0, ""),
        ([], 0, ""),  # default regression, and no --behaviour: nothing can regress
        (
            ["--fail-on", "high-risk"],
            1,
            "promptops diff: gate failed: high-risk change(s) need review\n",
        ),
        (["--fail-on", "any"], 1, "promptops diff: gate failed: high-risk change(s) need review\n"),
        (
            ["--behaviour", "--provider", "echo"],
            1,
            "promptops diff: gate failed: 1 eval case(s) regressed (passed on base)\n",
        ),
        (["--behaviour", "--provider", "echo", "--fail-on", "never"], 0, ""),
    ],
)
def test_fail_on_exit_codes(
    high_risk: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    code: int,
    err: str,
) -> None:
    root, base, head = high_risk
    got = run_cli(["diff", base, head, "--path", str(root), *extra], capsys)
    assert (got[0], got[2]) == (code, err)
    assert got[1].startswith(f"promptops diff {base} -> {head}: risk HIGH\n")


def test_any_fails_on_a_low_risk_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    base, head = make_change(root, {"prompts/greet.yaml": edit(GREET, "owner: team-a", "owner: x")})
    assert (
        run_cli(["diff", base, head, "--path", str(root), "--fail-on", "high-risk"], capsys)[0] == 0
    )
    code, _, err = run_cli(["diff", base, head, "--path", str(root), "--fail-on", "any"], capsys)
    assert (code, err) == (
        1,
        "promptops diff: gate failed: prompt repository changed (--fail-on any)\n",
    )


def test_markdown_and_json_formats(
    high_risk: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, base, head = high_risk
    args = ["diff", base, head, "--path", str(root), "--behaviour", "--provider", "echo"]
    code, out, _ = run_cli([*args, "--format", "markdown", "--fail-on", "never"], capsys)
    assert code == 0
    assert out.startswith("<!-- promptops-diff -->\n## promptops diff ")
    assert "### Behaviour (echo; " in out
    code, out, _ = run_cli([*args, "--format", "json"], capsys)
    assert code == 1
    assert json.loads(out)["behaviour"]["regressions"] == 1


def test_unknown_ref_is_a_usage_error(
    high_risk: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, head = high_risk
    code, out, err = run_cli(["diff", "no-such-ref", head, "--path", str(root)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "no-such-ref" in err


def test_invalid_head_fails_with_its_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    base, _ = make_change(root, {"prompts/greet.yaml": edit(GREET, "owner: team-a", "owner: b")})
    write_files(root, {"prompts/greet.yaml": edit(GREET, "model: default", "model: nope")})
    head = commit_all(root, "break")
    code, out, err = run_cli(["diff", base, head, "--path", str(root)], capsys)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith("prompts/greet.yaml:4:8: error: unknown model 'nope'")
    assert lines[-1] == (
        f"error: the head ({head}) has 1 error(s); run `promptops validate --ref {head}` "
        "and fix them"
    )


def test_invalid_working_tree_names_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    base, _ = make_change(root, {"prompts/greet.yaml": edit(GREET, "owner: team-a", "owner: b")})
    write_files(root, {"prompts/greet.yaml": edit(GREET, "model: default", "model: nope")})
    code, _, err = run_cli(["diff", base, "--path", str(root)], capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        "error: the head (working tree) has 1 error(s); run `promptops validate` and fix them"
    )

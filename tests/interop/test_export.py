"""promptops export: files per format, what comes back the same, and what a format
cannot say, listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.interop.conftest import CORPUS, ROOT, run_import


def test_export_writes_files_and_says_they_come_back_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    run_import("github-models", [CORPUS / "github-models"], repo)
    out_dir = tmp_path / "out"
    code, out, err = run_cli(
        ["export", "github-models", "--repo", str(repo), "--out", str(out_dir)], capsys
    )
    assert code == 0, err
    assert f"wrote {out_dir / 'sample_prompt.prompt.yml'}" in out.splitlines()
    assert (
        "same: sample_prompt (export then import gives the same bundle digest)" in out.splitlines()
    )
    assert (
        "never carried by github-models: signed provenance (release signatures, serials and "
        "digests stay in promptops)" in out.splitlines()
    )
    again = tmp_path / "again"
    plan = run_import("github-models", [out_dir], again)
    assert plan.errors == []
    assert sorted(plan.prompts) == sorted(
        p.name.removesuffix(".prompt.yml") for p in (CORPUS / "github-models").iterdir()
    )


def test_what_a_format_cannot_express_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        ["export", "langfuse", "--repo", str(ROOT), "--out", str(tmp_path / "out")], capsys
    )
    assert code == 0, err
    lines = out.splitlines()
    assert (
        "not exported: support/answer: the template uses Jinja logic (conditions, loops or filters)"
        in lines
    )
    assert (
        "not expressible in langfuse: extract/contact: description, input schemas, owner" in lines
    )
    assert any(line.startswith("never carried by langfuse: eval assertions") for line in lines)


def test_one_prompt_and_an_unknown_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run_cli(
        ["export", "prompty", "extract/contact", "--repo", str(ROOT), "--out", str(out_dir)], capsys
    )
    assert code == 0
    assert [p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()] == [
        "extract/contact.prompty"
    ]
    code, _, err = run_cli(
        ["export", "prompty", "extract/nope", "--repo", str(ROOT), "--out", str(out_dir)], capsys
    )
    assert code == 2
    assert "error: no prompt 'extract/nope' in" in err


def test_tools_and_risk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        ["export", "prompty", "--repo", str(ROOT), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 0
    assert (
        "never carried by prompty: tool risk and approval: tools come back with risk 'medium' in a "
        "repository whose policies/tools.yaml does not define them"
    ) in out.splitlines()


@pytest.mark.parametrize(
    ("fmt", "source"),
    [
        ("promptfoo", "promptfoo/json-output"),
        ("github-models", "github-models/json_schema_prompt.prompt.yml"),
    ],
)
def test_eval_assertions_come_back_where_the_format_has_the_same_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, source: str
) -> None:
    repo = tmp_path / "repo"
    run_import(fmt, [CORPUS / source], repo)
    before = {p.relative_to(repo / "evals"): p.read_text() for p in (repo / "evals").rglob("*")}
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["export", fmt, "--repo", str(repo), "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert not any("eval assertions" in line for line in out.splitlines())
    again = tmp_path / "again"
    assert run_import(fmt, [out_dir], again).errors == []
    after = {p.relative_to(again / "evals"): p for p in (again / "evals").rglob("*")}
    assert set(after) == set(before)
    for rel, text in before.items():
        # Past the header comment, which names the file the cases were imported from.
        assert after[rel].read_text().split("\n", 1)[1] == text.split("\n", 1)[1], rel

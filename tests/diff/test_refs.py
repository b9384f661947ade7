"""`diff` arguments mean what git and GitHub mean, on real repositories with branches."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.diff import diff_refs, render
from promptops.errors import UsageError
from tests.diff.fixtures import BASE, edit
from tests.helpers import commit_all, git, init_repo, run_cli, write_files

TONE = "prompts/instructions/tone.yaml"
GREET = "prompts/greet.yaml"


@pytest.fixture
def branched(tmp_path: Path) -> Path:
    """main moved on (an instruction edit) after `feature` left it (a template edit);
    `feature` is checked out."""
    root = tmp_path / "repo"
    init_repo(root, BASE)
    git(root, "checkout", "-q", "-b", "feature")
    write_files(root, {GREET: edit(BASE[GREET], "Say hello to", "Say hi to")})
    commit_all(root, "feature: shorter greeting")
    git(root, "checkout", "-q", "main")
    write_files(root, {TONE: edit(BASE[TONE], "Be brief", "Be terse")})
    commit_all(root, "main: terser tone")
    git(root, "checkout", "-q", "feature")
    return root


def _changes(result: object) -> list[tuple[str, str]]:
    from promptops.diff.types import DiffResult

    assert isinstance(result, DiffResult)
    out = [(p.id, c.path) for p in result.prompts for c in p.changes]
    return sorted(out + [(c.area, c.path) for c in result.repository])


def test_lone_branch_compares_from_the_merge_base(branched: Path) -> None:
    """The issue's case: main's newer edit is not this branch's change."""
    result = diff_refs(branched, "main")
    assert _changes(result) == [("greet", "messages[0]")]
    assert result.merge_base_of == ("main", "HEAD")
    assert result.base_commit == git(branched, "merge-base", "main", "HEAD")
    first = render(result, "text").splitlines()[0]
    assert first.startswith("promptops diff merge base of main and HEAD (")
    assert first.endswith(") -> working tree: risk MEDIUM")
    assert "merge base of main and HEAD" in render(result, "markdown").splitlines()[1]
    assert render(result, "json").count('"merge_base_of": [\n      "main",\n      "HEAD"\n    ]')


def test_three_dots_is_what_a_pull_request_changes(branched: Path) -> None:
    result = diff_refs(branched, "main...feature")
    assert _changes(result) == [("greet", "messages[0]")]
    assert (result.base_ref, result.head_ref) == ("main", "feature")
    assert diff_refs(branched, "main...").merge_base_of == ("main", "HEAD")


def test_two_dots_and_two_refs_compare_the_tips(branched: Path) -> None:
    for args in (("main..feature",), ("main", "feature")):
        result = diff_refs(branched, *args)
        assert result.merge_base_of is None
        # main's tone edit shows up reversed: feature's tip does not have it.
        assert ("instructions", "instructions/tone") in _changes(result)
        assert ("greet", "messages[0]") in _changes(result)


def test_after_merging_main_in_only_the_branch_remains(branched: Path) -> None:
    git(branched, "merge", "-q", "--no-edit", "main")
    result = diff_refs(branched, "main")
    assert _changes(result) == [("greet", "messages[0]")]
    assert result.base_commit == git(branched, "rev-parse", "main")


def test_bad_ranges(branched: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="already a range"):
        diff_refs(branched, "main...feature", "HEAD")
    with pytest.raises(UsageError, match="unknown git ref 'nope'"):
        diff_refs(branched, "nope...feature")
    git(branched, "checkout", "-q", "--orphan", "lonely")
    commit_all(branched, "unrelated history")
    with pytest.raises(UsageError, match="have no common ancestor"):
        diff_refs(branched, "main")


def test_a_branch_without_a_commit_says_to_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write_files(tmp_path, BASE)
    with pytest.raises(UsageError) as caught:
        diff_refs(tmp_path, "main")
    assert str(caught.value) == (
        "there is no commit yet to find the merge base of main and HEAD; commit first "
        "(git add -A && git commit)"
    )


def test_cli_accepts_ranges(branched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`diff main...HEAD` used to fail with `unknown git ref`."""
    for spec in ("main...HEAD", "main..HEAD", "main"):
        code, out, err = run_cli(
            ["diff", spec, "--path", str(branched), "--fail-on", "never"], capsys
        )
        assert code == 0, err
        assert out.startswith("promptops diff ")

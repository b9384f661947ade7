"""`promptops log` on real histories with branches, merges, renames and deletions."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from promptops.release import prompt_log
from tests.helpers import GIT_ENV, MINIMAL_REPO, git, init_repo, run_cli, write_files

G = "prompts/greet.yaml"


def _commit(root: Path, message: str, day: int) -> str:
    """Commit everything with committer and author date 2026-01-DAY."""
    date = f"2026-01-{day:02d}T00:00:00+00:00"
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return git(root, "rev-parse", "HEAD")


def _merge(root: Path, branch: str, day: int) -> str:
    date = f"2026-01-{day:02d}T00:00:00+00:00"
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", f"merge {branch}", branch],
        cwd=root, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return git(root, "rev-parse", "HEAD")


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def merged(tmp_path: Path) -> Path:
    """The issue's history: the feature branch edits `greet` (day 2), main then commits a
    policies-only change (day 3, later), then merges the feature (day 4)."""
    root = tmp_path / "repo"
    init_repo(root, MINIMAL_REPO)
    git(root, "checkout", "-q", "-b", "feature")
    _edit(root, G, "Say hello to", "Say hi to")
    _commit(root, "feature: shorter greeting", 2)
    git(root, "checkout", "-q", "main")
    write_files(root, {"policies/signers.yaml": "threshold: 1\nsigners: []\n"})
    _commit(root, "main: signers only", 3)
    _merge(root, "feature", 4)
    return root


def _rows(entries: list) -> list[tuple[str, tuple[str, ...], tuple[str, ...], bool]]:  # type: ignore[type-arg]
    return [(e.subject, e.added, e.changed, e.merge) for e in entries]


def test_first_parent_log_credits_the_merge_not_the_signers_commit(merged: Path) -> None:
    """The issue's case: the policies-only commit used to be credited with the change."""
    entries = prompt_log(merged, "greet")
    assert _rows(entries) == [
        ("merge feature", (), ("greet",), True),
        ("init", ("greet",), (), False),
    ]


def test_all_parents_credits_the_commit_that_made_the_change(merged: Path) -> None:
    entries = prompt_log(merged, "greet", all_parents=True)
    # The merge only brings in what the feature commit made: it is not listed again.
    assert _rows(entries) == [
        ("feature: shorter greeting", (), ("greet",), False),
        ("init", ("greet",), (), False),
    ]


def test_a_conflict_resolution_is_the_merges_own_change(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root, MINIMAL_REPO)
    git(root, "checkout", "-q", "-b", "feature")
    _edit(root, G, "Say hello to", "Say hi to")
    _commit(root, "feature: hi", 2)
    git(root, "checkout", "-q", "main")
    _edit(root, G, "Say hello to", "Say hey to")
    _commit(root, "main: hey", 3)
    date = "2026-01-04T00:00:00+00:00"
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "merge", "-q", "feature"], cwd=root, env=env, capture_output=True)
    _edit(root, G, "<<<<<<< HEAD\n      Say hey to {{ name }}.\n=======\n", "")
    _edit(root, G, "\n>>>>>>> feature", "")
    _edit(root, G, "Say hi to", "Say hello there to")
    _commit(root, "merge feature, resolved", 4)
    entries = prompt_log(root, "greet", all_parents=True)
    assert _rows(entries) == [
        ("merge feature, resolved", (), ("greet",), True),
        ("main: hey", (), ("greet",), False),
        ("feature: hi", (), ("greet",), False),
        ("init", ("greet",), (), False),
    ]


def test_rename_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root, MINIMAL_REPO)
    _edit(root, G, "Say hello to", "Say hi to")
    _commit(root, "shorter", 2)
    (root / G).rename(root / "prompts" / "hello.yaml")
    _edit(root, "evals/greet.yaml", "prompt: greet", "prompt: hello")
    _commit(root, "rename greet to hello", 3)
    entries = prompt_log(root, "hello")
    assert [(e.subject, e.renamed, e.added, e.changed) for e in entries] == [
        ("rename greet to hello", (("greet", "hello"),), (), ()),
        ("shorter", (), (), ("greet",)),
        ("init", (), ("greet",), ()),
    ]
    everything = prompt_log(root)
    newest = everything[0]
    assert (newest.subject, newest.renamed, newest.added, newest.removed) == (
        "rename greet to hello",
        (("greet", "hello"),),
        (),
        (),
    )


def test_deleted_prompt_and_a_broken_commit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root, MINIMAL_REPO)
    _edit(root, G, "model: default", "model: nope")
    _commit(root, "broken", 2)
    _edit(root, G, "model: nope", "model: default")
    _edit(root, G, "Say hello to", "Say hi to")
    _commit(root, "fixed and shorter", 3)
    (root / G).unlink()
    (root / "evals" / "greet.yaml").unlink()
    _commit(root, "drop greet", 4)
    entries = prompt_log(root, "greet")
    assert [(e.subject, e.invalid, e.added, e.changed, e.removed) for e in entries] == [
        ("drop greet", False, (), (), ("greet",)),
        # Compared with the last commit that validates, not with the broken one.
        ("fixed and shorter", False, (), ("greet",), ()),
        ("broken", True, (), (), ()),
        ("init", False, ("greet",), (), ()),
    ]


def test_cli_shows_merges_renames_and_all_parents(
    merged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["log", "greet", "--repo", str(merged)], capsys)
    assert code == 0
    assert out.splitlines()[0].endswith("merge feature (merge)")
    assert "main: signers only" not in out
    code, out, _ = run_cli(["log", "greet", "--repo", str(merged), "--all-parents"], capsys)
    assert code == 0 and "feature: shorter greeting" in out and "(merge)" not in out

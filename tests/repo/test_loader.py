"""Reading a repository from the working tree and from git refs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.repo import find_root, load_repository
from tests.helpers import MINIMAL_REPO, commit_all, git, init_repo

TODAY = dt.date(2026, 6, 1)


def test_minimal_repo_is_clean_and_matches_head(repo: Path) -> None:
    loaded = load_repository(repo, today=TODAY)
    assert loaded.diagnostics == ()
    head = git(repo, "rev-parse", "HEAD")
    assert loaded.source.commit == head
    assert loaded.source.dirty is False
    assert sorted(loaded.prompts) == ["greet"]
    assert sorted(loaded.instructions) == ["instructions/tone"]
    assert sorted(loaded.partials) == ["partials/footer"]
    assert sorted(loaded.evals) == ["evals/greet.yaml"]
    assert loaded.prompts["greet"].model == "default"
    assert loaded.paths["greet"] == "prompts/greet.yaml"
    blob = git(repo, "rev-parse", "HEAD:prompts/greet.yaml")
    assert loaded.digests["greet"] == blob


def test_ref_reads_the_commit_not_the_working_tree(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    greet = repo / "prompts/greet.yaml"
    greet.write_text(greet.read_text().replace("model: default", "model: defualt"))
    commit_all(repo, "break the model")
    greet.write_text(greet.read_text().replace("description: Greet", "description: Hi"))

    worktree = load_repository(repo, today=TODAY)
    assert worktree.source.dirty is True
    assert [d.code for d in worktree.errors] == ["unknown-model"]
    old = load_repository(repo, ref=first, today=TODAY)
    assert old.source.commit == first
    assert old.diagnostics == ()
    head = load_repository(repo, ref="HEAD", today=TODAY)
    assert [d.code for d in head.errors] == ["unknown-model"]
    assert "greet" not in head.prompts


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git ref 'nope'"):
        load_repository(repo, ref="nope")


def test_ref_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text("models: {}\n")
    with pytest.raises(UsageError, match="not inside a git repository"):
        load_repository(tmp_path, ref="HEAD")


def test_outside_git_source_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text("models: {}\n")
    loaded = load_repository(tmp_path)
    assert (loaded.source.commit, loaded.source.tree) == (None, None)


def test_find_root_walks_up(repo: Path) -> None:
    assert find_root(repo / "prompts" / "instructions") == repo.resolve()


def test_find_root_without_models_yaml(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no models\.yaml in"):
        find_root(tmp_path)


def test_repository_in_a_subdirectory_of_git(tmp_path: Path) -> None:
    from tests.helpers import MINIMAL_REPO

    init_repo(tmp_path / "top", {f"sub/{k}": v for k, v in MINIMAL_REPO.items()})
    loaded = load_repository(tmp_path / "top" / "sub", ref="HEAD", today=TODAY)
    assert loaded.diagnostics == ()
    assert sorted(loaded.prompts) == ["greet"]
    assert load_repository(tmp_path / "top" / "sub", today=TODAY).source.dirty is False


def test_git_repository_without_commits(tmp_path: Path) -> None:
    from tests.helpers import MINIMAL_REPO, write_files

    git(tmp_path, "init", "-q", "-b", "main")
    write_files(tmp_path, MINIMAL_REPO)
    loaded = load_repository(tmp_path, today=TODAY)
    assert loaded.diagnostics == ()
    assert (loaded.source.commit, loaded.source.tree, loaded.source.dirty) == (None, None, True)
    assert loaded.digests["greet"] == git(tmp_path, "hash-object", "prompts/greet.yaml")


def test_untracked_and_deleted_files_make_the_tree_dirty(repo: Path) -> None:
    (repo / "prompts" / "partials" / "footer.yaml").unlink()
    loaded = load_repository(repo, today=TODAY)
    assert loaded.source.dirty is True
    assert "partials/footer" not in loaded.partials
    git(repo, "checkout", "--", "prompts/partials/footer.yaml")
    (repo / "prompts" / "extra.yaml").write_text((repo / "prompts" / "greet.yaml").read_text())
    loaded = load_repository(repo, today=TODAY)
    assert loaded.source.dirty is True
    assert sorted(loaded.prompts) == ["extra", "greet"]
    assert [d.code for d in loaded.errors] == []


def test_staged_then_reverted_change_is_clean(repo: Path) -> None:
    greet = repo / "prompts" / "greet.yaml"
    original = greet.read_text()
    greet.write_text(original.replace("Greet a user", "Greet someone"))
    git(repo, "add", "prompts/greet.yaml")
    assert load_repository(repo, today=TODAY).source.dirty is True
    greet.write_text(original)  # the working tree equals HEAD again; the index does not
    assert load_repository(repo, today=TODAY).source.dirty is False


def test_contents_are_checked_as_the_files_would_be_without_reading_the_directory(
    tmp_path: Path,
) -> None:
    files = {p: t.encode() for p, t in MINIMAL_REPO.items()}
    files["prompts/greet.yaml"] = files["prompts/greet.yaml"].replace(
        b"model: default", b"model: defualt"
    )
    (tmp_path / "models.yaml").write_text("not: a models file\n")  # never read
    loaded = load_repository(tmp_path, today=TODAY, contents=files)
    assert [(d.path, d.code) for d in loaded.diagnostics] == [
        ("prompts/greet.yaml", "unknown-model")
    ]
    assert sorted(loaded.instructions) == ["instructions/tone"]
    assert loaded.source.commit is None
    assert not (tmp_path / ".git").exists()

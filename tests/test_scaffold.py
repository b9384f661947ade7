from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from promptops.scaffold import ExistingFilesError, init_repository, scaffold_files
from promptops.spec.export import export_schemas, kind_for_path, render_schema
from tests.helpers import git, init_repo
from tests.spec.filecheck import check_file, repo_files, schema_line_target

EXPECTED_FILES = [
    ".promptops/schemas/eval.schema.json",
    ".promptops/schemas/experiment.schema.json",
    ".promptops/schemas/models.schema.json",
    ".promptops/schemas/prompt-file.schema.json",
    ".promptops/schemas/rules.schema.json",
    ".promptops/schemas/signers.schema.json",
    ".promptops/schemas/tools.schema.json",
    "evals/support/assistant.yaml",
    "models.yaml",
    "policies/rules.yaml",
    "policies/signers.yaml",
    "policies/tools.yaml",
    "prompts/instructions/tone.yaml",
    "prompts/partials/customer.yaml",
    "prompts/support/assistant.yaml",
]
WRITTEN = [".gitignore", *EXPECTED_FILES]  # .gitignore only where there is none


def _tree(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def test_init_into_a_new_directory_runs_git_init_and_commits_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new" / "prompts-repo"
    result = init_repository(target)
    assert result.files == WRITTEN
    assert result.git_initialized
    assert _tree(target) == WRITTEN
    assert (target / ".git").is_dir()
    assert git(target, "rev-list", "--all") == ""
    assert git(target, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        f"?? {rel}" for rel in WRITTEN
    ]
    (target / "dist" / "releases").mkdir(parents=True)
    (target / "dist" / "bundle.json").write_text("{}", encoding="utf-8")
    assert git(target, "check-ignore", "dist/bundle.json") == "dist/bundle.json"


def test_an_existing_gitignore_is_kept_and_not_a_conflict(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    result = init_repository(tmp_path)
    assert result.files == EXPECTED_FILES
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n"


def test_init_into_an_existing_git_repository_keeps_it(tmp_path: Path) -> None:
    root = tmp_path / "app"
    head = init_repo(root, {"README.md": "app\n"})
    result = init_repository(root / "prompts-repo")
    assert not result.git_initialized
    assert not (root / "prompts-repo" / ".git").exists()
    assert git(root, "rev-parse", "HEAD") == head
    assert (root / "README.md").read_text(encoding="utf-8") == "app\n"
    assert _tree(root / "prompts-repo") == WRITTEN


def test_init_at_the_root_of_an_existing_git_repository(tmp_path: Path) -> None:
    head = init_repo(tmp_path / "r", {"README.md": "x\n"})
    result = init_repository(tmp_path / "r")
    assert not result.git_initialized
    assert git(tmp_path / "r", "rev-parse", "HEAD") == head


def test_existing_file_refuses_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "r"
    (target / "policies").mkdir(parents=True)
    (target / "policies" / "rules.yaml").write_text("mine\n", encoding="utf-8")
    (target / "models.yaml").write_text("mine too\n", encoding="utf-8")
    with pytest.raises(ExistingFilesError) as info:
        init_repository(target)
    assert str(info.value) == (
        f"refusing to overwrite existing files in {target}: models.yaml, policies/rules.yaml; "
        "nothing was written. Move them aside or choose another directory"
    )
    assert info.value.paths == ["models.yaml", "policies/rules.yaml"]
    assert _tree(target) == ["models.yaml", "policies/rules.yaml"]
    assert (target / "models.yaml").read_text(encoding="utf-8") == "mine too\n"
    assert not (target / ".git").exists()


def test_a_file_where_a_folder_must_go_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "prompts").write_text("", encoding="utf-8")
    with pytest.raises(ExistingFilesError) as info:
        init_repository(tmp_path)
    assert info.value.paths == ["prompts"]


def test_a_broken_symlink_is_a_conflict(tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere", tmp_path / "models.yaml")
    with pytest.raises(ExistingFilesError) as info:
        init_repository(tmp_path)
    assert info.value.paths == ["models.yaml"]


def test_target_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("", encoding="utf-8")
    with pytest.raises(ExistingFilesError, match=r"files in .*/f: \.; nothing was written"):
        init_repository(tmp_path / "f")


def test_unrelated_files_do_not_block_init(tmp_path: Path) -> None:
    (tmp_path / "prompts" / "other").mkdir(parents=True)
    (tmp_path / "prompts" / "other" / "mine.yaml").write_text("x\n", encoding="utf-8")
    result = init_repository(tmp_path)
    assert (tmp_path / "prompts" / "other" / "mine.yaml").read_text(encoding="utf-8") == "x\n"
    assert result.files == WRITTEN


def test_scaffold_files_validate_with_the_models_and_the_schemas(tmp_path: Path) -> None:
    init_repository(tmp_path)
    files = repo_files(tmp_path)
    assert len(files) == 8
    assert [p for rel in files for p in check_file(tmp_path, rel)] == []


def test_schema_lines_point_at_the_written_schemas(tmp_path: Path) -> None:
    init_repository(tmp_path)
    for rel in repo_files(tmp_path):
        target = schema_line_target(tmp_path, rel)
        assert target == (tmp_path / ".promptops/schemas" / f"{kind_for_path(rel)}.schema.json")
        assert target.is_file(), rel


def test_written_schemas_are_the_current_export() -> None:
    files = scaffold_files()
    for kind, schema in export_schemas().items():
        assert files[f".promptops/schemas/{kind}.schema.json"] == render_schema(schema).encode()


def test_scaffold_covers_three_tool_risks_and_an_empty_signer_list(tmp_path: Path) -> None:
    import yaml

    init_repository(tmp_path)
    tools = yaml.safe_load((tmp_path / "policies/tools.yaml").read_text(encoding="utf-8"))
    assert sorted(t["risk"] for t in tools["tools"].values()) == ["high", "low", "medium"]
    signers = yaml.safe_load((tmp_path / "policies/signers.yaml").read_text(encoding="utf-8"))
    assert signers["signers"] == [] and set(signers["roles"]) == {"root", "release", "channel"}


def test_scaffold_passes_promptops_validate_without_any_diagnostic(tmp_path: Path) -> None:
    from promptops.repo import validate_repository

    init_repository(tmp_path / "r")
    repo = validate_repository(tmp_path / "r", cache=False, today=dt.date(2026, 11, 23))
    assert [str(d) for d in repo.diagnostics] == []
    assert sorted(repo.prompts) == ["support/assistant"]
    assert sorted(repo.instructions) == ["instructions/tone"]
    assert sorted(repo.partials) == ["partials/customer"]
    assert len(repo.evals) == 1
    assert repo.signers is not None and repo.signers.signers == []

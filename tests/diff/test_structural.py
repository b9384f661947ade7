"""compare(): only prompts whose inputs changed are compiled and deep-diffed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promptops.diff import diff_refs
from promptops.diff import structural as structural_module
from promptops.repo import Repository
from tests.diff.fixtures import BASE, edit, make_change

GREET = BASE["prompts/greet.yaml"]


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids compile_prompt is asked for, in order."""
    seen: list[str] = []
    real = structural_module.compile_prompt

    def spy(repo: Repository, prompt_id: str) -> dict[str, Any]:
        seen.append(prompt_id)
        return real(repo, prompt_id)

    monkeypatch.setattr(structural_module, "compile_prompt", spy)
    return seen


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids diff_prompt deep-compares."""
    seen: list[str] = []
    real = structural_module.diff_prompt

    def spy(prompt_id: str, *args: Any) -> Any:
        seen.append(prompt_id)
        return real(prompt_id, *args)

    monkeypatch.setattr(structural_module, "diff_prompt", spy)
    return seen


def test_unchanged_prompts_are_not_compiled(
    tmp_path: Path, compiled: list[str], compared: list[str]
) -> None:
    many = {f"prompts/bulk/p{i}.yaml": GREET.replace("tools: [lookup]\n", "") for i in range(20)}
    files = {**BASE, **many}
    base, head = make_change(
        tmp_path / "repo",
        {"prompts/bulk/p7.yaml": edit(many["prompts/bulk/p7.yaml"], "hello", "hi")},
        files,
    )
    result = diff_refs(tmp_path / "repo", base, head)
    assert compiled == ["bulk/p7", "bulk/p7"]  # once per side
    assert compared == ["bulk/p7"]
    assert [p.id for p in result.prompts] == ["bulk/p7"]
    assert result.unchanged == 21


def test_shared_file_change_reaches_only_its_users(tmp_path: Path, compared: list[str]) -> None:
    tools = edit(BASE["policies/tools.yaml"], "enum: [email]", "enum: [email, sms]")
    base, head = make_change(tmp_path / "repo", {"policies/tools.yaml": tools})
    result = diff_refs(tmp_path / "repo", base, head)
    # notify is used by classify only: greet compiles to the same bytes, so it is not
    # deep-compared.
    assert compared == ["classify"]
    assert [p.id for p in result.prompts] == ["classify"]


def test_unreachable_partial_change_is_unchanged(tmp_path: Path) -> None:
    files = {**BASE, "prompts/partials/unused.yaml": BASE["prompts/partials/footer.yaml"]}
    unused = edit(files["prompts/partials/unused.yaml"], "briefly", "at length")
    base, head = make_change(tmp_path / "repo", {"prompts/partials/unused.yaml": unused}, files)
    result = diff_refs(tmp_path / "repo", base, head)
    # classify may include partials (its key changes), but its compiled bytes do not.
    assert result.prompts == ()
    assert result.unchanged == 2
    assert [(c.path, c.risk) for c in result.repository] == [("partials/unused", "medium")]


def test_added_and_removed_prompts(tmp_path: Path) -> None:
    added = GREET.replace("tools: [lookup]\n", "")
    base, head = make_change(
        tmp_path / "repo",
        {"prompts/greet.yaml": None, "evals/greet.yaml": None, "prompts/hello.yaml": added},
    )
    result = diff_refs(tmp_path / "repo", base, head)
    assert [(p.id, p.status, p.risk) for p in result.prompts] == [
        ("greet", "removed", "medium"),
        ("hello", "added", "medium"),
    ]
    assert result.prompts[1].base_digest is None and result.prompts[1].head_digest is not None

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.compile import build, read_index
from promptops.errors import UsageError, ValidationError
from promptops.repo.types import Diagnostic
from tests.helpers import commit_all, git, init_repo


def test_two_separate_clones_give_identical_bytes(repo: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "clone-one", tmp_path / "somewhere" / "else" / "clone-two"
    git(tmp_path, "clone", "-q", str(repo), str(one))
    git(tmp_path, "clone", "-q", str(repo), str(two))
    first = build(one)
    # A warm cache in one clone and a cold one in the other must not matter.
    assert build(one).data == first.data
    assert build(two).data == first.data
    assert build(repo).data == first.data
    assert str(tmp_path).encode() not in first.data


def test_working_tree_equals_ref_of_the_same_commit(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    worktree = build(repo)
    for ref in ("HEAD", "main", head):
        assert build(repo, ref).data == worktree.data
    source = json.loads(worktree.data)["source"]
    assert source == {"commit": head, "tree": tree, "dirty": False}


def test_ref_builds_an_older_commit_without_checkout(repo: Path) -> None:
    old = git(repo, "rev-parse", "HEAD")
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    commit_all(repo, "shorter greeting")
    now, then = build(repo), build(repo, old)
    assert now.prompt("greet")["messages"][-1]["template"] == "Say hi to {{ name }}."
    assert then.prompt("greet")["messages"][-1]["template"] == "Say hello to {{ name }}."
    assert then.source.commit == old
    assert "Say hi" in greet.read_text()  # the working tree was not touched


def test_same_content_at_another_commit_keeps_prompt_digests(repo: Path) -> None:
    before = build(repo)
    git(repo, "commit", "-q", "--allow-empty", "-m", "unrelated")
    after = build(repo)
    assert after.prompts == before.prompts
    assert read_index(after.data) == read_index(before.data)
    # Only the source differs: it names the commit that was built.
    assert after.data != before.data
    assert json.loads(after.data)["prompts"] == json.loads(before.data)["prompts"]


def test_dirty_working_tree_is_recorded(repo: Path) -> None:
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    bundle = build(repo)
    assert bundle.source.dirty is True
    assert json.loads(bundle.data)["source"]["dirty"] is True
    assert bundle.prompt("greet")["messages"][-1]["template"] == "Say hi to {{ name }}."


def test_out_writes_exactly_the_bundle_bytes(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "nested"
    bundle = build(repo, out=out)
    assert (out / "bundle.json").read_bytes() == bundle.data
    assert [p.name for p in out.iterdir()] == ["bundle.json"]  # no temp files left


def test_repository_that_does_not_validate_fails_with_diagnostics(repo: Path) -> None:
    greet = repo / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("model: default", "model: defualt"))
    with pytest.raises(ValidationError) as info:
        build(repo, out=repo / "dist")
    assert str(info.value).startswith("cannot build: the repository has 1 error(s)")
    [diagnostic] = info.value.diagnostics
    assert isinstance(diagnostic, Diagnostic)
    assert (diagnostic.path, diagnostic.level) == ("prompts/greet.yaml", "error")
    assert "defualt" in diagnostic.message
    assert not (repo / "dist").exists()


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(UsageError):
        build(repo, "no-such-ref")


def test_repository_with_many_features_builds_identically_from_ref(tmp_path: Path) -> None:
    files = {
        "models.yaml": "models:\n  m:\n    provider: echo\n    model: echo-2024-01-01\n"
        "    lifecycle: {deprecated: 2030-01-01, replacement: m}\n",
        "prompts/a/b.yaml": "kind: prompt\nmodel: m\ninputs: {x: {type: string}}\n"
        'messages:\n  - role: user\n    content: |\n      {% include "partials/o" %} é 🙂\n',
        "prompts/partials/o.yaml": 'kind: partial\ntemplate: |\n  [{% include "partials/i" %}]\n',
        "prompts/partials/i.yaml": "kind: partial\ntemplate: '{{ x }}'\n",
    }
    root = tmp_path / "r"
    init_repo(root, files)
    bundle = build(root)
    assert build(root, "HEAD").data == bundle.data
    assert sorted(bundle.prompt("a/b")["partials"]) == ["partials/i", "partials/o"]

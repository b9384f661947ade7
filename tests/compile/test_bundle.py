from __future__ import annotations

import hashlib
from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from promptops.compile import CompileCache, CompileConfig, compile_repository, default_cache
from promptops.compile.keys import Deps
from promptops.errors import ValidationError
from promptops.repo.types import Diagnostic, Repository
from tests.compile.memrepo import mem_repo
from tests.helpers import MINIMAL_REPO


def _files(n: int = 6) -> dict[str, str]:
    files = dict(MINIMAL_REPO)
    files["models.yaml"] += "  other:\n    provider: echo\n    model: echo-2025-01-01\n"
    files["policies/tools.yaml"] += "  other_tool: {description: x, risk: high}\n"
    for i in range(n):
        model = "other" if i == 0 else "default"
        tools = "[other_tool]" if i == 1 else "[]"
        content = '{% include "partials/footer" %}' if i == 2 else "Hi {{ name }}"
        files[f"prompts/p{i}.yaml"] = (
            f"kind: prompt\nmodel: {model}\ntools: {tools}\ninputs: {{name: {{type: string}}}}\n"
            f"messages: [{{role: user, content: '{content}'}}]\n"
        )
    return files


def _repo(files: dict[str, str]) -> Repository:
    # Digests as the loader records them: one per document, from the file's bytes.
    digests = {}
    for path, text in files.items():
        key = path.removeprefix("prompts/").removesuffix(".yaml")
        digests[key] = hashlib.sha256(text.encode()).hexdigest()
    digests["models"] = digests.pop("models")
    return mem_repo(files, digests=digests)


def _cache(tmp_path: Path) -> CompileCache:
    return CompileCache(tmp_path / "compile.sqlite3")


def test_repository_with_errors_fails_with_its_diagnostics() -> None:
    errors = (
        Diagnostic("prompts/b.yaml", 3, 7, "error", "unknown-model", "unknown model 'x'"),
        Diagnostic("prompts/a.yaml", 1, 1, "error", "schema", "expected a mapping"),
    )
    warning = Diagnostic("prompts/a.yaml", 2, 1, "warning", "unknown-key", "unknown key 'z'")
    repo = replace(mem_repo(MINIMAL_REPO), diagnostics=(*errors, warning))
    with pytest.raises(ValidationError) as info:
        compile_repository(repo, cache=False)
    assert str(info.value) == (
        "cannot build: the repository has 2 error(s); run `promptops validate` and fix them"
    )
    assert info.value.diagnostics == sorted(errors)


def test_warnings_alone_do_not_stop_a_build() -> None:
    warning = Diagnostic("prompts/a.yaml", 2, 1, "warning", "unknown-key", "unknown key 'z'")
    repo = replace(mem_repo(MINIMAL_REPO), diagnostics=(warning,))
    assert list(compile_repository(repo, cache=False).prompts) == ["greet"]


def test_prompt_count_is_capped() -> None:
    with pytest.raises(ValidationError, match=r"^cannot build: 7 prompts exceed the limit of 6$"):
        compile_repository(_repo(_files()), config=CompileConfig(max_prompts=6), cache=False)


def test_bundle_size_is_capped() -> None:
    with pytest.raises(ValidationError, match=r"^cannot build: the bundle is \d+ bytes, over "):
        compile_repository(
            _repo(_files()), config=CompileConfig(max_bundle_bytes=1000), cache=False
        )


def test_warm_build_reuses_every_prompt_and_gives_the_same_bytes(tmp_path: Path) -> None:
    repo = _repo(_files())
    cold = compile_repository(repo, cache=_cache(tmp_path))
    warm = compile_repository(repo, cache=_cache(tmp_path))
    assert (cold.compiled, warm.compiled) == (7, 0)
    assert warm.data == cold.data == compile_repository(repo, cache=False).data


@pytest.mark.parametrize(
    ("edit", "recompiled"),
    [
        # One prompt's own file.
        (lambda f: f.update({"prompts/p3.yaml": f["prompts/p3.yaml"] + "tags: [x]\n"}), {"p3"}),
        # A model pin: only the prompt pinned to it.
        (lambda f: f.update({"models.yaml": f["models.yaml"].replace("2025", "2026")}), {"p0"}),
        # A tool: only the prompt using it.
        (
            lambda f: f.update({"policies/tools.yaml": f["policies/tools.yaml"] + "  new: {}\n"}),
            set(),
        ),
        (
            lambda f: f.update(
                {"policies/tools.yaml": f["policies/tools.yaml"].replace("risk: high", "risk: low")}
            ),
            {"p1"},
        ),
        # A partial: only prompts whose templates may include one.
        (
            lambda f: f.update({"prompts/partials/footer.yaml": "kind: partial\ntemplate: Bye\n"}),
            {"p2"},
        ),
        # An instruction: the prompt listing it.
        (
            lambda f: f.update({"prompts/instructions/tone.yaml": "kind: instruction\ntext: Hi\n"}),
            {"greet"},
        ),
    ],
)
def test_rebuild_recompiles_only_what_an_edit_touches(
    tmp_path: Path, edit: object, recompiled: set[str]
) -> None:
    files = _files()
    before = compile_repository(_repo(files), cache=_cache(tmp_path))
    assert callable(edit)
    edit(files)
    after = compile_repository(_repo(files), cache=_cache(tmp_path))
    assert after.compiled == len(recompiled)
    assert after.data == compile_repository(_repo(files), cache=False).data
    changed = {pid for pid in after.prompts if after.prompts[pid] != before.prompts.get(pid)}
    assert changed == recompiled


def test_key_falls_back_to_parsed_content_without_loader_digests(tmp_path: Path) -> None:
    files = _files()
    compile_repository(mem_repo(files), cache=_cache(tmp_path))
    files["prompts/p4.yaml"] = files["prompts/p4.yaml"].replace("Hi", "Hello")
    after = compile_repository(mem_repo(files), cache=_cache(tmp_path))
    assert after.compiled == 1
    assert after.prompt("p4")["messages"][-1]["template"] == "Hello {{ name }}"


def test_default_cache_lives_in_the_git_dir(tmp_path: Path) -> None:
    (tmp_path / "r" / ".git").mkdir(parents=True)
    (tmp_path / "r" / "sub").mkdir()
    repo = replace(mem_repo(MINIMAL_REPO), root=tmp_path / "r" / "sub")
    cache = default_cache(repo)
    assert cache is not None
    assert cache.path == tmp_path / "r" / ".git" / "promptops-cache" / "compile.sqlite3"
    compile_repository(repo)
    assert cache.path.is_file()


def test_default_cache_of_a_linked_worktree(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: ../main/.git/worktrees/wt\n")
    repo = replace(mem_repo(MINIMAL_REPO), root=tmp_path / "wt")
    cache = default_cache(repo)
    assert cache is not None
    expected = tmp_path / "main" / ".git" / "worktrees" / "wt" / "promptops-cache"
    assert cache.path == expected / "compile.sqlite3"


def test_no_cache_outside_git(tmp_path: Path) -> None:
    repo = replace(mem_repo(MINIMAL_REPO), root=tmp_path)
    assert default_cache(repo) is None


class _Tracking(Mapping[str, Any]):
    """A read-only mapping that records which documents were read (the loader's are lazy)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)
        self.read: set[str] = set()
        self.batches = 0

    def items(self) -> ItemsView[str, Any]:
        self.batches += 1
        return self.data.items()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_unchanged_prompts_are_never_read_on_a_warm_build(tmp_path: Path) -> None:
    files = _files()
    compile_repository(_repo(files), cache=_cache(tmp_path))
    files["prompts/p4.yaml"] = files["prompts/p4.yaml"].replace("Hi", "Hello")
    repo = _repo(files)
    prompts = _Tracking(repo.prompts)
    after = compile_repository(replace(repo, prompts=prompts), cache=_cache(tmp_path))
    assert prompts.read == {"p4"}
    assert after.data == compile_repository(repo, cache=False).data


@pytest.mark.parametrize(
    "deps",
    [
        Deps("m", (), (), (), False),
        Deps("m", (), ("instructions/a", "instructions/b"), ("t1",), True),
        Deps("m", ("v1", "v2"), ("i",), ("t1", "t2", "t3"), False),
    ],
)
def test_deps_round_trip(deps: Deps) -> None:
    assert Deps.decode(deps.encode()) == deps


def test_undecodable_deps_are_ignored() -> None:
    assert Deps.decode("garbage") is None


def test_many_prompts_to_parse_are_read_in_one_batch() -> None:
    repo = _repo(_files(300))
    prompts = _Tracking(repo.prompts)
    bundle = compile_repository(replace(repo, prompts=prompts), cache=False)
    assert (prompts.batches, prompts.read) == (1, set())
    assert bundle.data == compile_repository(repo, cache=False).data

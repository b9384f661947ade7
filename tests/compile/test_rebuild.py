"""Builds at repository scale: compiled on every core from stored documents, and rebuilt
from the previous bundle at the cost of the change, always to the same bytes."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import promptops.compile.bundle as bundle_module
import promptops.compile.parallel as parallel
import promptops.repo.store as store_module
from promptops.compile import build, compile_repository
from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, SHORT_VARIANT, commit_all, init_repo

PROMPT = MINIMAL_REPO["prompts/greet.yaml"]
EXPERIMENT = """\
prompt: p/p1
arms:
  control: {weight: 50, variant: base}
  short: {weight: 50}
metrics: [{name: replied}]
"""


def _big(root: Path, n: int = 40) -> Path:
    files = dict(MINIMAL_REPO)
    for i in range(n):
        files[f"prompts/p/p{i}.yaml"] = PROMPT.replace("Say hello", f"Say hello {i}").replace(
            "tools: [lookup]", "tools: [lookup]" if i % 3 else "tools: []"
        )
    # Variants and an experiment travel through the workers and the rebuild like the rest.
    files["prompts/p/p1.yaml"] += SHORT_VARIANT
    files["prompts/p/p2.yaml"] += SHORT_VARIANT
    files["experiments/x.yaml"] = EXPERIMENT
    files["prompts/p/inc.yaml"] = PROMPT.replace(
        "Say hello to {{ name }}.", 'Say hello to {{ name }}. {% include "partials/footer" %}'
    )
    init_repo(root, files)
    return root


def _scratch(root: Path) -> bytes:
    return compile_repository(load_repository(root, cache=False), cache=False).data


def test_workers_compile_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _big(tmp_path / "repo")
    expected = _scratch(root)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    maps: list[int] = []
    real_map = ProcessPoolExecutor.map

    def spy(self: ProcessPoolExecutor, fn: Any, *args: Any, **kwargs: Any) -> Any:
        maps.append(1)
        return real_map(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "map", spy)
    monkeypatch.setattr(store_module, "_PROCESS", {})
    bundle = build(root, out=tmp_path / "out")
    assert bundle.compiled == 42
    assert maps == [1]  # the compile pool really ran (the load had too few files for one)
    assert (tmp_path / "out" / "bundle.json").read_bytes() == bundle.data == expected


def test_rebuild_takes_unchanged_prompts_from_the_previous_bundle(tmp_path: Path) -> None:
    root = _big(tmp_path / "repo")
    out = tmp_path / "out"
    first = build(root, out=out)
    again = build(root, out=out)
    assert (first.compiled, again.compiled) == (42, 0)
    p3 = root / "prompts/p/p3.yaml"
    p3.write_text(p3.read_text().replace("Say hello 3", "Say hi 3"))
    after = build(root, out=out)
    assert after.compiled == 1
    assert after.data == _scratch(root)
    assert after.prompt("p/p3")["messages"][-1]["template"] == "Say hi 3 to {{ name }}."


def test_previous_bundle_is_not_trusted_once_edited(tmp_path: Path) -> None:
    root = _big(tmp_path / "repo")
    out = tmp_path / "out"
    build(root, out=out)
    bundle_file = out / "bundle.json"
    bundle_file.write_bytes(bundle_file.read_bytes().replace(b"Say hello 7", b"Say HELLO 7"))
    p3 = root / "prompts/p/p3.yaml"
    p3.write_text(p3.read_text().replace("Say hello 3", "Say hi 3"))
    taken: list[int] = []
    real = bundle_module.load_previous

    def spy(*args: Any) -> Any:
        found = real(*args)
        taken.append(found is not None)
        return found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bundle_module, "load_previous", spy)
        after = build(root, out=out)
    assert taken == [False]
    assert after.data == _scratch(root)
    assert b"Say HELLO 7" not in after.data


@pytest.mark.parametrize(
    "edit",
    [
        # A shared input: every prompt's stamp changes.
        lambda root: (root / "prompts/instructions/tone.yaml").write_text(
            MINIMAL_REPO["prompts/instructions/tone.yaml"].replace("brief", "short")
        ),
        lambda root: (root / "prompts/partials/footer.yaml").write_text(
            MINIMAL_REPO["prompts/partials/footer.yaml"].replace("Thanks", "Bye")
        ),
        lambda root: (root / "models.yaml").write_text(
            MINIMAL_REPO["models.yaml"].replace("temperature: 0.3", "temperature: 0.4")
        ),
        # A prompt renamed: same bytes, new id and path.
        lambda root: (root / "prompts/p/p5.yaml").rename(root / "prompts/p/p5b.yaml"),
    ],
)
def test_rebuild_after_any_edit_equals_a_build_from_scratch(tmp_path: Path, edit: Any) -> None:
    root = _big(tmp_path / "repo")
    out = tmp_path / "out"
    build(root, out=out)
    edit(root)
    assert build(root, out=out).data == _scratch(root)
    commit_all(root, "edit")
    assert build(root, "HEAD", out=out).data == build(root, out=tmp_path / "other").data


def test_rebuild_follows_an_experiment_and_a_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _big(tmp_path / "repo")
    out = tmp_path / "out"
    build(root, out=out)
    todo: list[list[str]] = []
    real = bundle_module._Build._cached

    def spy(self: Any, ids: list[str], owns: dict[str, str]) -> list[str]:
        todo.append(list(ids))
        return real(self, ids, owns)

    monkeypatch.setattr(bundle_module._Build, "_cached", spy)
    experiment = root / "experiments/x.yaml"
    experiment.write_text(EXPERIMENT.replace("weight: 50, variant", "weight: 90, variant"))
    after = build(root, out=out)
    assert after.compiled == 1  # p/p1, the prompt the experiment is on
    assert todo == [["p/p1"]]  # every other prompt taken from the previous bundle
    assert after.data == _scratch(root)
    arms = after.prompt("p/p1")["experiment"]["arms"]
    assert [a["weight"] for a in arms] == [6429, 3571]  # 90:50 in buckets of 10,000
    p2 = root / "prompts/p/p2.yaml"
    p2.write_text(p2.read_text().replace("Hi {{ name }}.", "Hey {{ name }}."))
    again = build(root, out=out)
    assert again.compiled == 1
    assert again.data == _scratch(root)
    assert "experiment" not in again.prompt("p/p2")

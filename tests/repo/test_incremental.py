"""A load after a change re-checks only what the change reaches, and finds exactly what a
load from scratch finds."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import promptops.repo.store as store_module
import promptops.repo.update as update_module
from promptops.repo import Repository, load_repository
from tests.helpers import MINIMAL_REPO, SHORT_VARIANT, git, init_repo

TODAY = dt.date(2026, 6, 1)

PROMPT = """\
kind: prompt
description: Prompt {i}.
owner: team-a
model: {model}
system: [{system}]
inputs:
  name: {{type: string, maxLength: 100}}
{extra}messages:
  - role: user
    content: |
      Hello {{{{ name }}}}.{include}
tags: [{tag}]
{variants}"""
EVAL = """\
prompt: {target}
cases:
  - name: c
    inputs: {{name: {value}}}
    assert:
      - contains: Ada
"""
EXPERIMENT = """\
prompt: {target}
arms:
  control: {{weight: 50, variant: base}}
  trial: {{weight: 50, variant: {arm}}}
metrics: [{{name: replied}}]
"""
RULES = "rules:\n  require_owner: true\n  eval_coverage: {tags: [critical], min_cases: 1}\n"


def _prompt(rng: random.Random, i: int) -> str:
    return PROMPT.format(
        i=i,
        model=rng.choice(["default", "default", "defualt"]),
        system=rng.choice(["", "instructions/tone", "instructions/gone"]),
        extra=rng.choice(["", "  mood: {type: string, default: calm}\n"]),
        include=rng.choice(["", ' {% include "partials/footer" %}']),
        tag=rng.choice(["misc", "critical"]),
        variants=rng.choice(["", "", SHORT_VARIANT, SHORT_VARIANT.replace("short", "brief")]),
    )


def _experiment(rng: random.Random) -> str:
    target = rng.choice(["p/p1", "p/p2", "p/p3", "p/none"])
    arm = rng.choice(["short", "brief", "base"])
    return EXPERIMENT.format(target=target, arm=arm)


def _eval(rng: random.Random, targets: list[str]) -> str:
    return EVAL.format(target=rng.choice(targets), value=rng.choice(["Ada", "7", "[1, 2]"]))


def _start(root: Path, rng: random.Random) -> None:
    files = {**MINIMAL_REPO, "policies/rules.yaml": RULES}
    for i in range(12):
        files[f"prompts/p/p{i}.yaml"] = _prompt(rng, i)
        if i % 2:
            files[f"evals/p/p{i}.yaml"] = _eval(rng, [f"p/p{i}", "greet", f"p/p{i + 1}"])
    files["experiments/x.yaml"] = _experiment(rng)
    init_repo(root, files)


def _some(root: Path, rng: random.Random, under: str) -> Path | None:
    found = sorted((root / under).rglob("*.yaml"))
    return rng.choice(found) if found else None


def _edit_prompt(root: Path, rng: random.Random) -> None:
    path = _some(root, rng, "prompts/p")
    if path is not None:
        path.write_text(_prompt(rng, rng.randrange(100)))


def _add_prompt(root: Path, rng: random.Random) -> None:
    (root / f"prompts/p/new{rng.randrange(20)}.yaml").write_text(_prompt(rng, 99))


def _remove(root: Path, rng: random.Random) -> None:
    path = _some(root, rng, rng.choice(["prompts/p", "evals/p"]))
    if path is not None:
        path.unlink()


def _rename_prompt(root: Path, rng: random.Random) -> None:
    path = _some(root, rng, "prompts/p")
    if path is not None:
        path.rename(path.with_name(f"r{rng.randrange(20)}-{path.name}"))


def _edit_eval(root: Path, rng: random.Random) -> None:
    ids = [p.relative_to(root / "prompts").with_suffix("").as_posix()
           for p in sorted((root / "prompts/p").glob("*.yaml"))]  # fmt: skip
    (root / f"evals/p/e{rng.randrange(6)}.yaml").write_text(_eval(rng, [*ids, "p/none"]))


def _edit_experiment(root: Path, rng: random.Random) -> None:
    # Two experiments on one prompt are an error; an arm may name a variant that its
    # prompt does not declare (or no longer declares after a prompt edit).
    path = root / f"experiments/{rng.choice(['x', 'y'])}.yaml"
    if path.exists() and rng.random() < 0.25:
        path.unlink()
    else:
        path.write_text(_experiment(rng))


def _break_yaml(root: Path, rng: random.Random) -> None:
    path = _some(root, rng, rng.choice(["prompts/p", "evals/p"]))
    if path is not None:
        path.write_text("kind: prompt\nmodel: [default\n")


def _edit_shared(root: Path, rng: random.Random) -> None:
    which = rng.choice(["tone", "footer", "models", "tools", "gone"])
    if which == "tone":
        (root / "prompts/instructions/tone.yaml").write_text(
            MINIMAL_REPO["prompts/instructions/tone.yaml"].replace("brief", f"brief {rng.random()}")
        )
    elif which == "footer":
        (root / "prompts/partials/footer.yaml").write_text(
            MINIMAL_REPO["prompts/partials/footer.yaml"].replace(
                "name", rng.choice(["name", "who"])
            )
        )
    elif which == "models":
        (root / "models.yaml").write_text(
            MINIMAL_REPO["models.yaml"].replace("default:", rng.choice(["default:", "defualt:"]))
        )
    elif which == "tools":
        (root / "policies/tools.yaml").write_text(
            MINIMAL_REPO["policies/tools.yaml"].replace("lookup:", rng.choice(["lookup:", "look:"]))
        )
    else:
        gone = root / "prompts/instructions/gone.yaml"
        if gone.exists():
            gone.unlink()
        else:
            gone.write_text(MINIMAL_REPO["prompts/instructions/tone.yaml"])


def _stage(root: Path, rng: random.Random) -> None:
    git(root, "add", "-A")


def _commit(root: Path, rng: random.Random) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "step")


def _revert(root: Path, rng: random.Random) -> None:
    git(root, "checkout", "-q", "HEAD", "--", ".")
    git(root, "clean", "-qfd")


STEPS: list[Callable[[Path, random.Random], None]] = [
    _edit_prompt, _edit_prompt, _add_prompt, _remove, _rename_prompt, _edit_eval, _edit_eval,
    _edit_experiment, _edit_experiment, _break_yaml, _edit_shared, _stage, _commit, _commit,
    _revert,
]  # fmt: skip


def _summary(repo: Repository) -> dict[str, Any]:
    return {
        "diagnostics": repo.diagnostics,
        "prompts": sorted(repo.prompts),
        "instructions": sorted(repo.instructions),
        "partials": sorted(repo.partials),
        "evals": sorted(repo.evals),
        "experiments": sorted(repo.experiments),
        "paths": dict(repo.paths),
        "digests": dict(repo.digests),
        "eval_targets": dict(repo.eval_targets),
        "source": repo.source,
    }


@pytest.mark.parametrize("seed", range(6))
def test_incremental_loads_match_loads_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(store_module, "_PROCESS", {})
    rng = random.Random(seed)
    root = tmp_path / "repo"
    _start(root, rng)
    incremental = 0
    real_update = update_module.update

    def spy(*args: Any, **kwargs: Any) -> Any:
        nonlocal incremental
        outcome = real_update(*args, **kwargs)
        incremental += not outcome.full
        return outcome

    monkeypatch.setattr("promptops.repo.loader.update", spy)
    for step in range(14):
        rng.choice(STEPS)(root, rng)
        if rng.random() < 0.3:
            store_module._PROCESS.clear()  # as a new process would
        for ref in (None, "HEAD", "HEAD~1" if step % 3 == 2 else None):
            if ref == "HEAD~1" and len(git(root, "rev-list", "HEAD").split()) < 2:
                continue
            cached = load_repository(root, ref, today=TODAY)
            fresh = load_repository(root, ref, cache=False, today=TODAY)
            assert _summary(cached) == _summary(fresh), (seed, step, ref)
    assert incremental > 0  # the incremental path really ran


def test_a_small_change_rechecks_only_what_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_PROCESS", {})
    files = dict(MINIMAL_REPO)
    for i in range(40):
        files[f"prompts/p/p{i}.yaml"] = MINIMAL_REPO["prompts/greet.yaml"]
        files[f"evals/p/p{i}.yaml"] = MINIMAL_REPO["evals/greet.yaml"].replace(
            "prompt: greet", f"prompt: p/p{i}"
        )
    root = tmp_path / "repo"
    init_repo(root, files)
    load_repository(root, today=TODAY)
    subjects: list[int] = []
    real = update_module.cross_check

    def spy(facts: Any, *args: Any) -> Any:
        subjects.append(len(facts.prompts) + len(facts.evals))
        return real(facts, *args)

    monkeypatch.setattr(update_module, "cross_check", spy)
    p3 = root / "prompts/p/p3.yaml"
    p3.write_text(p3.read_text().replace("name: {type: string", "nom: {type: string"))
    again = load_repository(root, today=TODAY)
    assert subjects == [2]  # the prompt and the one eval set targeting it
    assert {(d.path, d.code) for d in again.errors} >= {
        ("evals/p/p3.yaml", "unknown-input"),
        ("prompts/p/p3.yaml", "undeclared-variable"),
    }


def test_the_trust_chain_is_walked_on_a_load_after_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trust versions are not in the stored state: a load derived from it still walks them.
    monkeypatch.setattr(store_module, "_PROCESS", {})
    root = tmp_path / "repo"
    init_repo(root)
    load_repository(root, today=TODAY)
    (root / "policies" / "trust").mkdir(parents=True)
    (root / "policies" / "trust" / "1.json").write_text("{}")
    (root / "policies" / "trust" / "notes.txt").write_text("x")
    cached = load_repository(root, today=TODAY)
    assert _summary(cached) == _summary(load_repository(root, cache=False, today=TODAY))
    assert {(d.path, d.code) for d in cached.diagnostics} == {
        ("policies/trust/1.json", "trust-chain"),
        ("policies/trust/notes.txt", "unknown-file"),
    }

"""eval runs every variant (results named prompt@variant); diff reports variants and the
experiment structurally and runs the variants' cases in the behaviour diff (ADR 0018)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.diff.api import DiffOptions, diff_refs
from promptops.errors import UsageError
from promptops.evals.api import evaluate_matrix, evaluate_repository
from tests.helpers import commit_all, init_repo, write_files
from tests.repo.test_variants import REPO, X


def test_eval_runs_each_case_on_the_prompt_and_on_every_variant(tmp_path: Path) -> None:
    init_repo(tmp_path, REPO)
    report = evaluate_repository(tmp_path, use_cache=False).report
    outputs = {(c.prompt_id, c.case): c.output for c in report.cases}
    assert outputs == {
        ("greet", "says-hello"): outputs[("greet", "says-hello")],
        ("greet@other-pin", "says-hello"): outputs[("greet@other-pin", "says-hello")],
        ("greet@short", "says-hello"): outputs[("greet@short", "says-hello")],
    }
    # The echo provider answers with the last user message: each variant's own text.
    assert "Say hello to Ada." in (outputs[("greet", "says-hello")] or "")
    assert "Hi Ada." in (outputs[("greet@short", "says-hello")] or "")
    assert all(c.passed for c in report.cases)


def test_diff_shows_variants_and_the_experiment_and_runs_them(tmp_path: Path) -> None:
    init_repo(tmp_path, REPO)
    greet = REPO["prompts/greet.yaml"].replace("Hi {{ name }}.", "Hey {{ name }}!")
    greet += "  formal:\n    params: {temperature: 0}\n"
    greet = greet.replace("  other-pin:\n    model: second\n", "")
    experiment = REPO[X].replace(
        "  pinned: {weight: 25, variant: other-pin}\n", "  formal: {weight: 25}\n"
    )
    write_files(tmp_path, {"prompts/greet.yaml": greet, X: experiment})
    commit_all(tmp_path, "variants")
    result = diff_refs(tmp_path, "HEAD~1", "HEAD", DiffOptions(behaviour=True))
    (prompt,) = result.prompts
    changes = {(c.path, c.summary) for c in prompt.changes}
    assert changes == {
        ("variants.formal", "variant formal added (overrides params)"),
        ("variants.other-pin", "variant other-pin removed (overrides model, params)"),
        ("variants.short.messages[0]", "variant short: messages[0] (user) changed"),
        ("experiment", "experiment greeting: pinned other-pin 25% -> absent; "
                       "formal absent -> formal 25%"),
    }  # fmt: skip
    assert result.behaviour is not None
    seen = {
        p.prompt: [(c.case, c.output_changed) for c in p.cases] for p in result.behaviour.prompts
    }
    assert seen == {
        "greet": [("says-hello", False)],
        "greet@formal": [("says-hello", False)],
        "greet@other-pin": [("says-hello", False)],
        "greet@short": [("says-hello", True)],
    }


@pytest.mark.parametrize(
    ("selected", "targets"),
    [
        (["greet@short"], ["greet@short"]),
        (["greet@base"], ["greet"]),
        (["greet@base", "greet@short"], ["greet", "greet@short"]),
        (["greet@short", "greet"], ["greet", "greet@other-pin", "greet@short"]),
        (["greet"], ["greet", "greet@other-pin", "greet@short"]),
    ],
)
def test_prompt_at_variant_runs_that_variant_alone(
    tmp_path: Path, selected: list[str], targets: list[str]
) -> None:
    init_repo(tmp_path, REPO)
    report = evaluate_repository(tmp_path, prompt_ids=selected, use_cache=False).report
    assert sorted(c.prompt_id for c in report.cases) == targets
    assert all(c.passed for c in report.cases)


def test_an_unknown_variant_names_those_there_are(tmp_path: Path) -> None:
    init_repo(tmp_path, REPO)
    with pytest.raises(UsageError) as exc:
        evaluate_repository(tmp_path, prompt_ids=["greet@shrot"], use_cache=False)
    assert str(exc.value) == (
        "--prompt greet@shrot: prompt 'greet' has no variant 'shrot' (its variants: "
        "other-pin, short; greet@base is the prompt as written)"
    )
    with pytest.raises(UsageError, match=r"^--prompt 'gret': no such prompt; did you mean"):
        evaluate_repository(tmp_path, prompt_ids=["gret@short"], use_cache=False)
    with pytest.raises(UsageError, match=r"^--prompt greet@short: a side-by-side run"):
        evaluate_matrix(tmp_path, ["default"], prompt_ids=["greet@short"], use_cache=False)


def test_a_run_of_one_variant_prunes_only_that_variant_s_recordings(tmp_path: Path) -> None:
    init_repo(tmp_path, REPO)
    kept = tmp_path / "evals/recordings/greet/old.json"
    swept = tmp_path / "evals/recordings/greet@short/old.json"
    for path in (kept, swept):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    run = evaluate_repository(tmp_path, prompt_ids=["greet@short"], prune=True, use_cache=False)
    assert run.pruned == ("evals/recordings/greet@short/old.json",)
    assert kept.is_file() and not swept.exists()

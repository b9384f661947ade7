"""Record with echo, replay offline: deterministic, from the working tree or a git ref."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.evals import evaluate_repository
from tests.helpers import commit_all, git


def _recorded(repo: Path) -> list[str]:
    run = evaluate_repository(repo, provider="echo", record=True)
    assert run.report.ok
    return list(run.recorded)


def test_record_writes_one_reviewable_file_per_request(repo: Path) -> None:
    [rel] = _recorded(repo)
    digest = evaluate_repository(repo, provider="echo").report.cases[0].request_digest
    assert rel == f"evals/recordings/greet/{digest}.json"
    document = json.loads((repo / rel).read_text(encoding="utf-8"))
    assert document["format"] == "promptops.recording/v1"
    assert document["prompt"] == "greet"
    assert document["recorded_with"] == "echo"
    assert document["request"]["provider"] == "echo"
    assert document["request"]["messages"][-1] == {"role": "user", "content": "Say hello to Ada."}
    assert document["responses"] == [
        {"latency_ms": 0.0, "text": "Say hello to Ada.", "tokens_in": 10, "tokens_out": 5,
         "tool_calls": []}
    ]  # fmt: skip
    text = (repo / rel).read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "format"' in text  # indented, sorted keys


def test_replay_is_deterministic(repo: Path) -> None:
    _recorded(repo)
    first = evaluate_repository(repo, provider="replay").report
    second = evaluate_repository(repo, provider="replay").report
    assert first.ok
    assert first.to_dict() == second.to_dict()
    assert first.cases[0].output == "Say hello to Ada."


def test_a_replay_miss_names_the_case_and_how_to_record(repo: Path) -> None:
    report = evaluate_repository(repo, provider="replay").report
    case = report.cases[0]
    assert case.error == (
        "case 'says-hello' of evals/greet.yaml (prompt 'greet'): replay miss: no recording at "
        f"evals/recordings/greet/{case.request_digest}.json (the prompt or the case inputs "
        "changed since it was recorded); record it with `promptops eval --record --provider "
        "echo` or with a live provider, then commit evals/recordings/"
    )
    assert not report.ok


def test_replay_at_a_ref_reads_the_committed_recordings(repo: Path) -> None:
    _recorded(repo)
    commit_all(repo, "record")
    prompt = repo / "prompts/greet.yaml"
    prompt.write_text(prompt.read_text().replace("Say hello", "Wave at"), encoding="utf-8")
    git(repo, "rm", "-rq", "evals/recordings")
    assert evaluate_repository(repo, ref="HEAD", provider="replay").report.ok
    assert not evaluate_repository(repo, provider="replay").report.ok


def test_a_damaged_recording_says_so(repo: Path) -> None:
    [rel] = _recorded(repo)
    (repo / rel).write_text('{"format": "other"}', encoding="utf-8")
    error = evaluate_repository(repo, provider="replay").report.cases[0].error
    assert error == (
        f"case 'says-hello' of evals/greet.yaml (prompt 'greet'): {rel}: not a "
        "promptops.recording/v1 recording (format is 'other'); re-record it with "
        "`promptops eval --record`"
    )


def test_recording_needs_a_provider_that_answers(repo: Path) -> None:
    with pytest.raises(UsageError, match=r"^--record needs a provider that answers"):
        evaluate_repository(repo, provider="replay", record=True)


def test_unknown_prompt_filter_suggests(repo: Path) -> None:
    with pytest.raises(UsageError) as info:
        evaluate_repository(repo, prompt_ids=["gret"])
    assert str(info.value) == "--prompt 'gret': no such prompt; did you mean 'greet'?"

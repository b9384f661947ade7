"""Record from a live (fake) model, replay offline: deterministic, from the working tree or
a git ref; echo and replay never stand in for a model's recorded answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.evals import evaluate_repository
from tests.evals.fake_llm import record_live
from tests.helpers import commit_all, git, run_cli


def _recorded(repo: Path) -> list[str]:
    run = record_live(repo)
    assert run.report.ok
    return list(run.recorded)


def test_record_writes_one_reviewable_file_per_request(repo: Path) -> None:
    [rel] = _recorded(repo)
    digest = evaluate_repository(repo, provider="echo").report.cases[0].request_digest
    assert rel == f"evals/recordings/greet/{digest}.json"
    document = json.loads((repo / rel).read_text(encoding="utf-8"))
    assert document["format"] == "promptops.recording/v1"
    assert document["prompt"] == "greet"
    assert document["recorded_with"] == "openai-compatible"
    assert document["request"]["provider"] == "echo"  # the pin's: what the request asks
    assert document["request"]["messages"][-1] == {"role": "user", "content": "Say hello to Ada."}
    [response] = document["responses"]
    assert (response["text"], response["tokens_in"], response["tokens_out"]) == (
        "Say hello to Ada.", 11, 7,
    )  # fmt: skip
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
        f"evals/recordings/greet/{case.request_digest}.json (new, or the prompt or the case "
        "inputs changed since it was recorded); record it with `promptops eval --record "
        "--prompt greet` (the model pin's own provider, its API key set), then commit "
        "evals/recordings/"
    )
    # No verdict is not a failed assertion: counted apart.
    assert (report.totals.failed, report.totals.errors) == (0, 1)
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


@pytest.mark.parametrize("provider", ["echo", "replay"])
def test_record_refuses_echo_and_replay(repo: Path, provider: str) -> None:
    # Issue 14: the replay-miss hint once said `--record --provider echo`, which commits
    # echoed prompts as the model's expected answers.
    with pytest.raises(UsageError) as info:
        evaluate_repository(repo, provider=provider, record=True)
    assert str(info.value) == (
        f"--record refuses {provider} as the answering provider: recordings stand in for a "
        f"model's answers, and {provider} is not a model; record with the model pins' own "
        "providers (drop --provider, set their API keys) or --provider openai|anthropic|..."
    )
    assert not (repo / "evals/recordings").exists()


def test_record_refuses_a_pin_whose_provider_is_echo(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["eval", str(repo), "--record"], capsys)  # the pin says echo
    assert code == 2
    assert err.startswith(
        "error: --record refuses echo as the answering provider (case 'says-hello' of "
        "evals/greet.yaml): "
    )


def test_unknown_prompt_filter_suggests(repo: Path) -> None:
    with pytest.raises(UsageError) as info:
        evaluate_repository(repo, prompt_ids=["gret"])
    assert str(info.value) == "--prompt 'gret': no such prompt; did you mean 'greet'?"

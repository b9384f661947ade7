"""Stale recordings: validate warns about them, ``eval --prune`` removes them (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.evals import evaluate_repository
from tests.evals.fake_llm import record_live
from tests.helpers import run_cli


def _stale_repo(repo: Path) -> tuple[str, str]:
    """Record, then change the case: the old recording is stale, a new one is needed."""
    [old] = record_live(repo).recorded
    path = repo / "evals/greet.yaml"
    path.write_text(path.read_text().replace("{name: Ada}", "{name: Adam}"), encoding="utf-8")
    [new] = record_live(repo).recorded
    return old, new


def test_validate_warns_about_a_recording_no_case_uses(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = _stale_repo(repo)
    code, out, _ = run_cli(["validate", str(repo), "--no-cache"], capsys)
    assert code == 0
    assert out.splitlines() == [
        f"{old}:1:1: warning: no eval case sends this request any more (its prompt or case "
        "changed or was removed); remove it with `promptops eval --provider replay --prune` "
        "[stale-recording]",
        "ok: 0 error(s), 1 warning(s), 7 valid document(s)",
    ]


def test_prune_removes_only_unused_recordings(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _stale_repo(repo)
    (repo / "evals/recordings/gone/prompt").mkdir(parents=True)
    (repo / "evals/recordings/gone/prompt/abc.json").write_text("{}", encoding="utf-8")
    code, _, err = run_cli(["eval", str(repo), "--provider", "replay", "--prune"], capsys)
    assert code == 0
    assert err == f"pruned evals/recordings/gone/prompt/abc.json\npruned {old}\n"
    assert (repo / new).is_file() and not (repo / old).exists()
    assert not (repo / "evals/recordings/gone").exists()  # emptied directories go too
    code, out, _ = run_cli(["validate", str(repo), "--no-cache"], capsys)
    assert "stale-recording" not in out


def test_prune_is_skipped_while_cases_cannot_run(repo: Path) -> None:
    old, new = _stale_repo(repo)
    (repo / new).unlink()  # a replay miss: its judges' recordings would be unknown
    run = evaluate_repository(repo, provider="replay", prune=True)
    assert run.pruned == ()
    assert run.prune_skipped == (
        "--prune skipped: 1 case(s) could not run, so which recordings they (and their "
        "judges) use is unknown; fix them and prune again"
    )
    assert (repo / old).is_file()


def test_prune_with_a_prompt_filter_sweeps_only_that_prompt(repo: Path) -> None:
    old, _ = _stale_repo(repo)
    other = repo / "evals/recordings/other/x.json"
    other.parent.mkdir(parents=True)
    other.write_text("{}", encoding="utf-8")
    run = evaluate_repository(repo, provider="replay", prune=True, prompt_ids=["greet"])
    assert run.pruned == (old,)
    assert other.is_file()

"""``promptops eval``: exit codes, formats, record then replay, usage errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import run_cli


def _break_assertion(repo: Path) -> None:
    path = repo / "evals/greet.yaml"
    path.write_text(path.read_text().replace("contains: Ada", "contains: Grace"), encoding="utf-8")


def test_passing_eval_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["eval", str(repo), "--no-cache"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "PASS evals/greet.yaml :: says-hello\n"
        "1 cases: 1 passed, 0 failed; tokens 10 in / 5 out; cost $0.000020; "
        "latency p50 0 ms, p95 0 ms; 1 provider calls, 0 cached\n"
    )


def test_failing_eval_exits_1_with_the_assertion_and_output(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_assertion(repo)
    code, out, _ = run_cli(["eval", str(repo)], capsys)
    assert code == 1
    assert out.splitlines()[:3] == [
        "FAIL evals/greet.yaml :: says-hello",
        "     - expected output to contain 'Grace'; found 'Say hello to Ada.'",
        "     output: 'Say hello to Ada.'",
    ]


def test_formats(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break_assertion(repo)
    code, out, _ = run_cli(["eval", str(repo), "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["totals"]["failed"] == 1
    code, out, _ = run_cli(["eval", str(repo), "--format", "junit"], capsys)
    assert code == 1 and ET.fromstring(out).get("failures") == "1"
    code, out, _ = run_cli(["eval", str(repo), "--format", "markdown"], capsys)
    assert code == 1 and out.startswith("**❌ 1 of 1 cases failed**\n")


def test_record_then_replay(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["eval", str(repo), "--provider", "echo", "--record"], capsys)
    assert (code, err) == (0, "recorded 1 file(s) under evals/recordings/\n")
    code, out, _ = run_cli(["eval", str(repo), "--provider", "replay"], capsys)
    assert code == 0 and out.startswith("PASS evals/greet.yaml :: says-hello\n")


def test_prompt_filter_and_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["eval", str(repo), "--prompt", "nope"], capsys)
    assert (code, err) == (2, "error: --prompt 'nope': no such prompt\n")
    code, _, err = run_cli(["eval", str(repo), "--provider", "replay", "--record"], capsys)
    assert code == 2
    assert err == (
        "error: --record needs a provider that answers (echo or a live model), not replay\n"
    )
    code, _, err = run_cli(["eval", str(repo), "--concurrency", "0"], capsys)
    assert code == 2 and "--concurrency" in err


def test_invalid_eval_set_names_file_and_case(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "evals/greet.yaml"
    path.write_text(path.read_text().replace("contains: Ada", "regex: '(Ada'"), encoding="utf-8")
    code, _, err = run_cli(["eval", str(repo)], capsys)
    assert code == 1
    assert err == (
        "error: evals/greet.yaml: case 'says-hello': assertion 1: invalid regular expression "
        "'(Ada': missing ), unterminated subpattern at position 0\n"
    )


def test_ref_evaluates_the_committed_version(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_assertion(repo)  # uncommitted: HEAD still expects 'Ada'
    assert run_cli(["eval", str(repo)], capsys)[0] == 1
    code, out, _ = run_cli(["eval", str(repo), "--ref", "HEAD", "--prompt", "greet"], capsys)
    assert code == 0 and out.startswith("PASS evals/greet.yaml :: says-hello\n")

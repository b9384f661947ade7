"""``promptops eval``: exit codes, formats, record then replay, usage errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.evals.fake_llm import serve
from tests.helpers import run_cli


def _break_assertion(repo: Path) -> None:
    path = repo / "evals/greet.yaml"
    path.write_text(path.read_text().replace("contains: Ada", "contains: Grace"), encoding="utf-8")


def test_passing_eval_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["eval", str(repo), "--no-cache"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "PASS evals/greet.yaml :: says-hello\n"
        "1 cases: 1 passed, 0 failed, 0 errors; tokens 10 in / 5 out; cost $0.000020; "
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


def test_record_then_replay(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        argv = ["eval", str(repo), "--provider", "openai-compatible", "--record"]
        code, _, err = run_cli(argv, capsys)
    assert (code, err) == (0, "recorded 1 file(s) under evals/recordings/\n")
    code, out, _ = run_cli(["eval", str(repo), "--provider", "replay"], capsys)
    assert code == 0 and out.startswith("PASS evals/greet.yaml :: says-hello\n")


def test_prompt_filter_and_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["eval", str(repo), "--prompt", "nope"], capsys)
    assert (code, err) == (2, "error: --prompt 'nope': no such prompt\n")
    code, _, err = run_cli(["eval", str(repo), "--provider", "replay", "--record"], capsys)
    assert code == 2
    assert err.startswith("error: --record refuses replay as the answering provider: ")
    code, _, err = run_cli(["eval", str(repo), "--concurrency", "0"], capsys)
    assert code == 2 and "--concurrency" in err


def test_invalid_eval_set_names_file_and_case(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "evals/greet.yaml"
    path.write_text(path.read_text().replace("contains: Ada", "regex: '(Ada'"), encoding="utf-8")
    code, _, err = run_cli(["eval", str(repo)], capsys)
    assert code == 1
    # Validate catches it first, with its position in the file.
    assert err == (
        "evals/greet.yaml:6:16: error: cases[0].assert[0].regex: not a valid regular "
        "expression: missing ), unterminated subpattern at position 0 [assertion-argument]\n"
        "error: cannot evaluate: the repository has 1 error(s); run `promptops validate` and "
        "fix them (or evaluate some prompts with --prompt)\n"
    )


def test_ref_evaluates_the_committed_version(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_assertion(repo)  # uncommitted: HEAD still expects 'Ada'
    assert run_cli(["eval", str(repo)], capsys)[0] == 1
    code, out, _ = run_cli(["eval", str(repo), "--ref", "HEAD", "--prompt", "greet"], capsys)
    assert code == 0 and out.startswith("PASS evals/greet.yaml :: says-hello\n")


# Issue 14, "Why": what a new user met with a live pin.

OPENAI_PIN = """\
models:
  default:
    provider: openai
    model: gpt-4o-2024-08-06
    base_url: {url}
    pricing: {{input_per_mtok: 2.5, output_per_mtok: 10.0}}
"""


def _openai_pin(repo: Path, url: str) -> None:
    (repo / "models.yaml").write_text(OPENAI_PIN.format(url=url), encoding="utf-8")


def test_without_the_openai_sdk_says_which_extra_to_install(repo: Path) -> None:
    # A base install has no openai package: this once printed "internal error: this is a
    # bug in promptops". Blocking the import reproduces that install in a real process.
    _openai_pin(repo, "http://127.0.0.1:9/v1")
    script = (
        "import sys; sys.modules['openai'] = None\n"
        "from promptops.cli.main import main\n"
        f"main(['eval', {str(repo)!r}, '--no-cache'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: the openai provider needs the openai package, which is not installed; "
        "install it with: pip install 'promptops[openai]' (or answer with --provider replay)\n"
    )


def test_an_outage_is_an_error_with_the_pins_cost(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    _openai_pin(repo, url)
    code, out, _ = run_cli(["eval", str(repo), "--no-cache"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "ERROR evals/greet.yaml :: says-hello"
    assert lines[1].startswith(f"     - case 'says-hello' of evals/greet.yaml (prompt 'greet'): "
                               f"connection refused by {url}/chat/completions")  # fmt: skip
    # Pricing is set: the cost is a number (nothing was answered), never "n/a (no pricing)".
    assert lines[-1].startswith("1 cases: 0 passed, 0 failed, 1 errors; tokens 0 in / 0 out; "
                                "cost $0.000000;")  # fmt: skip


def test_cost_uses_the_pins_pricing_whichever_provider_answers(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _openai_pin(repo, "http://127.0.0.1:9/v1")
    code, out, _ = run_cli(["eval", str(repo), "--provider", "echo", "--no-cache"], capsys)
    # echo: 10 tokens in, 5 out at $2.50 / $10.00 per million.
    assert code == 0 and "; cost $0.000075;" in out

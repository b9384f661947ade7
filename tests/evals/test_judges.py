"""Graded assertions (issue 14, item 1): judges, embeddings, python checks, defaults."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from promptops.errors import ValidationError
from promptops.evals import evaluate_repository
from tests.evals.fake_llm import FakeLLM, Reply, serve
from tests.helpers import MINIMAL_REPO, init_repo

MODELS = """\
models:
  default:
    provider: echo
    model: echo-2024-01-01
    pricing: {{input_per_mtok: 1.0, output_per_mtok: 2.0}}
  grader:
    provider: openai-compatible
    model: judge-2024-01-01
    base_url: {url}
    params: {{temperature: 0}}
    judge: true
  embedder:
    provider: openai-compatible
    model: embed-2024-01-01
    base_url: {url}
    embedding: true
"""

PROMPT = """\
kind: prompt
description: Answer from the articles.
owner: team-a
model: default
inputs:
  question: {type: string}
  articles: {type: array, items: {type: string}, default: []}
messages:
  - role: user
    content: "{{ question }}"
"""


def _judge(body: dict[str, Any]) -> Reply:
    """A judge that scores 0.9 when the answer mentions a refund, else 0.2; requests that
    are not a judge's (no response format) get the echo of their last user message."""
    if "response_format" not in body:
        return Reply()
    prompt = body["messages"][-1]["content"]
    answer = prompt.split("Answer:\n", 1)[-1]
    good = "refund" in answer.lower()
    score = {"score": 0.9 if good else 0.2, "reason": "mentions the refund" if good else "no"}
    return Reply(text=json.dumps(score))


@pytest.fixture
def judge() -> Iterator[FakeLLM]:
    with serve() as fake:
        fake.responder = _judge
        yield fake


def _repo(tmp_path: Path, url: str, evals: str, extra: dict[str, str] | None = None) -> Path:
    files = {
        **{k: v for k, v in MINIMAL_REPO.items() if not k.startswith("evals/")},
        "models.yaml": MODELS.format(url=url),
        "prompts/ask.yaml": PROMPT,
        "evals/ask.yaml": evals,
        **(extra or {}),
    }
    root = tmp_path / "repo"
    init_repo(root, files)
    return root


RUBRIC = """\
prompt: ask
defaults:
  inputs: {articles: ["Refunds take 5 days."]}
  assert:
    - rubric: Says when the refund arrives.
cases:
  - name: good
    inputs: {question: When will my refund arrive?}
  - name: good-again
    inputs: {question: When will my refund arrive?}
  - name: bad
    inputs: {question: Where is my parcel?}
"""


def test_rubric_scores_with_the_judge_pin_and_its_reason(tmp_path: Path, judge: FakeLLM) -> None:
    root = _repo(tmp_path, judge.url, RUBRIC)
    report = evaluate_repository(root, cache_dir=tmp_path / "cache").report
    good, again, bad = report.cases
    assert (good.status, again.status, bad.status) == ("pass", "pass", "fail")
    [grade] = good.samples[0].grades
    assert (grade.kind, grade.score, grade.reason) == ("rubric", 0.9, "mentions the refund")
    assert bad.failures == ("expected rubric score >= 0.7; found 0.20: no",)
    # One judge request per distinct judged sample: the two identical answers share one.
    assert len(judge.requests) == 2
    sent = judge.requests[0]
    assert sent["model"] == "judge-2024-01-01" and sent["temperature"] == 0
    assert "Criteria:\nSays when the refund arrives." in sent["messages"][-1]["content"]
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["reason", "score"]


def test_judge_answers_are_recorded_and_replayed_offline(tmp_path: Path, judge: FakeLLM) -> None:
    root = _repo(tmp_path, judge.url, RUBRIC)
    run = evaluate_repository(
        root, provider="openai-compatible", record=True, use_cache=False,
        env={"OPENAI_BASE_URL": judge.url},
    )  # fmt: skip
    judged = [r for r in run.recorded if r.startswith("evals/recordings/judges/rubric/")]
    assert len(judged) == 2
    replayed = evaluate_repository(root, provider="replay").report
    assert [c.status for c in replayed.cases] == ["pass", "pass", "fail"]

    def verdicts(report: Any) -> list[Any]:
        return [(c.output, [g.to_dict() for g in c.samples[0].grades]) for c in report.cases]

    assert verdicts(replayed) == verdicts(run.report)


def test_a_judge_that_cannot_answer_leaves_the_case_without_a_verdict(
    tmp_path: Path, judge: FakeLLM
) -> None:
    judge.responder = lambda body: Reply(text="I think it is fine.")
    root = _repo(tmp_path, judge.url, RUBRIC)
    case = evaluate_repository(root, use_cache=False).report.cases[0]
    assert case.status == "error"
    assert case.error == (
        "judge rubric: the judge did not answer {score, reason} JSON: 'I think it is fine.'"
    )


def test_groundedness_reads_the_context_input(tmp_path: Path, judge: FakeLLM) -> None:
    evals = RUBRIC.replace("- rubric: Says when the refund arrives.", "- groundedness: articles")
    root = _repo(tmp_path, judge.url, evals)
    report = evaluate_repository(root, use_cache=False).report
    assert report.cases[0].status == "pass"
    text = judge.requests[0]["messages"][-1]["content"]
    assert "Context:\nRefunds take 5 days.\n" in text


def test_groundedness_without_its_context_input_is_an_error(tmp_path: Path, judge: FakeLLM) -> None:
    evals = RUBRIC.replace("- rubric: Says when the refund arrives.", "- groundedness: sources")
    root = _repo(tmp_path, judge.url, evals)
    case = evaluate_repository(root, use_cache=False).report.cases[0]
    assert case.error == "groundedness: groundedness reads the case input 'sources', which it lacks"
    assert judge.requests == []


def test_factuality_and_relevance_use_their_own_prompts(tmp_path: Path, judge: FakeLLM) -> None:
    evals = RUBRIC.replace(
        "- rubric: Says when the refund arrives.",
        "- factuality: {reference: Refunds take 5 days., threshold: 0.5}\n    - relevance: true",
    )
    root = _repo(tmp_path, judge.url, evals)
    report = evaluate_repository(root, use_cache=False).report
    assert [g.kind for g in report.cases[0].samples[0].grades] == ["factuality", "relevance"]
    texts = [r["messages"][-1]["content"] for r in judge.requests]
    assert any("Reference answer:\nRefunds take 5 days." in t for t in texts)


def test_a_repository_judge_prompt_overrides_the_built_in(tmp_path: Path, judge: FakeLLM) -> None:
    own = """\
kind: prompt
description: Our rubric judge, reviewed like any prompt.
owner: team-a
model: grader
inputs:
  criteria: {type: string}
  output: {type: string}
messages:
  - role: user
    content: "House rubric. {{ criteria }} || Answer:\\n{{ output }}"
output:
  schema: {type: object}
"""
    root = _repo(tmp_path, judge.url, RUBRIC, {"prompts/judges/rubric.yaml": own})
    report = evaluate_repository(root, use_cache=False).report
    assert report.cases[0].status == "pass"
    assert judge.requests[0]["messages"][-1]["content"].startswith("House rubric. Says when")


def test_similar_compares_embeddings_of_the_embedder_pin(tmp_path: Path, judge: FakeLLM) -> None:
    evals = RUBRIC.replace(
        "- rubric: Says when the refund arrives.",
        "- similar: {expected: When will my refund arrive?, threshold: 0.9}",
    )
    root = _repo(tmp_path, judge.url, evals)
    report = evaluate_repository(root, cache_dir=tmp_path / "cache").report
    good, _, bad = report.cases
    assert good.samples[0].grades[0].score == 1.0  # echo answers the question itself
    assert bad.status == "fail" and bad.samples[0].grades[0].score is not None
    assert bad.samples[0].grades[0].score < 0.9
    # One embedding per distinct text: the expected text (also the first two answers) once,
    # the third answer once.
    assert len(judge.requests) == 2
    assert judge.requests[0]["model"] == "embed-2024-01-01"


CHECKS = """\
import os


def mentions_refund(case):
    return "refund" in case["output"].lower()


def length_score(case):
    return {"score": min(1.0, len(case["output"]) / 100), "reason": "longer is better"}


def sees(case):
    return {"pass": True, "reason": repr(sorted(case)) + "|" + repr(sorted(os.environ))}


def hangs(case):
    while True:
        pass


def breaks(case):
    raise RuntimeError("no good")
"""


@pytest.mark.parametrize(
    ("check", "status", "detail"),
    [
        ("checks:mentions_refund", "pass", None),
        ("{function: 'checks:length_score', threshold: 0.5}", "fail",
         "expected python score >= 0.5; found 0.27: longer is better"),
        ("{function: 'checks:hangs', timeout_s: 0.5}", "error",
         "python check checks:hangs did not return within 0.5 s"),
        ("checks:breaks", "error", "python check checks:breaks raised RuntimeError: no good"),
        ("checks:nope", "error",
         "python check checks:nope raised AttributeError: module 'checks' has no attribute "
         "'nope'"),
    ],
)  # fmt: skip
def test_python_checks_run_the_repositorys_code(
    tmp_path: Path, judge: FakeLLM, check: str, status: str, detail: str | None
) -> None:
    evals = RUBRIC.replace("- rubric: Says when the refund arrives.", f"- python: {check}")
    root = _repo(tmp_path, judge.url, evals, {"checks.py": CHECKS})
    case = evaluate_repository(root, use_cache=False).report.cases[0]
    assert case.status == status
    if detail is not None:
        assert detail in case.failures


def test_a_python_check_sees_only_the_case_and_no_secrets(
    tmp_path: Path, judge: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    evals = RUBRIC.replace("- rubric: Says when the refund arrives.", "- python: checks:sees")
    root = _repo(tmp_path, judge.url, evals, {"checks.py": CHECKS})
    [grade] = evaluate_repository(root, use_cache=False).report.cases[0].samples[0].grades
    keys, env = grade.reason.split("|", 1)
    assert keys == "['case', 'inputs', 'output', 'prompt', 'tool_calls']"
    assert "OPENAI_API_KEY" not in env


def test_no_judge_pin_fails_before_anything_is_sent(tmp_path: Path, judge: FakeLLM) -> None:
    root = _repo(tmp_path, judge.url, RUBRIC)
    models = root / "models.yaml"
    models.write_text(models.read_text().replace("    judge: true\n", ""), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        evaluate_repository(root, use_cache=False)
    assert str(info.value) == (
        "evals/ask.yaml: case 'good': defaults assertion 1: rubric needs a judge model: mark "
        "one pin `judge: true` in models.yaml, or name one with `judge: PIN` in the eval set "
        "or the assertion"
    )
    assert judge.requests == []


def test_an_unknown_judge_pin_is_named(tmp_path: Path, judge: FakeLLM) -> None:
    evals = RUBRIC.replace("- rubric: Says when the refund arrives.",
                           "- rubric: {criteria: x, judge: grader2}")  # fmt: skip
    root = _repo(tmp_path, judge.url, evals)
    with pytest.raises(ValidationError, match=re.escape("rubric: unknown model pin 'grader2'")):
        evaluate_repository(root, use_cache=False)

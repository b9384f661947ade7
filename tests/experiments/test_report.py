"""``promptops experiment report``: one answer from JSONL, CSV and exported spans."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.errors import UsageError
from promptops.experiments import analyse, experiment_report
from promptops.repo import load_repository
from promptops.runtime import Registry
from promptops.spec import Experiment
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, run_cli, write_files
from tests.otel_capture import memory_exporter
from tests.runtime.fixtures import CONFIG, GREET, TRUST, publish

EXPERIMENT = """\
description: Does a shorter greeting resolve more tickets?
owner: team-a
prompt: greet
unit: user
arms:
  control: {weight: 50, variant: base}
  short: {weight: 50, description: One-line greeting.}
metrics:
  - name: resolved
  - name: latency_ms
    goal: decrease
min_samples: 50
"""


def _events(seed: int, p: dict[str, float], users: int = 400) -> list[dict[str, Any]]:
    """Two events per user (the report must count users, not events)."""
    rng = random.Random(seed)
    rows = []
    for u in range(users):
        arm = "control" if u % 2 == 0 else "short"
        for _ in range(2):
            resolved = int(rng.random() < p[arm])
            latency = rng.gauss(900 if arm == "control" else 700, 100)
            rows.append(
                {"key": f"user-{u}", "arm": arm, "resolved": resolved, "latency_ms": latency}
            )
    return rows


def _experiment(**changes: Any) -> Experiment:
    return Experiment.model_validate({**yaml.safe_load(EXPERIMENT), **changes})


def test_a_clear_win_ships_and_units_are_counted_once() -> None:
    report = analyse("short-greeting", _experiment(), _events(1, {"control": 0.3, "short": 0.6}))
    assert report.verdict == "ship short"
    control, short = report.arms
    assert (control.metrics["resolved"].n, short.metrics["resolved"].n) == (200, 200)
    c = short.comparisons["resolved"]
    assert c is not None and c.significant and c.difference > 0.2
    assert short.comparisons["latency_ms"] is not None
    assert short.comparisons["latency_ms"].difference < -150  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("p", "verdict", "reason"),
    [
        ({"control": 0.6, "short": 0.3}, "stop",
         "every treatment is worse than control on 'resolved'; keep control"),
        ({"control": 0.4, "short": 0.4}, "continue",
         "no arm differs from control on 'resolved' yet"),
    ],
)  # fmt: skip
def test_harm_stops_and_no_difference_continues(
    p: dict[str, float], verdict: str, reason: str
) -> None:
    report = analyse("x", _experiment(), _events(2, p))
    assert (report.verdict, report.reason) == (verdict, reason)


def test_too_few_units_continue_and_stray_rows_are_counted() -> None:
    rows = _events(3, {"control": 0.1, "short": 0.9}, users=60)
    rows += [{"key": "user-0", "arm": "short", "resolved": 1},  # user-0 was in control
             {"key": "u", "arm": "treatment-b", "resolved": 1},
             {"key": "v", "resolved": 1},
             {"key": "w", "arm": "short", "experiment": "other", "resolved": 1},
             {"key": "z", "arm": "short", "prompt": "other/prompt", "resolved": 1}]  # fmt: skip
    report = analyse("x", _experiment(), rows)
    assert report.verdict == "continue"
    assert report.reason == "fewer than 50 users with 'resolved' in arm(s) control, short"
    assert report.skipped == {
        "rows of other experiments": 1,
        "rows of other prompts": 1,
        "rows of unknown arm 'treatment-b'": 1,
        "rows without an arm": 1,
        "users seen in more than one arm": 1,
    }


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    init_repo(root)
    greet = MINIMAL_REPO["prompts/greet.yaml"]
    greet += "variants:\n  short:\n    messages: [{role: user, content: 'Hi {{ name }}.'}]\n"
    write_files(root, {"experiments/short-greeting.yaml": EXPERIMENT, "prompts/greet.yaml": greet})
    commit_all(root, "experiment")
    return root


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["key", "arm", "resolved", "latency_ms"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _spans(tmp_path: Path, rows: list[dict[str, Any]]) -> list[Any]:
    """The rows as GenAI client spans made by Registry.trace, captured in memory."""
    publish(tmp_path / "pub", {"greet": GREET})
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    exporter = memory_exporter()
    for row in rows:
        req = reg.prompt("greet").render(name="Ada")
        attrs = {"promptops.arm": row["arm"], "promptops.assignment_key": row["key"]}
        with reg.trace(req, attrs) as call:
            call.record(input_tokens=10, output_tokens=5, resolved=row["resolved"],
                        latency_ms=row["latency_ms"])  # fmt: skip
    return list(exporter.get_finished_spans())


def _otlp_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}  # OTLP/JSON writes 64-bit integers as strings
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, tuple):
        return {"arrayValue": {"values": [_otlp_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _write_otlp(path: Path, spans: list[Any]) -> Path:
    """What the Collector's file exporter writes: one ExportTraceServiceRequest per line."""
    with path.open("w") as f:
        for batch in (spans[: len(spans) // 2], spans[len(spans) // 2 :]):
            request = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{
                "scope": {"name": "promptops"},
                "spans": [{"traceId": format(s.context.trace_id, "032x"),
                           "spanId": format(s.context.span_id, "016x"), "name": s.name,
                           "attributes": [{"key": k, "value": _otlp_value(v)}
                                          for k, v in (s.attributes or {}).items()]}
                          for s in batch]}]}]}  # fmt: skip
            f.write(json.dumps(request) + "\n")
    return path


def test_jsonl_csv_and_exported_spans_give_the_same_report(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    rows = _events(4, {"control": 0.3, "short": 0.5}, users=120)
    spans = _spans(tmp_path, rows)
    sdk = tmp_path / "console.json"  # the SDK's ConsoleSpanExporter: pretty JSON, back to back
    sdk.write_text("".join(s.to_json() + "\n" for s in spans))
    files = [
        _write_jsonl(tmp_path / "events.jsonl", rows),
        _write_csv(tmp_path / "events.csv", rows),
        sdk,
        _write_otlp(tmp_path / "otlp.jsonl", spans),
    ]
    reports = [experiment_report(root, "short-greeting", f).to_dict() for f in files]
    assert reports[0]["arms"][0]["metrics"]["resolved"]["n"] == 60
    for other in reports[1:]:
        assert json.dumps(other, sort_keys=True) == json.dumps(reports[0], sort_keys=True)


def test_the_cli_prints_the_table_and_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    data = _write_jsonl(tmp_path / "e.jsonl", _events(1, {"control": 0.3, "short": 0.6}))
    code, out, err = run_cli(["experiment", "report", "short-greeting", "--data", str(data),
                              "--repo", str(root)], capsys)  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("experiment short-greeting: prompt greet, unit user, control control, "
                        "alpha 0.05 (mSPRT, always valid; 0.05 per comparison)")  # fmt: skip
    assert "resolved (primary), goal: increase" in lines
    assert any(line.startswith("  short") and line.endswith(" *") for line in lines)
    assert lines[-1] == "verdict: ship short (short beats control on 'resolved')"
    code, out, _ = run_cli(["experiment", "report", "short-greeting", "--data", str(data),
                            "--repo", str(root), "--format", "json"], capsys)  # fmt: skip
    assert json.loads(out)["verdict"] == "ship short"


def test_unknown_experiments_and_unreadable_data_are_usage_errors(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    unknown = r"no experiment 'nope' in experiments/ \(known: short-greeting\)"
    with pytest.raises(UsageError, match=unknown):
        experiment_report(root, "nope", tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"key": 1}\n{oops\n')
    with pytest.raises(UsageError, match=r"bad.jsonl:2:2: not JSON"):
        experiment_report(root, "short-greeting", bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (EXPERIMENT.replace("prompt: greet", "prompt: gret"),
         "error: unknown prompt 'gret'; did you mean 'greet'?"),
        (EXPERIMENT.replace("min_samples: 50", "control: treatment"),
         "control 'treatment' is not an arm; arms are control, short"),
        (EXPERIMENT.replace("  short: {weight: 50, description: One-line greeting.}\n", ""),
         "arms"),
        (EXPERIMENT.replace("  - name: latency_ms", "  - name: resolved"),
         "metric 'resolved' is listed twice"),
    ],
)  # fmt: skip
def test_validate_checks_experiment_files(tmp_path: Path, text: str, message: str) -> None:
    root = _repo(tmp_path)
    write_files(root, {"experiments/short-greeting.yaml": text})
    repo = load_repository(root)
    problems = [str(d) for d in repo.errors if d.path == "experiments/short-greeting.yaml"]
    assert problems and message in problems[0], problems
    assert "short-greeting" not in repo.experiments


def test_a_valid_experiment_loads(tmp_path: Path) -> None:
    repo = load_repository(_repo(tmp_path))
    assert not repo.errors
    exp = repo.experiments["short-greeting"]
    assert (exp.control_arm, [m.goal for m in exp.metrics]) == ("control", ["increase", "decrease"])
    assert repo.paths["short-greeting"] == "experiments/short-greeting.yaml"


def test_a_span_during_a_canary_is_counted_under_its_experiment_arm() -> None:
    # The render's span carries both: the channel's arm (canary) and the experiment's.
    rows = [
        {"promptops.assignment_key": r["key"], "promptops.arm": "canary",
         "promptops.experiment.arm": r["arm"], "promptops.experiment": "x",
         "promptops.metric.resolved": r["resolved"]}
        for r in _events(1, {"control": 0.3, "short": 0.6})
    ]  # fmt: skip
    report = analyse("x", _experiment(), rows)
    assert [a.arm for a in report.arms] == ["control", "short"]
    assert [a.metrics["resolved"].n for a in report.arms] == [200, 200]
    assert report.skipped == {}

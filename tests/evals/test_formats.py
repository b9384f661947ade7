"""Text, JSON, JUnit XML and Markdown renderings of one report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from promptops.evals.formats import format_json, format_junit, format_markdown, format_text
from promptops.evals.report import CaseResult, EvalReport, SampleResult


def _sample(output: str, *failures: str, latency: float = 100.0) -> SampleResult:
    return SampleResult(output, (), 10, 5, latency, 0.001, failures)


REPORT = EvalReport.build(
    [
        CaseResult("evals/a.yaml", "a", "passes", 1, 1, (_sample("fine"),), "d1"),
        CaseResult("evals/a.yaml", "a", "fails | pipes", 1, 1,
                   (_sample("bad | output\nline2\x01", "expected output to contain 'x'"),), "d2"),
        CaseResult("evals/b.yaml", "b", "errors", 1, 1, error="replay miss: no recording"),
    ],
    calls=2,
    cache_hits=1,
    provider="replay",
)  # fmt: skip


def test_text() -> None:
    assert format_text(REPORT) == (
        "PASS evals/a.yaml :: passes\n"
        "FAIL evals/a.yaml :: fails | pipes\n"
        "     - expected output to contain 'x'\n"
        "     output: 'bad | output line2\\x01'\n"
        "ERROR evals/b.yaml :: errors\n"
        "     - replay miss: no recording\n"
        "3 cases: 1 passed, 1 failed, 1 errors; tokens 20 in / 10 out; cost $0.002000; "
        "latency p50 100 ms, p95 100 ms; 2 provider calls, 1 cached\n"
    )


def test_json_round_trips() -> None:
    data = json.loads(format_json(REPORT))
    assert data["ok"] is False
    # An outage or a replay miss is no verdict: counted apart from failed assertions.
    assert (data["totals"]["failed"], data["totals"]["errors"]) == (1, 1)
    assert [c["status"] for c in data["cases"]] == ["pass", "fail", "error"]
    assert [c["case"] for c in data["cases"]] == ["passes", "fails | pipes", "errors"]
    assert data["cases"][1]["failures"] == ["expected output to contain 'x'"]


def test_junit_is_valid_xml_with_suites_per_file() -> None:
    root = ET.fromstring(format_junit(REPORT))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["evals/a.yaml", "evals/b.yaml"]
    failing = suites[0].findall("testcase")[1]
    assert failing.get("name") == "fails | pipes"
    failure = failing.find("failure")
    assert failure is not None
    assert failure.get("message") == "expected output to contain 'x'"
    assert "\x01" not in (failure.text or "")  # control characters cannot appear in XML 1.0
    error = suites[1].find("testcase/error")
    assert error is not None and error.get("message") == "replay miss: no recording"


def test_markdown_table() -> None:
    lines = format_markdown(REPORT).splitlines()
    assert lines[0] == "**❌ 1 of 3 cases failed, 1 could not run**"
    assert lines[4:6] == ["| | eval | case | failing assertion | output |", "|---|---|---|---|---|"]
    assert lines[6] == "| ✅ | `evals/a.yaml` | passes |  | fine |"
    assert lines[7] == (
        "| ❌ | `evals/a.yaml` | fails \\| pipes | expected output to contain 'x' | "
        "bad \\| output line2\x01 |"
    )
    assert len(lines) == 9

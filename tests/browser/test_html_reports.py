"""`--format html` for eval and diff, rendered in headless Chromium (issue 14, item 8)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from promptops.diff import DiffOptions, diff_refs, render
from promptops.evals import evaluate_repository
from promptops.evals.html import matrix_html
from promptops.evals.judges import Grade
from promptops.evals.matrix import MatrixReport
from promptops.evals.report import CaseResult, EvalReport, SampleResult
from tests.browser.chromium import dom, screenshot
from tests.helpers import ROOT_ARTIFACTS, commit_all, git, write_files

THREE = """\
prompt: greet
cases:
  - name: passes
    inputs: {name: Ada}
    assert: [{contains: Ada}]
  - name: fails
    inputs: {name: Bob}
    assert: [{contains: Grace}]
"""
# Answered by replay without a recording: a case without a verdict.
MISS = """\
prompt: greet
provider: replay
cases:
  - name: no-recording
    inputs: {name: Cy}
"""


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr data-status=\"[^\"]*\"[^>]*>", html)


def _visible(html: str) -> int:
    return sum(1 for r in _rows(html) if "hidden" not in r)


def _keep(png: Path, name: str) -> None:
    # The screenshot stays where a person can look at it after the run.
    ROOT_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(png, ROOT_ARTIFACTS / name)


def test_eval_report_shows_each_case_and_filters(repo: Path, tmp_path: Path) -> None:
    write_files(repo, {"evals/greet.yaml": THREE, "evals/miss.yaml": MISS})
    report = evaluate_repository(repo, use_cache=False).report
    page = tmp_path / "eval.html"
    from promptops.evals import FORMATS

    page.write_text(FORMATS["html"](report), encoding="utf-8")
    shown = dom(page)
    assert 'data-shown="3"' in shown and "3 of 3 cases shown" in shown
    for word in ("PASS", "FAIL", "ERROR"):
        assert f'class="badge {word.lower()}">{word}</span>' in shown
    assert "expected output to contain 'Grace'; found 'Say hello to Bob.'" in shown
    assert "replay miss: no recording at evals/recordings/greet/" in shown
    assert shown.count("<svg") >= 4  # tokens, cost, latency charts
    failing = dom(page, "#filter=fail")
    assert _visible(failing) == 1 and "1 of 3 cases shown" in failing
    png = screenshot(page, tmp_path / "eval.png")
    _keep(png, "eval-report.png")


def _case(output: str, status: str, grades: tuple[Grade, ...] = ()) -> CaseResult:
    failures = ("expected output to contain 'refund'",) if status == "fail" else ()
    sample = SampleResult(output, (), 10, 5, 100.0, 0.001, failures, grades=grades)
    return CaseResult("evals/a.yaml", "a", "refund-date", 1, 1, (sample,), "d")


def test_side_by_side_marks_differences_and_shows_judge_reasons(tmp_path: Path) -> None:
    grade = Grade("rubric", 0.9, 0.7, "names the date <b>exactly</b>", True)
    a = EvalReport.build([_case("Your refund arrives on Monday.", "pass", (grade,))],
                         calls=1, cache_hits=0, provider=None)  # fmt: skip
    b = EvalReport.build([_case("Your parcel arrives on Friday.", "fail")], calls=1,
                         cache_hits=0, provider=None)  # fmt: skip
    page = tmp_path / "matrix.html"
    page.write_text(matrix_html(MatrixReport(("pinned", "candidate"), (a, b))), encoding="utf-8")
    shown = dom(page)
    assert "<del>refund</del><ins>parcel</ins>" in shown
    assert "<del>Monday.</del><ins>Friday.</ins>" in shown
    # Model text is escaped, never markup.
    assert "rubric 0.90: names the date &lt;b&gt;exactly&lt;/b&gt;" in shown
    assert _visible(dom(page, "#filter=differ")) == 1
    assert _visible(dom(page, "#filter=error")) == 0
    _keep(screenshot(page, tmp_path / "matrix.png"), "matrix-report.png")


def test_diff_report_puts_base_and_head_side_by_side(repo: Path, tmp_path: Path) -> None:
    write_files(repo, {"evals/greet.yaml": THREE.replace("{name: Bob}", "{name: Grace}")})
    commit_all(repo, "cases")
    base = git(repo, "rev-parse", "HEAD")
    prompt = repo / "prompts/greet.yaml"
    prompt.write_text(prompt.read_text().replace("Say hello to", "Wave at"), encoding="utf-8")
    result = diff_refs(repo, base, None, DiffOptions(behaviour=True, provider="echo"))
    page = tmp_path / "diff.html"
    page.write_text(render(result, "html"), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"https?:", text)  # self-contained: nothing fetched
    shown = dom(page)
    assert "<del>Say</del><ins>Wave</ins> <del>hello to</del><ins>at</ins>" in shown
    assert f"promptops diff merge base of {base} and HEAD → working tree" in shown
    changes = dom(page, "#filter=change")
    assert _visible(changes) >= 1 and "template" in changes
    _keep(screenshot(page, tmp_path / "diff.png"), "diff-report.png")


@pytest.mark.parametrize("hostile", ["</script><script>alert(1)</script>", "<img src=x>"])
def test_outputs_cannot_inject_markup(tmp_path: Path, hostile: str) -> None:
    report = EvalReport.build([_case(hostile, "pass")], calls=1, cache_hits=0, provider=None)
    page = tmp_path / "x.html"
    page.write_text(matrix_html(MatrixReport(("a",), (report,))), encoding="utf-8")
    shown = dom(page)
    assert "<img" not in shown and "alert(1)</script>" not in shown
    assert 'data-shown="1"' in shown  # the page's own script still ran

"""Eval reports as text (terminal), JSON, JUnit XML and a Markdown table."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING

from promptops.evals.report import CaseResult, EvalReport, EvalTotals
from promptops.evals.variants import suffix

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

__all__ = ["FORMATS", "format_json", "format_junit", "format_markdown", "format_text"]

_EXCERPT = 160
# XML 1.0 cannot carry most control characters, even escaped; model output may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _excerpt(text: str, limit: int = _EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _summary(t: EvalTotals) -> str:
    cost = "n/a (no pricing in models.yaml)" if t.cost is None else f"${t.cost:.6f}"
    return (
        f"{t.cases} cases: {t.passed} passed, {t.failed} failed, {t.errors} errors; "
        f"tokens {t.tokens_in} in / {t.tokens_out} out; cost {cost}; "
        f"latency p50 {t.latency_p50_ms:.0f} ms, p95 {t.latency_p95_ms:.0f} ms; "
        f"{t.calls} provider calls, {t.cache_hits} cached"
    )


def format_text(report: EvalReport) -> str:
    """One line per case; failures add the failing assertions and an output excerpt."""
    lines: list[str] = []
    for case in report.cases:
        status = case.status
        repeat = f" [{case.passes}/{case.repeat}]" if case.repeat > 1 else ""
        lines.append(
            f"{status.upper()} {case.eval_path} :: {case.case}{suffix(case.prompt_id)}{repeat}"
        )
        if status != "pass":  # not case.passed, without counting the samples again
            lines.extend(f"     - {reason}" for reason in case.failures)
            if case.error is None:
                lines.append(f"     output: {_excerpt(case.output)!r}")
    lines.append(_summary(report.totals))
    return "\n".join(lines) + "\n"


def format_json(report: EvalReport) -> str:
    """The whole report, every sample included, as indented JSON with sorted keys."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return _excerpt(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def format_markdown(report: EvalReport) -> str:
    """A summary line and one table row per case (failing assertion, output excerpt)."""
    t = report.totals
    if report.ok:
        head = "✅ all eval cases passed"
    elif t.errors and not t.failed:
        head = f"⚠️ {t.errors} of {t.cases} cases could not run"
    else:
        head = f"❌ {t.failed} of {t.cases} cases failed"
        head += f", {t.errors} could not run" if t.errors else ""
    lines = [
        f"**{head}**",
        "",
        f"_{_summary(t)}_",
        "",
        "| | eval | case | failing assertion | output |",
        "|---|---|---|---|---|",
    ]
    for c in report.cases:
        mark = {"pass": "✅", "fail": "❌", "error": "⚠️"}[c.status]
        reason = _md("; ".join(c.failures)) if not c.passed else ""
        case = _md(c.case + suffix(c.prompt_id))
        lines.append(f"| {mark} | `{c.eval_path}` | {case} | {reason} | {_md(c.output)} |")
    return "\n".join(lines) + "\n"


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _testcase(suite: ET.Element, case: CaseResult) -> None:
    import xml.etree.ElementTree as ET

    seconds = sum(s.latency_ms for s in case.samples) / 1000.0
    element = ET.SubElement(
        suite, "testcase", classname=case.prompt_id, name=_x(case.case), time=f"{seconds:.3f}"
    )
    if case.error is not None:
        ET.SubElement(element, "error", message=_x(case.error)).text = _x(case.error)
    elif not case.passed:
        failure = ET.SubElement(element, "failure", message=_x(case.failures[0]))
        failure.text = _x("\n".join([*case.failures, f"output: {case.output}"]))
    ET.SubElement(element, "system-out").text = _x(case.output)


def format_junit(report: EvalReport) -> str:
    """JUnit XML: one ``testsuite`` per eval file, one ``testcase`` per case."""
    import xml.etree.ElementTree as ET  # loaded for --format junit only

    root = ET.Element("testsuites", name="promptops eval")
    counts = {"tests": 0, "failures": 0, "errors": 0}
    for path, group in groupby(report.cases, key=lambda c: c.eval_path):
        cases = list(group)
        errors = sum(1 for c in cases if c.error is not None)
        failures = sum(1 for c in cases if not c.passed) - errors
        suite = ET.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(len(cases)),
            failures=str(failures),
            errors=str(errors),
        )
        for case in cases:
            _testcase(suite, case)
        counts["tests"] += len(cases)
        counts["failures"] += failures
        counts["errors"] += errors
    for key, value in counts.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def format_html(report: EvalReport) -> str:
    """A self-contained HTML page (see :mod:`promptops.evals.html`)."""
    from promptops.evals.html import format_html as render

    return render(report)


FORMATS: dict[str, Callable[[EvalReport], str]] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "markdown": format_markdown,
    "html": format_html,
}

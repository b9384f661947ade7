"""The side-by-side table of a :class:`~promptops.evals.matrix.MatrixReport`: text, Markdown
and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from promptops.evals.matrix import MatrixReport, TargetSummary

__all__ = ["MATRIX_FORMATS", "matrix_json", "matrix_markdown", "matrix_text"]

_HEAD = ("target", "pass", "fail", "error", "judge scores (95% CI)", "tokens", "cost",
         "p50 ms", "p95 ms")  # fmt: skip
_MAX_DISAGREEMENTS = 50


def _cells(s: TargetSummary) -> tuple[str, ...]:
    scores = ", ".join(f"{k} {m:.2f} ± {h:.2f}" for k, (m, h) in s.scores.items()) or "-"
    cost = "n/a" if s.cost is None else f"${s.cost:.6f}"
    return (
        s.label,
        f"{s.passed}/{s.cases} ({s.pass_rate:.0%})",
        str(s.failed),
        str(s.errors),
        scores,
        str(s.tokens),
        cost,
        f"{s.latency_p50_ms:.0f}",
        f"{s.latency_p95_ms:.0f}",
    )


def _status(matrix: MatrixReport) -> list[tuple[str, list[str]]]:
    return [
        (f"{path} :: {name}", [c.status.upper() if c else "-" for c in cases])
        for path, name, cases in matrix.disagreements()
    ]


def matrix_text(matrix: MatrixReport) -> str:
    """An aligned table, then the cases whose verdict differs between targets."""
    rows = [_HEAD, *(_cells(s) for s in matrix.summaries)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEAD))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    differ = _status(matrix)
    lines += ["", f"{len(differ)} case(s) where the targets disagree"]
    labels = " / ".join(matrix.labels)
    for case, statuses in differ[:_MAX_DISAGREEMENTS]:
        lines.append(f"  {case}: {' / '.join(statuses)} ({labels})")
    if len(differ) > _MAX_DISAGREEMENTS:
        lines.append(f"  ... {len(differ) - _MAX_DISAGREEMENTS} more")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def matrix_markdown(matrix: MatrixReport) -> str:
    """The same table as Markdown (for a pull-request comment or a migration report)."""
    lines = ["| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    lines += ["| " + " | ".join(_md(c) for c in _cells(s)) + " |" for s in matrix.summaries]
    differ = _status(matrix)
    lines += ["", f"**{len(differ)} case(s) where the targets disagree**"]
    if differ:
        lines += ["", "| case | " + " | ".join(_md(lb) for lb in matrix.labels) + " |",
                  "|---|" + "---|" * len(matrix.labels)]  # fmt: skip
        lines += [
            f"| {_md(case)} | " + " | ".join(statuses) + " |"
            for case, statuses in differ[:_MAX_DISAGREEMENTS]
        ]
    return "\n".join(lines) + "\n"


def matrix_json(matrix: MatrixReport) -> str:
    """Every target's summary and full report, as indented JSON with sorted keys."""
    return json.dumps(matrix.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _html(matrix: MatrixReport) -> str:
    from promptops.evals.html import matrix_html

    return matrix_html(matrix)


MATRIX_FORMATS: dict[str, Callable[[MatrixReport], str]] = {
    "text": matrix_text,
    "json": matrix_json,
    "markdown": matrix_markdown,
    "html": _html,
}

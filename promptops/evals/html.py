"""``eval --format html``: one self-contained page per run or side-by-side matrix."""

from __future__ import annotations

from promptops.evals.html_page import Bar, Row, badge, bar_chart, esc, page, td, word_diff
from promptops.evals.matrix import MatrixReport
from promptops.evals.report import CaseResult, EvalReport, percentile

__all__ = ["format_html", "matrix_html"]

_MAX_OUTPUT = 4_000


def _reasons(case: CaseResult) -> str:
    items = list(case.failures)
    shown = case.shown
    if shown is not None:
        items += [
            f"{g.kind} {'n/a' if g.score is None else f'{g.score:.2f}'}: {g.reason}"
            for g in shown.grades
            if g.passed
        ]
    if not items:
        return ""
    return '<ul class="why">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _output(case: CaseResult | None, first: CaseResult | None) -> str:
    if case is None:
        return td(badge("none"))
    text = case.output[:_MAX_OUTPUT]
    base = None if first is None or first is case else first.output[:_MAX_OUTPUT]
    body = esc(text) if base is None else word_diff(base, text)
    return td(f"{badge(case.status)}\n{body}{_reasons(case)}", "out")


def _charts(labels: tuple[str, ...], reports: tuple[EvalReport, ...]) -> list[str]:
    pairs = list(zip(labels, (r.totals for r in reports), strict=True))
    charts = [
        bar_chart("pass rate", [
            Bar(lb, x.passed / x.cases if x.cases else 0, f"{x.passed}/{x.cases}")
            for lb, x in pairs
        ]),
        bar_chart("tokens (in + out)", [
            Bar(lb, x.tokens_in + x.tokens_out, str(x.tokens_in + x.tokens_out))
            for lb, x in pairs
        ]),
        bar_chart("cost (USD)", [
            Bar(lb, x.cost or 0.0, "n/a" if x.cost is None else f"${x.cost:.6f}")
            for lb, x in pairs
        ]),
        bar_chart("latency p50 / p95 (ms)", [
            Bar(f"{lb} {q}", v, f"{v:.0f}") for lb, x in pairs
            for q, v in (("p50", x.latency_p50_ms), ("p95", x.latency_p95_ms))
        ]),
    ]  # fmt: skip
    if len(reports) == 1:
        latencies = [s.latency_ms for c in reports[0].cases for s in c.samples]
        deciles = [Bar(f"p{q}", percentile(latencies, q), f"{percentile(latencies, q):.0f} ms")
                   for q in (10, 25, 50, 75, 90, 99)]  # fmt: skip
        charts.append(bar_chart("latency distribution", deciles))
    return charts


def matrix_html(matrix: MatrixReport, title: str = "promptops eval") -> str:
    """The side-by-side page: one output column per target, differences from the first
    target's output highlighted, failures and judge reasons under each output."""
    rows = []
    for path, name, cases in matrix.rows():
        statuses = {c.status if c is not None else "missing" for c in cases}
        words = " ".join(sorted(statuses)) + (" differ" if len(statuses) > 1 else "")
        first = cases[0]
        cells = [td(esc(f"{path} :: {name}"))] + [_output(c, first) for c in cases]
        rows.append(Row(words, cells))
    parts = []
    for label, r in zip(matrix.labels, matrix.reports, strict=True):
        t = r.totals
        parts.append(f"<b>{esc(label)}</b>: {t.passed} passed, {t.failed} failed, "
                     f"{t.errors} errors of {t.cases}")  # fmt: skip
    head = ["case", *matrix.labels]
    return page(title, " · ".join(parts), _charts(matrix.labels, matrix.reports), head, rows)


def format_html(report: EvalReport) -> str:
    """One run's page (the matrix page with a single column)."""
    label = report.provider or "model pins"
    return matrix_html(MatrixReport((label,), (report,)))

"""``diff --format html``: the structural changes and the behaviour flips on one page.

Uses the eval report's page (:mod:`promptops.evals.html_page`): one row per eval case of a
changed prompt, base and head outputs side by side with head's differences marked, the
failure, and filters (regression, fixed, error, ...); then one row per structural change.
"""

from __future__ import annotations

from promptops.diff.types import BehaviourResult, CaseFlip, DiffResult
from promptops.evals.html_page import Bar, Row, badge, bar_chart, esc, page, td, word_diff

__all__ = ["render_html"]

_MAX_OUTPUT = 4_000


def _side(text: str | None, passed: bool | None, error: bool) -> str:
    status = "error" if error else "none" if passed is None else "pass" if passed else "fail"
    return f"{badge(status)}\n{esc((text or '')[:_MAX_OUTPUT])}"


def _flip_row(prompt: str, f: CaseFlip) -> Row:
    head = (f.head_output or "")[:_MAX_OUTPUT]
    marked = word_diff((f.base_output or "")[:_MAX_OUTPUT], head) if f.output_changed else esc(head)
    status = (
        "error"
        if f.head_error
        else "none"
        if f.head_passed is None
        else ("pass" if f.head_passed else "fail")
    )
    why = f'<ul class="why"><li>{esc(f.failure)}</li></ul>' if f.failure else ""
    words = f"{f.kind} {status}" + (" differ" if f.output_changed else "")
    return Row(words, [
        td(esc(f"{prompt} · {f.eval_set} :: {f.case}")),
        td(badge(f.kind)),
        td(_side(f.base_output, f.base_passed, f.base_error), "out"),
        td(f"{badge(status)}\n{marked}{why}", "out"),
    ])  # fmt: skip


def _pair(title: str, b: BehaviourResult, attr: str, fmt: str) -> str:
    sides = [(name, sum(getattr(getattr(p, name), attr) for p in b.prompts))
             for name in ("base", "head")]  # fmt: skip
    return bar_chart(title, [Bar(name, float(v), fmt.format(v)) for name, v in sides])


def _charts(b: BehaviourResult) -> list[str]:
    return [
        _pair("passed cases", b, "passed", "{:.0f}"),
        _pair("tokens", b, "tokens", "{:.0f}"),
        _pair("cost (USD)", b, "cost", "${:.6f}"),
        bar_chart("mean latency (ms)", [
            Bar(f"{p.prompt} {side}", t.mean_latency_ms, f"{t.mean_latency_ms:.0f}")
            for p in b.prompts[:6] for side, t in (("base", p.base), ("head", p.head))
        ]),
    ]  # fmt: skip


def render_html(result: DiffResult) -> str:
    """The whole diff as one self-contained page."""
    rows: list[Row] = []
    charts: list[str] = []
    b = result.behaviour
    if b is not None:
        for pb in b.prompts:
            rows += [_flip_row(pb.prompt, f) for f in pb.cases]
        charts = _charts(b)
    for p in result.prompts:
        for c in p.changes:
            detail = f"<pre>{esc(c.diff)}</pre>" if c.diff else ""
            rows.append(Row(f"change {c.risk}", [
                td(esc(f"{p.id} ({p.status})")), td(badge(c.risk)),
                td(esc(f"{c.path}: {c.summary}"), "out"),
                td(f"{esc(c.reason)}{detail}", "out"),
            ]))  # fmt: skip
    for c in result.repository:
        # A shared file's change is shown once, with the prompts it reaches (ADR 0014).
        affects = f"; affects {', '.join(c.affects)}" if c.affects else ""
        rows.append(Row(f"change {c.risk}", [
            td(esc(c.area)), td(badge(c.risk)), td(esc(c.summary + affects), "out"),
            td(esc(c.reason), "out"),
        ]))  # fmt: skip
    regressions = 0 if b is None else b.regressions
    errors = 0 if b is None else b.errors
    summary = (
        f"risk <b>{esc((result.risk or 'none').upper())}</b> · "
        f"{result.count('changed')} changed, {result.count('added')} added, "
        f"{result.count('removed')} removed prompt(s) · {regressions} regression(s), "
        f"{errors} case(s) without a verdict"
    )
    filters = ("all", "regression", "fixed", "error", "fail", "pass", "differ", "change")
    return page(
        f"promptops diff {result.base_label} → {result.head_label}",
        summary,
        charts,
        ["prompt · case", "kind", "base", "head"],
        rows,
        filters,
    )

"""Plain-text and JSON renderings of a diff (Markdown lives in ``markdown.py``)."""

from __future__ import annotations

import json
from typing import Literal

from promptops.diff.config import DiffConfig
from promptops.diff.markdown import render_markdown
from promptops.diff.types import Change, DiffResult

__all__ = ["Format", "render", "render_json", "render_text"]

Format = Literal["text", "markdown", "json", "html"]


def render_json(result: DiffResult) -> str:
    """Stable JSON (schema ``promptops.diff/v1``): sorted keys, two-space indent."""
    return json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _change(c: Change, indent: str) -> list[str]:
    lines = [f"{indent}{c.risk.upper():<6} {c.path}: {c.summary}", f"{indent}       {c.reason}"]
    if c.affects:
        lines.append(f"{indent}       affects {len(c.affects)} prompt(s): {', '.join(c.affects)}")
    if c.diff:
        lines += [f"{indent}       {line}" for line in c.diff.splitlines()]
    return lines


def render_text(result: DiffResult) -> str:
    """A terminal report: one block per prompt, then behaviour totals."""
    risk = (result.risk or "none").upper()
    commit = result.base_commit
    base = result.base_label + (
        f" ({commit[:10]})" if commit and commit != result.base_label else ""
    )
    lines = [
        f"promptops diff {base} -> {result.head_label}: risk {risk}",
        f"  {result.count('changed')} changed, {result.count('added')} added, "
        f"{result.count('removed')} removed, {result.unchanged} unchanged prompt(s)",
    ]
    if result.repository:
        lines += ["", "repository"]
        for c in result.repository:
            lines += _change(c, "  ")
    for p in result.prompts:
        if not p.changes and p.via:
            continue  # changed only through shared files: listed under those changes
        lines += ["", f"{p.id} ({p.status}, risk {(p.risk or 'none').upper()})"]
        for c in p.changes:
            lines += _change(c, "  ")
    b = result.behaviour
    if b is not None:
        lines += [
            "",
            f"behaviour ({b.provider}): {b.requests_sent} request(s) sent for "
            f"{b.requests_total} case run(s)",
        ]
        for pb in b.prompts:
            lines.append(
                f"  {pb.prompt}: pass {pb.base.passed}/{pb.base.passed + pb.base.failed} -> "
                f"{pb.head.passed}/{pb.head.passed + pb.head.failed}, "
                f"{pb.regressions} regression(s), {pb.fixed} fixed, "
                f"{pb.outputs_changed} output(s) changed, tokens {pb.base.tokens} -> "
                f"{pb.head.tokens}, cost {pb.base.cost:.6f} -> {pb.head.cost:.6f}, "
                f"mean latency {pb.base.mean_latency_ms:.1f} -> {pb.head.mean_latency_ms:.1f} ms"
            )
            for case in pb.cases:
                if case.kind in ("regression", "error", "fixed"):
                    why = f": {case.failure}" if case.failure else ""
                    lines.append(f"    {case.kind.upper()} {case.eval_set} / {case.case}{why}")
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def render(result: DiffResult, fmt: Format, config: DiffConfig | None = None) -> str:
    """Render ``result`` in ``fmt``."""
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_markdown(result, config)
    if fmt == "html":
        from promptops.diff.html import render_html

        return render_html(result)
    return render_text(result)

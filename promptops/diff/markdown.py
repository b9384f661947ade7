"""A diff as a ready pull-request comment: summary table first, details collapsible."""

from __future__ import annotations

import re

from promptops.diff.config import DiffConfig
from promptops.diff.textdiff import unified
from promptops.diff.types import (
    RISK_ORDER,
    BehaviourResult,
    Change,
    DiffResult,
    PromptBehaviour,
    PromptDiff,
    Risk,
    Totals,
    max_risk,
)

__all__ = ["MARKER", "missing_recordings", "render_markdown"]

# The action finds its own comment by this marker and edits it instead of adding another.
MARKER = "<!-- promptops-diff -->"

_BADGE = {"high": "🔴 high", "medium": "🟠 medium", "low": "🟢 low", None: "⚪ none"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fence(body: str, lang: str = "") -> str:
    # A fence longer than any backtick run inside, so diff text cannot close it early.
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    tick = "`" * max(3, longest + 1)
    return f"{tick}{lang}\n{body}\n{tick}"


def _ref(name: str, commit: str | None) -> str:
    return f"`{name}`" + (f" ({commit[:10]})" if commit and commit != name else "")


def _areas(changes: tuple[Change, ...]) -> str:
    return ", ".join(sorted({c.area for c in changes}))


def _behaviour_cell(pb: PromptBehaviour | None) -> str:
    if pb is None:
        return ""
    parts = []
    if pb.regressions:
        parts.append(f"❌ {pb.regressions} regression(s)")
    if pb.errors:
        parts.append(f"⚠️ {pb.errors} could not run")
    if pb.fixed:
        parts.append(f"✅ {pb.fixed} fixed")
    if not parts:
        parts.append(f"{pb.head.passed}/{pb.head.passed + pb.head.failed} pass")
    return ", ".join(parts)


def _riskiest_first(result: DiffResult) -> list[PromptDiff]:
    return sorted(result.prompts, key=lambda p: (-RISK_ORDER[p.risk or "none"], p.id))


def _table_row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _affects(c: Change, limit: int = 10) -> str:
    if not c.affects:
        return ""
    shown = ", ".join(f"`{pid}`" for pid in c.affects[:limit])
    more = f" and {len(c.affects) - limit} more" if len(c.affects) > limit else ""
    return f"; affects {shown}{more}"


def _own(result: DiffResult) -> list[PromptDiff]:
    """Prompts with changes of their own (the others are listed under shared changes)."""
    return [p for p in _riskiest_first(result) if p.changes or not p.via]


def _summary(result: DiffResult, max_rows: int) -> list[str]:
    by_prompt = {} if result.behaviour is None else {p.prompt: p for p in result.behaviour.prompts}
    lines = [
        "| prompt | status | risk | what changed | behaviour |",
        "|---|---|---|---|---|",
    ]
    for p in _own(result):
        behaviour = _cell(_behaviour_cell(by_prompt.get(p.id)))
        lines.append(
            _table_row(f"`{p.id}`", p.status, _BADGE[p.risk], _cell(_areas(p.changes)), behaviour)
        )
    for c in result.repository:
        what = _cell(c.summary) + _cell(_affects(c))
        lines.append(_table_row(f"_{_cell(c.area)}_", "changed", _BADGE[c.risk], what, ""))
    if len(lines) == 2:
        lines.append(_table_row("_nothing_", "unchanged", _BADGE[None], "", ""))
    return _cap(lines, max_rows)


def _cap(lines: list[str], max_rows: int) -> list[str]:
    """At most ``max_rows`` rows below the two header lines, then a row saying how many
    were left out (riskiest first is the caller's order)."""
    rows = lines[2:]
    if len(rows) <= max_rows:
        return lines
    cols = lines[0].count("|") - 1
    more = _table_row(f"_{len(rows) - max_rows} more_", *[""] * (cols - 1))
    return [*lines[:2], *rows[:max_rows], more]


def _delta(base: float, head: float, digits: int) -> str:
    d = head - base
    return f"{head:.{digits}f} ({'+' if d >= 0 else ''}{d:.{digits}f})"


def _behaviour(b: BehaviourResult, max_rows: int) -> list[str]:
    lines = [
        "",
        f"### Behaviour ({b.provider}; {b.requests_sent} request(s) sent for "
        f"{b.requests_total} case run(s))",
        "",
        "| prompt | pass base → head | regressions | fixed | outputs changed "
        "| tokens | cost | mean latency ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pb in b.prompts[:max_rows]:
        lines.append(
            _row(f"`{pb.prompt}`", pb.base, pb.head, pb.regressions, pb.fixed, pb.outputs_changed)
        )
    fixed = sum(p.fixed for p in b.prompts)
    changed = sum(p.outputs_changed for p in b.prompts)
    lines.append(_row("**total**", b.total("base"), b.total("head"), b.regressions, fixed, changed))
    return lines


def _row(name: str, base: Totals, head: Totals, regressions: int, fixed: int, changed: int) -> str:
    return (
        f"| {name} | {base.passed}/{base.passed + base.failed} → "
        f"{head.passed}/{head.passed + head.failed} | {'❌ ' if regressions else ''}{regressions} "
        f"| {fixed} | {changed} | {_delta(base.tokens, head.tokens, 0)} "
        f"| {_delta(base.cost, head.cost, 6)} "
        f"| {_delta(base.mean_latency_ms, head.mean_latency_ms, 1)} |"
    )


def _change_lines(c: Change) -> list[str]:
    lines = [f"- **{c.risk}** `{c.path}`: {c.summary}{_affects(c, 50)} — _{c.reason}_"]
    if c.diff:
        # Unified diffs get diff colouring; deepdiff summaries are plain lines.
        lang = "diff" if c.diff.startswith("--- ") else "text"
        lines += ["", _fence(c.diff, lang)]
    return lines


def _details(title: str, risk: Risk | None, changes: tuple[Change, ...]) -> list[str]:
    lines = ["", f"<details><summary>{title} — {_BADGE[risk]}</summary>", ""]
    for c in changes:
        lines += _change_lines(c)
    return [*lines, "", "</details>"]


def _cases(pb: PromptBehaviour, config: DiffConfig) -> list[str]:
    flips = [c for c in pb.cases if c.kind in ("regression", "error", "fixed", "new", "removed")]
    if not flips:
        return []
    lines = ["", f"<details><summary>Eval flips in <code>{pb.prompt}</code></summary>", ""]
    for c in flips:
        lines.append(f"- **{c.kind}** `{c.eval_set}` / `{c.case}`")
        if c.failure:
            lines.append(f"  - why: {_cell(c.failure)}")
        if c.output_changed:
            # The outputs as a diff: what the change did to the answer, line by line.
            label = f"{c.eval_set}/{c.case}"
            diff = unified(
                (c.base_output or "")[: config.max_output_chars],
                (c.head_output or "")[: config.max_output_chars],
                label,
                config.max_diff_lines,
            )
            lines += ["", _fence(diff, "diff"), ""]
    return [*lines, "", "</details>"]


_MISS = re.compile(r"replay miss: .*? at (evals/recordings/(\S+)/[0-9a-f]{64}\.json)")


def missing_recordings(b: BehaviourResult, max_rows: int) -> list[str]:
    """What replay could not answer, file by file, and the one command that records it.

    The Action runs with ``--provider replay``: a pull request that changes a prompt needs
    new recordings, and its author must learn which and how from the comment."""
    missing: dict[str, tuple[str, str]] = {}
    for pb in b.prompts:
        for case in pb.cases:
            found = _MISS.search(case.failure or "") if case.head_error else None
            if found is not None:
                missing.setdefault(found.group(1), (pb.prompt, f"{case.eval_set} / {case.case}"))
    if not missing:
        return []
    from promptops.evals.recordings import record_command  # the eval layer loads only here

    prompts = sorted({prompt for prompt, _ in missing.values()})
    lines = [
        "",
        f"### ⚠️ {len(missing)} recording(s) missing",
        "",
        "Replay has no answer for these requests (new, or their prompt or case changed). "
        "Record them with the model pins' own providers (their API keys set), then commit "
        "`evals/recordings/`:",
        "",
        _fence(record_command(prompts).strip("`"), "sh"),
        "",
        "| recording | case |",
        "|---|---|",
    ]
    rows = [_table_row(f"`{path}`", _cell(case)) for path, (_, case) in sorted(missing.items())]
    return [*lines[:-2], *_cap([*lines[-2:], *rows], max_rows)]


def render_markdown(result: DiffResult, config: DiffConfig | None = None) -> str:
    """The PR comment. Starts with :data:`MARKER`, then the summary table."""
    config = config or DiffConfig()
    head = [
        MARKER,
        f"## promptops diff {_ref(result.base_label, result.base_commit)} → "
        f"{_ref(result.head_label, result.head_commit)}: risk {_BADGE[result.risk]}",
        "",
        *_summary(result, config.max_table_rows),
        "",
        f"{result.count('changed')} changed, {result.count('added')} added, "
        f"{result.count('removed')} removed, {result.unchanged} unchanged prompt(s).",
    ]
    if result.behaviour is not None:
        head += _behaviour(result.behaviour, config.max_table_rows)
        head += missing_recordings(result.behaviour, config.max_table_rows)
    body: list[str] = []
    if result.repository:
        repo_risk = max_risk([c.risk for c in result.repository])
        body += _details("Repository files", repo_risk, result.repository)
    for p in _own(result)[: config.max_detail_prompts]:
        body += _details(f"<code>{p.id}</code> ({p.status})", p.risk, p.changes)
    if result.behaviour is not None:
        for pb in result.behaviour.prompts:
            body += _cases(pb, config)
    hidden = len(_own(result)) - config.max_detail_prompts
    notes = [f"_{n}_" for n in result.notes]
    if hidden > 0:
        notes.append(f"_{hidden} more prompt(s) not detailed; run `promptops diff` locally._")
    text = "\n".join([*head, *body, "", *notes]).rstrip() + "\n"
    if len(text) <= config.max_comment_chars:
        return text
    note = "\n_Details too long for a comment; run `promptops diff`._\n"
    kept: list[str] = []
    size = len(note)
    for line in head:
        if size + len(line) + 1 > config.max_comment_chars:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + "\n" + note

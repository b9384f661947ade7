"""Replay recordings of the example repository (the project root), from written answers.

The example's eval cases assert what a good model would answer (a category, a tool call,
exact invoice totals), which no deterministic echo can produce. So its recordings hold
answers written by hand, one per case, recorded with ``recorded_with: "scripted"``;
``promptops eval --provider replay`` then passes offline and in CI. Tokens are
``ceil(chars / 4)``; latency is ``350 ms + 12 ms per output token``, so totals look real
and stay deterministic.

After changing an example prompt or eval case, re-record (stale files are removed):

    .venv/bin/python -m tests.evals.example_recordings
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from promptops.compile import compile_repository
from promptops.errors import ProviderError
from promptops.evals import EvalSession, Recorder
from promptops.evals.providers.base import CallContext
from promptops.evals.recordings import RECORDINGS_DIR
from promptops.evals.report import EvalReport
from promptops.evals.types import Request, Response, ToolCall
from promptops.repo import load_repository

ROOT = Path(__file__).resolve().parents[2]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# (eval file, case) -> (text, tool calls)
ANSWERS: dict[tuple[str, str], tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    ("evals/agents/order-assistant.yaml", "looks-up-before-answering"): (
        "Let me check the status of order AC-20877 for you.",
        [("lookup_order", {"order_id": "AC-20877"})],
    ),
    ("evals/agents/order-assistant.yaml", "refunds-a-damaged-item"): (
        "I am sorry the stove arrived broken. I have asked for a full refund of 59.90 EUR; "
        "a colleague approves it shortly.",
        [("lookup_order", {"order_id": "AC-20931"}),
         ("issue_refund", {"order_id": "AC-20931", "amount": 59.9, "reason": "damaged"})],
    ),
    ("evals/agents/order-assistant.yaml", "searches-the-help-centre-for-policy-questions"): (
        "Let me look that up in our help centre.",
        [("search_kb", {"query": "shipping to Norway", "limit": 3})],
    ),
    ("evals/extract/contact.yaml", "full-signature"): (
        _json({"name": "Jonas Berg", "company": "Fjällhus AB",
               "email": "jonas.berg@fjallhus.example", "phone": "+46 8 555 012 34"}),
        [],
    ),
    ("evals/extract/contact.yaml", "missing-phone-is-null"): (
        _json({"name": "Ana Ruiz", "company": None, "email": "ana@ruiz.example", "phone": None}),
        [],
    ),
    ("evals/extract/invoice.yaml", "simple-invoice"): (
        _json({"vendor": "Northwind Outdoor Supplies GmbH", "invoice_number": "NW-2026-0413",
               "issue_date": "2026-11-02", "due_date": "2026-12-02", "currency": "EUR",
               "total": 25.0, "line_items": [
                   {"description": "Trekking pole (pair)", "quantity": 2, "unit_price": 12.5}]}),
        [],
    ),
    ("evals/extract/invoice.yaml", "two-line-items"): (
        _json({"vendor": "Contoso Textiles Ltd", "invoice_number": "7781",
               "issue_date": "2026-10-14", "due_date": None, "currency": "GBP", "total": 142.5,
               "line_items": [
                   {"description": "Rain jacket, navy", "quantity": 3, "unit_price": 40.0},
                   {"description": "Fleece liner", "quantity": 1, "unit_price": 22.5}]}),
        [],
    ),
    ("evals/summarise/meeting-notes.yaml", "has-the-three-sections"): (
        "## Summary\nThe team reviewed the returns process for business customers.\n\n"
        "## Decisions\n- Extend the returns window to 45 days for business customers.\n\n"
        "## Action items\n- Tom: update the help article, due Thursday.\n",
        [],
    ),
    ("evals/summarise/meeting-notes.yaml", "names-the-owner-of-each-action"): (
        "## Summary\nDamaged pallets arrived at the warehouse.\n\n## Decisions\n- None.\n\n"
        "## Action items\n- Priya: call the courier about the damaged pallets, due tomorrow.\n",
        [],
    ),
    ("evals/summarise/thread.yaml", "keeps-the-promise-made"): (
        "- Wants a replacement for boots that split after two weeks, not a refund.\n"
        "- We promised to send size 42 by Friday.\n"
        "- Open: nothing has arrived by Monday; chase the warehouse and update the customer.",
        [],
    ),
    ("evals/summarise/thread.yaml", "single-message-thread"): (
        "- Wants to cancel the newsletter subscription.\n- Nothing promised yet.\n"
        "- Open: unsubscribe them and confirm.",
        [],
    ),
    ("evals/support/answer.yaml", "answers-from-the-article"): (
        "Hi Ada, you can return an unused tent within 30 days of delivery for a full refund. "
        "Start the return from your order page and we will email you a label.",
        [],
    ),
    ("evals/support/answer.yaml", "admits-when-articles-do-not-cover-it"): (
        "Hi Lin, I could not find anything about paying in instalments in our help centre, "
        "so I have passed your question to a colleague who will get back to you today.",
        [],
    ),
    ("evals/support/answer.yaml", "never-asks-for-a-password"): (
        "Hi Sam, please use 'Forgot password' on the sign-in page to get a reset link. "
        "We never need your password to help you.",
        [],
    ),
    ("evals/support/refund-reply.yaml", "states-amount-order-and-timeline"): (
        "Dear Ada,\n\nI am sorry your stove arrived dented. We have refunded 59.9 EUR for "
        "order AC-20931; the money reaches your original payment method within 5 to 10 "
        "business days.\n\nKind regards,\nThe Acme support team",
        [],
    ),
    ("evals/support/refund-reply.yaml", "uses-the-given-currency"): (
        "Dear Lin,\n\nSorry that the wrong size was delivered. We have refunded 120 GBP for "
        "order AC-30112; the money reaches your original payment method within 5 to 10 "
        "business days.\n\nKind regards,\nThe Acme support team",
        [],
    ),
    ("evals/support/triage.yaml", "double-charge-is-urgent-billing"): (
        _json({"category": "billing", "priority": "urgent",
               "summary": "Charged twice for order AC-20931; account now overdrawn."}),
        [],
    ),
    ("evals/support/triage.yaml", "late-parcel-is-high-shipping"): (
        _json({"category": "shipping", "priority": "high",
               "summary": "Order AC-20877 is a week late; tracking has not moved."}),
        [],
    ),
    ("evals/support/triage.yaml", "output-is-only-json"): (
        _json({"category": "account", "priority": "low",
               "summary": "Asks how to change the account email address."}),
        [],
    ),
}  # fmt: skip


def _tokens(text: str) -> int:
    return -(-len(text) // 4)


class Scripted:
    """Answers each eval case with its entry in :data:`ANSWERS`."""

    name = "scripted"
    remote = False

    def complete(self, request: Request, context: CallContext) -> Response:
        answer = ANSWERS.get((context.eval_path, context.case))
        if answer is None:
            raise ProviderError(
                "no written answer for this case; add one to ANSWERS in "
                "tests/evals/example_recordings.py"
            )
        text, calls = answer
        out = _tokens(text + "".join(_json(args) for _, args in calls))
        return Response(
            text=text,
            tool_calls=tuple(ToolCall(name, args) for name, args in calls),
            tokens_in=sum(_tokens(str(m.get("content", ""))) for m in request.messages),
            tokens_out=out,
            latency_ms=350.0 + 12.0 * out,
        )

    def close(self) -> None:
        pass


def record(root: Path = ROOT) -> tuple[EvalReport, list[Path]]:
    """Re-record every eval case of the repository at ``root``; stale recordings go."""
    repo = load_repository(root)
    bundle = compile_repository(repo)
    recorder = Recorder(root)
    with EvalSession(provider="scripted", providers={"scripted": Scripted()},
                     recorder=recorder) as session:  # fmt: skip
        report = session.run(bundle, repo.evals)
    for stale in sorted((root / RECORDINGS_DIR).rglob("*.json")):
        stale.unlink()
    return report, recorder.flush()


if __name__ == "__main__":
    result, written = record()
    for case in result.cases:
        if not case.passed:
            print(f"FAIL {case.eval_path} :: {case.case}: {'; '.join(case.failures)}")
    print(f"recorded {len(written)} files; {result.totals.passed}/{result.totals.cases} pass")
    sys.exit(0 if result.ok else 1)

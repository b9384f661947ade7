"""Run every feature of support_bot with a recording client; print what it would send.

Used by the interop tests before and after the `--rewrite` patch: the two outputs must be
identical.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

from support_bot import answer, translate, triage


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []
        create = self._record
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=create))
        self.responses = SimpleNamespace(create=create)
        self.messages = SimpleNamespace(create=create)

    def _record(self, **kwargs: object) -> None:
        self.calls.append(kwargs)


def main() -> None:
    client = Recorder()
    answer.answer_question(
        client,
        "Dana",
        "How do I export my invoices?",
        ["Invoices live under Billing > History.", "Exports are CSV."],
        "plus",
    )
    answer.answer_question(client, "Lee", "Can I get a refund?", [])
    answer.suggest_reply(client, "Where is my order?")
    triage.classify(client, triage.Ticket("Card declined", "My card was declined twice.", 2))
    triage.summarise_thread(client, "billing", "Customer: charged twice\nAgent: checking")
    translate.translate(client, "Your invoice is attached.", "German")
    json.dump(client.calls, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

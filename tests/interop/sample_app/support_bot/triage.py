"""Classify incoming tickets (OpenAI Responses API) and summarise threads (Anthropic)."""

from __future__ import annotations

from dataclasses import dataclass

from support_bot.prompts import SYSTEM_PROMPT


@dataclass
class Ticket:
    subject: str
    body: str
    priority: int


def classify(client, ticket: Ticket):
    return client.responses.create(
        model="gpt-4o-mini-2024-07-18",
        instructions="Classify the ticket as billing, bug, feature or other. Reply with one word.",
        input=f"Subject: {ticket.subject}\nPriority: {ticket.priority:>2}\n\n{ticket.body}",
    )


def summarise_thread(client, team: str, thread: str):
    return client.messages.create(
        model="claude-sonnet-4-5-20250929",
        max_tokens=400,
        system=SYSTEM_PROMPT,
        messages=[
            {
                "role": "user",
                "content": f"Summarise this thread for the {team!r} team:\n\n{thread}",
            },
        ],
    )

"""Answer a customer's question from help-centre articles (OpenAI chat completions)."""

from __future__ import annotations

from support_bot.prompts import SYSTEM_PROMPT


def format_articles(articles: list[str]) -> str:
    return "\n---\n".join(articles) if articles else "(no articles found)"


def answer_question(
    client, customer_name: str, question: str, articles: list[str], plan: str = "free"
):
    return client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        temperature=0.2,
        max_tokens=600,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Customer: {customer_name} (plan: {plan})\n"
                f"Question: {question}\n\n"
                f"Help articles:\n{format_articles(articles)}",
            },
        ],
    )


def follow_up(client, history: list[dict[str, str]], question: str):
    # Built at run time from the conversation so far: not a literal prompt.
    return client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        messages=history + [{"role": "user", "content": question}],  # noqa: RUF005
    )


def suggest_reply(client, ticket_text: str):
    # A prompt object kept in the OpenAI dashboard: its text is not in this code.
    return client.responses.create(
        prompt={
            "id": "pmpt_68b0c1f2a4e88190a1d2e3f4a5b6c7d8",
            "version": "3",
            "variables": {"ticket": ticket_text},
        },
    )

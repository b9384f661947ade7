"""Translate replies before they are sent."""

from __future__ import annotations

from support_bot.prompts import TRANSLATE_PROMPT


def translate(client, text: str, language: str):
    return client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        temperature=0,
        messages=[
            {"role": "user", "content": TRANSLATE_PROMPT.format(language=language, text=text)}
        ],
    )

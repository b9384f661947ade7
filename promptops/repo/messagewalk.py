"""Where a prompt file's messages are: its own and each variant's (ADR 0018).

A leaf module (standard library only): the template and content checks import it, and
they sit below everything else in the repository reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["message_lists"]


def message_lists(data: dict[str, Any]) -> Iterator[tuple[tuple[object, ...], list[Any]]]:
    """(location, messages) of a prompt's own messages and of each variant's, from plain
    data (a prompt file as parsed): every check of message content walks both."""
    holders: list[tuple[tuple[object, ...], Any]] = [((), data)]
    variants = data.get("variants")
    if isinstance(variants, dict):
        holders.extend((("variants", name), v) for name, v in variants.items())
    for at, holder in holders:
        messages = holder.get("messages") if isinstance(holder, dict) else None
        if isinstance(messages, list):
            yield at, messages

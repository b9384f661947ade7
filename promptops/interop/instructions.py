"""Split system text shared by several imported prompts into instruction files.

promptops puts a prompt's instructions, joined by a blank line, in one system message
before its own messages (ADR 0001). So a literal first system message can become
instructions exactly: either instructions the repository already has (the message is
their texts joined, in some order the prompt then lists), or a new instruction when two or
more imported prompts open with the same text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from promptops.compile.engine import analyse, strip_template
from promptops.interop.types import PromptDraft

__all__ = ["plan_instructions"]

_SLUG = re.compile(r"[^a-z0-9]+")
_MAX_PARTS = 8


def _literal_system(draft: PromptDraft) -> str | None:
    if not draft.messages or draft.messages[0].role != "system" or not draft.messages[0].plain:
        return None
    # A prompt's instructions open its variants' messages too: only when every variant
    # opens with the same system message can it become instructions.
    first = draft.messages[0]
    if any(not v.messages or not v.messages[0].same_as(first) for v in draft.variants.values()):
        return None
    text = strip_template(draft.messages[0].template + "\n")
    try:
        return text if text and analyse(text).engine == "text" else None
    except Exception:
        return None


def _match(text: str, existing: Mapping[str, str]) -> list[str] | None:
    """Instruction ids whose texts, joined by a blank line, are exactly ``text``."""
    by_text: dict[str, str] = {}
    for iid in sorted(existing):
        by_text.setdefault(existing[iid], iid)
    if text in by_text:
        return [by_text[text]]
    # Several instructions: split at blank lines and look for a concatenation.
    memo: dict[int, list[str] | None] = {}

    def walk(at: int, depth: int) -> list[str] | None:
        if at == len(text):
            return []
        if depth >= _MAX_PARTS or at in memo:
            return memo.get(at)
        found: list[str] | None = None
        for body, iid in by_text.items():
            if text.startswith(body, at):
                end = at + len(body)
                if end == len(text):
                    found = [iid]
                    break
                if text.startswith("\n\n", end):
                    rest = walk(end + 2, depth + 1)
                    if rest is not None:
                        found = [iid, *rest]
                        break
        memo[at] = found
        return found

    return walk(0, 0)


def _slug(text: str, taken: set[str]) -> str:
    words = _SLUG.sub("-", text.lower()).strip("-").split("-")
    base = "-".join(words[:6])[:48].strip("-") or "system"
    candidate = f"instructions/{base}"
    n = 2
    while candidate in taken:
        candidate = f"instructions/{base}-{n}"
        n += 1
    return candidate


def plan_instructions(
    drafts: list[PromptDraft], existing: Mapping[str, str], taken_ids: set[str]
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``(prompt id -> instruction ids, new instruction id -> text)``.

    A prompt listed in the first mapping loses its first (system) message to those
    instructions; ``existing`` maps the repository's instruction ids to their texts.
    """
    texts = {d.id: t for d in drafts if (t := _literal_system(d)) is not None}
    uses: dict[str, list[str]] = {}
    for pid, text in texts.items():
        match = _match(text, existing) if existing else None
        if match:
            uses[pid] = match
    counts = Counter(t for pid, t in texts.items() if pid not in uses)
    new: dict[str, str] = {}
    by_text: dict[str, str] = {}
    taken = set(taken_ids) | set(existing)
    for pid in sorted(texts):
        text = texts[pid]
        if pid in uses or counts[text] < 2:
            continue
        if text not in by_text:
            iid = _slug(text, taken)
            taken.add(iid)
            by_text[text] = iid
            new[iid] = text
        uses[pid] = [by_text[text]]
    return uses, new

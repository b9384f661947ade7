"""Where a Dotprompt template places history and media, as promptops messages.

``{{history}}`` at the top level becomes a ``{history: history}`` message (Dotprompt takes
the conversation with the render call); top-level ``{{media}}`` tags in a user message
make its content parts, their inputs ``{type: object}`` holding ``{url}``
(:mod:`translate.hbs_media`). The proof renders both with a sample conversation and URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from promptops.interop.common import sample_turns
from promptops.interop.translate.problems import Translation
from promptops.interop.types import MessageDraft, PartDraft, PromptDraft, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["HISTORY_INPUT", "add_messages", "proof_inputs"]

# The input a {{history}} splices in (Dotprompt takes it as the render call's messages).
HISTORY_INPUT = "history"
_KINDS: dict[str, Literal["text", "image", "file"]] = {
    "text": "text",
    "image": "image",
    "file": "file",
}


def add_messages(
    draft: PromptDraft,
    tr: Translation,
    locate: Callable[[int], Where],
    media_at: Where,
    out: list[Diagnostic],
) -> bool:
    """Append the translated messages to ``draft`` and declare the history and media
    inputs; False (with an error) when an input already has the history's name."""
    for segment in tr.segments:
        at = locate(segment.offset)
        if segment.history:
            draft.messages.append(MessageDraft("", "", at, history=HISTORY_INPUT))
        elif segment.parts is not None:
            parts = [PartDraft(_KINDS[k], v) for k, v in segment.parts]
            draft.messages.append(MessageDraft(segment.role or "user", "", at, parts=parts))
        elif segment.jinja.strip():  # Dotprompt drops whitespace-only message text
            draft.messages.append(MessageDraft(segment.role or "user", segment.jinja, at))
    if any(m.history for m in draft.messages):
        if HISTORY_INPUT in draft.inputs:
            out.append(
                diag(
                    locate(0),
                    "error",
                    "template-history",
                    f"the input schema has an input named '{HISTORY_INPUT}', the name the "
                    "imported prompt gives the conversation {{history}} splices in: rename it",
                )
            )
            return False
        # Dotprompt takes the history with the render call (its messages); given none, it
        # sends none.
        draft.inputs[HISTORY_INPUT] = {"type": "array", "default": []}
    for name in tr.media:
        # promptops media inputs hold {url} or {data, media_type}, not a URL string.
        draft.inputs[name] = {"type": "object"}
        if tr.media[name] == "string":
            out.append(
                diag(
                    media_at,
                    "warning",
                    "media-input",
                    f"'{name}' is a URL string in Dotprompt; promptops image and file parts "
                    "take {url} (or {data, media_type}): pass {'url': ...} from your "
                    "application",
                )
            )
    return True


def proof_inputs(
    draft: PromptDraft, tr: Translation, sample: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]] | None]:
    """The proof's inputs for promptops (``sample``, completed), the same values as
    Dotprompt takes them, and the conversation Dotprompt is given as its messages."""
    source = dict(sample)  # what Dotprompt renders with
    for name, form in tr.media.items():
        url = f"https://example.com/{name}.png"
        sample[name] = {"url": url}
        source[name] = url if form == "string" else {"url": url}
    history = None
    if HISTORY_INPUT in draft.inputs and any(m.history for m in draft.messages):
        sample[HISTORY_INPUT] = sample_turns()
        source.pop(HISTORY_INPUT)
        history = sample[HISTORY_INPUT]
    return sample, source, history

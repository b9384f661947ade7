"""The messages of a Langfuse prompt: its text (one user message) or its chat list, whose
``placeholder`` entries splice in the messages given for them at compile time, which is
promptops' ``{history: NAME}`` message. ``{{var}}`` follow the SDKs' ``compile``
(:mod:`translate.mustache`); each prompt gets a sample to prove the rendering with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from promptops.interop.common import sample_turns
from promptops.interop.translate.mustache import placeholders, render_mustache, translate_mustache
from promptops.interop.types import Content, MessageDraft, PromptDraft, Sample, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["add_messages"]

_HISTORY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def add_messages(
    draft: PromptDraft,
    obj: dict[str, Any],
    name: str,
    near: Callable[[str], Where],
    out: list[Diagnostic],
) -> bool:
    """Fill ``draft``'s messages, inputs and proof sample from ``obj``; False (with an
    error) when its messages are not Langfuse's. ``near(pattern)`` positions a pattern of
    the object's JSON text."""
    where = draft.where
    kind = obj.get("type", "chat" if isinstance(obj["prompt"], list) else "text")
    # (role, content), or (None, name) for a placeholder: the messages given for it at
    # compile time are spliced in there, which is promptops' {history: INPUT}.
    raw_messages: list[tuple[str | None, str]] = []
    if kind == "text" and isinstance(obj["prompt"], str):
        raw_messages = [("user", obj["prompt"])]
    elif isinstance(obj["prompt"], list):
        for m in obj["prompt"]:
            if isinstance(m, dict) and m.get("type") == "placeholder":
                if not _HISTORY_NAME.match(str(m.get("name"))):
                    named = r'"name"\s*:\s*' + re.escape(json.dumps(str(m.get("name"))))
                    out.append(
                        diag(
                            near(named),
                            "error",
                            "placeholder",
                            f"chat placeholder {m.get('name')!r} in '{name}' cannot name a "
                            "promptops input (letters, digits and '_', not first a digit)",
                        )
                    )
                    return False
                raw_messages.append((None, str(m["name"])))
                continue
            if (
                not isinstance(m, dict)
                or m.get("role") not in ("system", "user", "assistant")
                or not isinstance(m.get("content"), str)
            ):
                out.append(
                    diag(
                        where,
                        "error",
                        "message",
                        f"message {m!r} of '{name}' needs role system/user/assistant and "
                        "text content",
                    )
                )
                return False
            raw_messages.append((m["role"], m["content"]))
    else:
        out.append(
            diag(
                where,
                "error",
                "not-format",
                f"'{name}': 'prompt' must be text or a list of messages",
            )
        )
        return False
    texts = [(r, c) for r, c in raw_messages if r is not None]
    names = {p.name for _, c in texts for p in placeholders(c, "langfuse")}
    renames: dict[str, str] = {}
    for role, content in raw_messages:
        if role is None:
            draft.messages.append(MessageDraft("", "", where, history=content))
            continue
        tr = translate_mustache(content, "langfuse", names)
        renames.update(tr.renames)
        draft.messages.append(MessageDraft(role, tr.segments[0].jinja, where))
    var_of = {n: renames.get(n, n) for n in names}
    draft.inputs = {var_of[n]: {"type": "string"} for n in sorted(names)}
    histories = [c for r, c in raw_messages if r is None]
    clash = sorted(set(histories) & set(var_of.values()))
    if clash:
        out.append(
            diag(
                where,
                "error",
                "placeholder",
                f"'{clash[0]}' of '{name}' is both a variable and a chat placeholder; "
                "promptops inputs have one name each: rename one in Langfuse",
            )
        )
        return False
    for h in histories:
        # An unresolved placeholder sends no messages in promptops (Langfuse's compile
        # keeps it as a marker for LangChain to fill).
        draft.inputs[h] = {"type": "array", "default": []}
    sample = {n: f"{n} value" for n in sorted(names)}
    turns = {h: sample_turns() for h in histories}
    expected: list[tuple[str, Content]] = []
    for r, c in raw_messages:
        if r is None:
            expected.extend((t["role"], t["content"]) for t in turns[c])
        else:
            expected.append((r, render_mustache(c, sample, "langfuse")))
    draft.samples.append(
        Sample(
            "synthetic",
            {**{var_of[k]: v for k, v in sample.items()}, **turns},
            where,
            expected,
            is_case=False,
        )
    )
    return True

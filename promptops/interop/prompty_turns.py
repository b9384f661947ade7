"""Where a Prompty body places conversation history, images and files.

Prompty 2.x inputs of kind ``thread`` are spliced in where the body prints them: the
message is cut there, its text before and after trimmed, and the thread's messages go in
between, which is promptops' ``{history: INPUT}`` message. Inputs of kind ``image`` and
``file`` printed in a user message become content parts (promptops sends media from the
user only). A 1.x body writes its history with a loop Prompty's parser re-reads as role
markers (``{% for m in chat_history %}`` / ``{{m.role}}:`` / ``{{m.content}}``): the same
splice. Only a placeholder on a line of its own, outside any Jinja block, can be placed;
any other use is a positioned warning and the placeholder is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jinja2

from promptops.interop.common import sample_turns
from promptops.interop.prompty_body import Version, message_template
from promptops.interop.types import MessageDraft, PartDraft, Sample, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["history_loops", "history_samples", "place_turns"]

# A 1.x chat history loop, as Prompty's own examples write it.
_LOOP = re.compile(
    r"^[ \t]*\{%-?\s*for\s+(\w+)\s+in\s+(\w+)\s*-?%\}[ \t]*\n"
    r"[ \t]*\{\{-?\s*\1\.role\s*-?\}\}[ \t]*:[ \t]*\n"
    r"[ \t]*\{\{-?\s*\1\.content\s*-?\}\}[ \t]*\n"
    r"[ \t]*\{%-?\s*endfor\s*-?%\}[ \t]*$",
    re.M,
)


def history_loops(body: str) -> tuple[str, list[str]]:
    """``body`` with each chat history loop replaced by a ``{{NAME}}`` line, and the
    names of the inputs those loops read."""
    names: list[str] = []

    def swap(m: re.Match[str]) -> str:
        names.append(m.group(2))
        # Keep the line count, so positions in the rest of the body stay right.
        return "{{" + m.group(2) + "}}" + "\n" * m.group(0).count("\n")

    return _LOOP.sub(swap, body), names


def _alone(name: str) -> re.Pattern[str]:
    return re.compile(r"^[ \t]*\{\{-?\s*" + re.escape(name) + r"\s*-?\}\}[ \t]*$", re.M)


def _parses(text: str) -> bool:
    try:
        jinja2.Environment().parse(text)
    except jinja2.TemplateSyntaxError:
        return False
    return True


def place_turns(
    role: str,
    text: str,
    specials: dict[str, str],
    version: Version,
    at: Callable[[int], Where],
    out: list[Diagnostic],
) -> list[MessageDraft]:
    """The messages one role section makes: its text, cut where a thread, image or file
    input stands on a line of its own; ``at(line)`` positions a line of ``text``."""
    pieces: list[tuple[str, str, int]] = [("text", text, 1)]  # (kind, text or name, line)
    for name, kind in specials.items():
        if kind == "audio":
            continue
        cut: list[tuple[str, str, int]] = []
        for piece_kind, value, line in pieces:
            if piece_kind != "text":
                cut.append((piece_kind, value, line))
                continue
            last = 0
            for m in _alone(name).finditer(value):
                cut.append(("text", value[last : m.start()], line + value[:last].count("\n")))
                cut.append((kind, name, line + value[: m.start()].count("\n")))
                last = m.end()
            cut.append(("text", value[last:], line + value[:last].count("\n")))
        if all(_parses(v) for k, v, _ in cut if k == "text"):
            pieces = cut
    # Prompty trims each piece of a cut message whole (1.x trims every message so).
    trim: Version = version if len(pieces) == 1 else 1
    messages: list[MessageDraft] = []
    parts: list[tuple[PartDraft, int]] = []

    def flush() -> None:
        if len(parts) == 1 and parts[0][0].kind == "text":
            messages.append(MessageDraft(role, parts[0][0].value, at(parts[0][1])))
        elif parts:
            messages.append(MessageDraft(role, "", at(parts[0][1]), parts=[p for p, _ in parts]))
        parts.clear()

    for kind, value, line in pieces:
        if kind == "text":
            value = _leftover(value, specials, line, at, out)
            template = message_template(value, trim)
            if template is not None:
                parts.append((PartDraft("text", template), line))
        elif kind == "thread":
            flush()
            messages.append(MessageDraft("", "", at(line), history=value))
        elif role != "user":
            out.append(
                diag(
                    at(line),
                    "warning",
                    "media",
                    f"'{value}' is {'an image' if kind == 'image' else 'a file'} in a "
                    f"{role} message; promptops sends images and files from the user only, "
                    "so it was left out: move it to a user message",
                )
            )
        else:
            parts.append((PartDraft("image" if kind == "image" else "file", value), line))
    flush()
    return messages


def _leftover(
    text: str,
    specials: dict[str, str],
    line: int,
    at: Callable[[int], Where],
    out: list[Diagnostic],
) -> str:
    """``text`` without the uses of special inputs that could not be placed (each one a
    warning)."""
    for name, kind in specials.items():
        use = re.compile(r"\{\{-?\s*" + re.escape(name) + r"\s*-?\}\}")
        for m in use.finditer(text):
            if kind == "audio":
                break  # reported once, at the input
            what = "conversation history" if kind == "thread" else f"an {kind} input"
            out.append(
                diag(
                    at(line + text[: m.start()].count("\n")),
                    "warning",
                    "placement",
                    f"'{name}' is {what}, printed here inside a line or a Jinja block; "
                    "promptops places it only on a line of its own at the top level of a "
                    "message, so it was left out here",
                )
            )
        text = use.sub("", text)
    return text


def history_samples(samples: list[Sample], specials: dict[str, str], where: Where) -> list[Sample]:
    """A sample that gives each thread a two-turn conversation, so the proof checks the
    splice (the file's own sample usually has none)."""
    threads = sorted(n for n, k in specials.items() if k == "thread")
    if not threads:
        return []
    given = samples[0].inputs if samples else {}
    inputs = {**given, **{t: sample_turns() for t in threads}}
    return [Sample("history", inputs, where, is_case=False)]

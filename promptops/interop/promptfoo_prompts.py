"""The prompts of a promptfoo config: inline texts, ``file://`` references (globs, bare
paths to existing files, JSON/YAML chats, ``---``-separated text files), prompt
functions (code, reported), and the provider each prompt runs on."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any

from promptops.interop.promptfoo_render import chat_messages
from promptops.interop.sources import Loaded, SourceError, load_yaml, read_text
from promptops.interop.types import Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["PromptText", "config_prompts", "prompt_messages", "provider_for"]

_SEPARATOR = re.compile(r"^---$", re.M)


class PromptText:
    """One prompt of a config: its label, raw text and where it came from."""

    def __init__(self, label: str, raw: str, where: Where, source: str) -> None:
        self.label = label
        self.raw = raw
        self.where = where
        self.source = source  # the text file it came from, or the config


def config_prompts(
    config: dict[str, Any], folder: Path, loaded: Loaded, out: list[Diagnostic]
) -> list[PromptText]:
    """The prompts a config lists: inline, ``file://`` files and globs, ``---`` pieces."""
    raw = config.get("prompts")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str | dict) else []
    found: list[PromptText] = []
    for i, item in enumerate(items):
        where = (
            loaded.where(("prompts", i)) if isinstance(raw, list) else loaded.where(("prompts",))
        )
        label = None
        if isinstance(item, dict):
            label = item.get("label")
            item = item.get("raw", item.get("id"))
        if not isinstance(item, str):
            out.append(
                diag(
                    where, "error", "prompt", "a prompt is text, a file:// reference or {id, label}"
                )
            )
            continue
        if not item.startswith("file://") and "\n" not in item and (folder / item).is_file():
            item = "file://" + item  # promptfoo also reads a bare path to an existing file
        if not item.startswith("file://"):
            found.append(
                PromptText(str(label or f"prompt-{len(found) + 1}"), item, where, loaded.shown)
            )
            continue
        pattern = item.removeprefix("file://")
        if ":" in pattern and pattern.rsplit(":", 1)[0].endswith((".py", ".js", ".ts")):
            out.append(
                diag(
                    where,
                    "warning",
                    "prompt-function",
                    f"'{item}' is a prompt function (code); promptops cannot import code: "
                    "write the prompt it returns as a template",
                )
            )
            continue
        paths = (
            sorted(Path(p) for p in glob.glob(str(folder / pattern)))
            if any(c in pattern for c in "*?[")
            else [folder / pattern]
        )
        for path in paths:
            shown = str(Path(loaded.shown).parent / path.relative_to(folder))
            if path.suffix in (".py", ".js", ".ts", ".mjs", ".cjs"):
                out.append(
                    diag(
                        where,
                        "warning",
                        "prompt-function",
                        f"'{shown}' is a prompt function (code); promptops cannot import "
                        "code: write the prompt it returns as a template",
                    )
                )
                continue
            if not path.is_file():
                out.append(diag(where, "error", "file-ref", f"'{item}': no file {shown}"))
                continue
            try:
                text = read_text(path, shown)
            except SourceError as exc:
                out.append(exc.diagnostic)
                continue
            if path.suffix in (".yaml", ".yml"):
                try:
                    data = load_yaml(text, shown).data
                except SourceError as exc:
                    out.append(exc.diagnostic)
                    continue
                text = json.dumps(data, ensure_ascii=False)
            stem = re.sub(r"\.(txt|md|json|ya?ml|j2|prompt)$", "", path.name)
            starts = [0] + [m.end() + 1 for m in _SEPARATOR.finditer(text)]
            if path.suffix in (".json", ".yaml", ".yml"):
                starts = [0]
            bounds = [*starts[1:], len(text) + 4]
            for k, start in enumerate(starts):
                piece = text[start : bounds[k] - 4] if len(starts) > 1 else text
                body = piece.strip() if len(starts) > 1 else piece
                lead = len(piece) - len(piece.lstrip())
                line = text[: start + lead].count("\n") + 1
                name = str(label or stem) if len(starts) == 1 else f"{label or stem}-{k + 1}"
                found.append(PromptText(name, body, Where(shown, line), shown))
    return found


_TAG = re.compile(r"\{%-?\s*(for|if)\b")


def prompt_messages(
    prompt: PromptText, out: list[Diagnostic] | None = None
) -> list[tuple[str, str]]:
    """``(role, template)`` of a prompt: its chat JSON/YAML, or one user message.

    Chat JSON whose messages a Nunjucks loop or condition writes has no fixed messages:
    it stays one user message, and ``out`` gets a warning at the tag that makes them.
    """
    parsed = chat_messages(prompt.raw)
    if parsed is not None:
        return parsed
    tag = _TAG.search(prompt.raw)
    if out is not None and prompt.raw.lstrip().startswith("[") and tag is not None:
        line = prompt.where.line + prompt.raw[: tag.start()].count("\n")
        out.append(
            diag(
                Where(prompt.where.path, line),
                "warning",
                "chat-template",
                f"this chat prompt's messages are written by a Nunjucks '{tag.group(1)}' at "
                "render time; promptops messages are fixed, so it was imported as one user "
                "message holding the JSON text: write the messages out, with a "
                "'- history: INPUT' message where a conversation goes",
            )
        )
    return [("user", prompt.raw)]


def provider_for(label: str, providers: list[Any]) -> int | None:
    """The provider a prompt runs on: the first whose ``prompts`` names its label, else the
    first without such a filter (promptfoo's prompts-per-provider)."""
    unfiltered = None
    for i, p in enumerate(providers):
        wanted = p.get("prompts") if isinstance(p, dict) else None
        if isinstance(wanted, list):
            if label in wanted:
                return i
        elif unfiltered is None:
            unfiltered = i
    return unfiltered if unfiltered is not None else (0 if providers else None)

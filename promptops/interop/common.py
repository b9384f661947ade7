"""Helpers every format reader shares: ids, unknown keys, positions inside templates,
and turning a translation's problems into diagnostics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from promptops.interop.sources import Loaded, SourceError, read_text
from promptops.interop.translate.problems import Problem
from promptops.interop.types import ImportResult, Where, diag
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic

__all__ = [
    "REQUEST_PARAMS",
    "as_mapping",
    "in_template",
    "not_kept",
    "prompt_id",
    "read_source",
    "sample_turns",
    "shown_path",
    "translation_diagnostics",
    "unknown_keys",
]

_SEGMENT = re.compile(r"[^a-z0-9_.-]+")
# Request parameters with the same name and meaning in the OpenAI and Anthropic APIs as in
# a promptops prompt's params: carried over as they are wherever a source names them.
REQUEST_PARAMS = (
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "stop",
    "reasoning_effort",
)


def as_mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (source files hold anything)."""
    return value if isinstance(value, dict) else {}


def shown_path(path: Path, base: Path | None) -> str:
    """How diagnostics name a source file: relative to where the user ran the import."""
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)


def prompt_id(path: Path, root: Path, suffixes: Iterable[str], prefix: str = "") -> str:
    """A promptops id from a source path below ``root``: the format suffix dropped, each
    segment lower-cased with anything outside ``[a-z0-9_.-]`` turned into ``-``."""
    try:
        rel = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
    except ValueError:
        rel = PurePosixPath(path.name)
    name = rel.name
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    parts = [*rel.parent.parts, name] if str(rel.parent) != "." else [name]
    if prefix:
        parts = [prefix, *parts]
    cleaned = []
    for part in parts:
        seg = _SEGMENT.sub("-", part.lower()).strip("-.") or "prompt"
        if not seg[0].isalnum():
            seg = "p" + seg
        cleaned.append(seg)
    return "/".join(cleaned)


def unknown_keys(
    loaded: Loaded,
    mapping: Mapping[str, Any],
    loc: tuple[object, ...],
    known: Iterable[str],
    what: str,
) -> list[Diagnostic]:
    """A warning per key the format does not define: it is not imported."""
    known_set = set(known)
    out = []
    for key in mapping:
        if key not in known_set:
            out.append(
                diag(
                    loaded.where((*loc, key), key=True),
                    "warning",
                    "unknown-key",
                    f"'{key}' is not a {what} key; it was not imported"
                    f"{did_you_mean(str(key), known_set)}",
                )
            )
    return out


def not_kept(
    loaded: Loaded,
    mapping: Mapping[str, Any],
    loc: tuple[object, ...],
    reasons: Mapping[str, str],
) -> list[Diagnostic]:
    """A warning per metadata key the file sets that promptops has no place for, with why."""
    out = []
    for key, reason in reasons.items():
        name = ".".join([*map(str, loc), key])
        if mapping.get(key) not in (None, "", [], {}):
            out.append(
                diag(
                    loaded.where((*loc, key)),
                    "warning",
                    "not-kept",
                    f"'{name}' is not kept: {reason}",
                )
            )
    return out


def in_template(start: Where, text: str, offset: int, *, block: bool, indent: int = 0) -> Where:
    """The file position of ``offset`` in a template whose value starts at ``start``
    (``block``: a YAML block scalar, whose text begins on the next line)."""
    before = text[: max(0, min(offset, len(text)))]
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    if block:
        return Where(start.path, start.line + 1 + line, indent + col + 1)
    if line == 0:
        return Where(start.path, start.line, start.col + col + (1 if start.col > 0 else 0))
    return Where(start.path, start.line + line, col + 1)


def translation_diagnostics(
    problems: Iterable[Problem], locate: Any, what: str = ""
) -> list[Diagnostic]:
    """Diagnostics for a translation's problems; ``locate(offset) -> Where``."""
    out = []
    for p in problems:
        message = p.message if not what else f"{what}: {p.message}"
        out.append(diag(locate(p.offset), p.level, p.code, message))
    return out


def read_source(path: Path, shown: str, result: ImportResult) -> str | None:
    """The text of a source file, or None with its positioned error added to ``result``
    (too large, not UTF-8, binary, unreadable)."""
    try:
        return read_text(path, shown)
    except SourceError as exc:
        result.diagnostics.append(exc.diagnostic)
        return None


def sample_turns() -> list[dict[str, str]]:
    """A conversation to prove a history splice with: one turn of each role."""
    return [
        {"role": "user", "content": "an earlier question"},
        {"role": "assistant", "content": "an earlier answer"},
    ]

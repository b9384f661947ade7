"""Python source files: prompts hard-coded in applications (:mod:`python_scan`).

Each lifted call or ``*_PROMPT`` constant becomes a prompt; f-string fields become
inputs; ``--rewrite`` (:func:`rewrite_patch`) prints a patch that replaces each literal
with ``reg.prompt(ID).render(...)``, so the application renders the same messages from
the repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.interop.common import read_source, shown_path
from promptops.interop.python_rewrite import rewrite_patch
from promptops.interop.python_scan import Field, Lifted, Piece, scan_project
from promptops.interop.translate.jinja_text import jinja_literal
from promptops.interop.types import (
    ImportResult,
    MessageDraft,
    ModelRef,
    PromptDraft,
    Sample,
    Where,
    diag,
)

__all__ = [
    "NAME",
    "PATTERN_TEXT",
    "matches",
    "module_name",
    "prompt_id_of",
    "read",
    "rewrite_patch",
]

NAME = "Python"
PATTERN_TEXT = "*.py"
_SEGMENT = re.compile(r"[^a-z0-9_.-]+")


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format."""
    return path.suffix == ".py" and not any(p.startswith(".") for p in path.parts)


def module_name(path: Path, root: Path) -> str:
    """``pkg/mod`` for ``root/pkg/mod.py``."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix()


def prompt_id_of(name: str) -> str:
    """The promptops id of a lifted prompt's name hint."""
    return "/".join(
        _SEGMENT.sub("-", part.lower()).strip("-.") or "prompt" for part in name.split("/")
    )


def _template(pieces: list[Piece]) -> str:
    return "".join(
        jinja_literal(p) if isinstance(p, str) else "{{ " + p.name + " }}" for p in pieces
    )


def _original(pieces: list[Piece], values: dict[str, Any]) -> str:
    return "".join(p if isinstance(p, str) else str(values[p.name]) for p in pieces)


def _model(model: str | None, where: Where) -> ModelRef | None:
    if model is None:
        return None
    provider = "anthropic" if model.startswith("claude") else "openai"
    return ModelRef(model, provider, model, where)


def _draft(lifted: Lifted, shown: str) -> PromptDraft:
    where = Where(shown, lifted.line, lifted.col)
    draft = PromptDraft(
        id=prompt_id_of(lifted.name),
        where=where,
        messages=[],
        model=_model(lifted.model, where),
        params=dict(lifted.params),
        slots=frozenset({"model", "params", "messages"}),
    )
    fields: dict[str, Field] = {}
    for role, pieces in lifted.messages:
        draft.messages.append(MessageDraft(role, _template(pieces), where))
        for p in pieces:
            if isinstance(p, Field):
                fields.setdefault(p.name, p)
    for name in fields:
        draft.inputs[name] = dict(
            lifted.schemas.get(name) or {"description": "type not known from the source"}
        )
    # Values as the rewritten call site passes them (conversions and specs applied there).
    values = {name: f"{name} value" for name in fields}
    draft.samples.append(
        Sample(
            "synthetic",
            values,
            where,
            [(role, _original(pieces, values)) for role, pieces in lifted.messages],
            is_case=False,
        )
    )
    return draft


def project_sources(root: Path) -> dict[str, str]:
    """Every module under ``root`` (``module path -> source``), read once per import: a
    prompt constant may live in another module than the call that sends it."""
    files = sorted(p for p in root.rglob("*.py") if matches(p.relative_to(root)))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    key = str(root.resolve())
    cached = _PROJECTS.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    sources: dict[str, str] = {}
    for p in files:
        try:
            sources[module_name(p, root)] = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported when that file itself is read
    _PROJECTS[key] = (stamp, sources)
    return sources


_PROJECTS: dict[str, tuple[tuple[tuple[str, int, int], ...], dict[str, str]]] = {}


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Lift the prompts of one Python module (constants other modules define resolve)."""
    shown = shown_path(path, base)
    result = ImportResult()
    source = read_source(path, shown, result)
    if source is None:
        return result
    top = root or path.parent
    module = module_name(path, top)
    found, problems = scan_project({**project_sources(top), module: source})[module]
    if isinstance(found, SyntaxError):
        where = Where(shown, found.lineno or 1, found.offset or 1)
        result.diagnostics.append(diag(where, "error", "python-syntax", f"not Python: {found.msg}"))
        return result
    for line, col, message in problems:
        result.diagnostics.append(
            diag(Where(shown, line, col), "warning", "python-dynamic", message)
        )
    for item in found:
        result.documents.append(_draft(item, shown))
    return result

"""Prompty's ``${env:NAME[:default]}`` and ``${file:path}`` references in front matter.

An import must be reproducible, so the environment is never read: an ``env`` reference
with a default becomes its default, one without stays as written (it only ever appears
in connection settings, which are not imported). A ``file`` reference is loaded as Prompty
loads it (JSON, YAML or text) and, as the Prompty specification requires, only from
inside the prompt's own directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from promptops.interop.sources import Loaded, SourceError, load_yaml, read_text
from promptops.interop.types import Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["resolve_refs"]

_MAX_DEPTH = 32


def _file(value: str, source: Path, where: Where, out: list[Diagnostic]) -> Any:
    rel = value[len("${file:") : -1].strip()
    folder = source.parent.resolve()
    target = (folder / rel).resolve()
    if Path(rel).is_absolute() or not target.is_relative_to(folder):
        out.append(
            diag(
                where,
                "error",
                "file-ref",
                f"'{value}' points outside the prompt's directory; Prompty refuses "
                "that, and so does the import",
            )
        )
        return None
    if not target.is_file():
        out.append(diag(where, "error", "file-ref", f"'{value}': no file {rel} next to the prompt"))
        return None
    shown = str(Path(where.path).parent / rel)
    try:
        text = read_text(target, shown)
        suffix = target.suffix.lower()
        if suffix == ".json":
            try:
                return json.loads(text)
            except ValueError as exc:
                out.append(diag(Where(shown), "error", "file-ref", f"not JSON: {exc}"))
                return None
        if suffix in (".yaml", ".yml"):
            return load_yaml(text, shown, core12=False).data
        return text
    except SourceError as exc:
        out.append(exc.diagnostic)
        return None


def _resolve(
    value: Any,
    source: Path,
    loaded: Loaded | None,
    loc: tuple[object, ...],
    out: list[Diagnostic],
    depth: int,
) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _resolve(v, source, loaded, (*loc, k), out, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, source, loaded, (*loc, i), out, depth + 1) for i, v in enumerate(value)]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        protocol, _, rest = value[2:-1].partition(":")
        where = loaded.where(loc) if loaded is not None else Where(str(source))
        if protocol.lower() == "file":
            return _file(value, source, where, out)
        if protocol.lower() == "env":
            _, sep, default = rest.partition(":")
            return default if sep and default else value
    return value


def resolve_refs(
    data: dict[str, Any], source: Path, loaded: Loaded | None, out: list[Diagnostic]
) -> dict[str, Any]:
    """``data`` with every reference resolved (problems appended to ``out``)."""
    resolved = _resolve(data, source, loaded, (), out, 0)
    return resolved if isinstance(resolved, dict) else {}

"""``promptops import python --rewrite``: a patch that moves lifted prompts out of code.

Each lifted literal is replaced by ``reg.prompt(ID).render(...)`` (its messages, a slice
of them, or one message's content), passing the f-string fields as inputs, and the module
imports ``reg`` from where the application opens its registry. The patch is a plain
unified diff with ``a/`` and ``b/`` paths, so ``git apply`` takes it.
"""

from __future__ import annotations

import ast
import difflib
import os
from pathlib import Path

from promptops.errors import UsageError
from promptops.interop.python_scan import Field, Lifted, scan_project

__all__ = ["rewrite_patch", "rewrite_source"]


def _offset(lines: list[str], line: int, col: int) -> int:
    """Character offset of an ast (1-based line, UTF-8 byte column) position."""
    before = sum(len(x) for x in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", errors="ignore"))


def _args(lifted: Lifted) -> str:
    fields: dict[str, Field] = {}
    for _, pieces in lifted.messages:
        for p in pieces:
            if isinstance(p, Field):
                fields.setdefault(p.name, p)
    return ", ".join(f"{name}={f.argument}" for name, f in fields.items())


def _import_at(tree: ast.Module, lines: list[str]) -> int:
    """The line index after the last top-level import (or the docstring)."""
    after = 0
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom) or (
            i == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            after = node.end_lineno or node.lineno
    return after


def rewrite_source(source: str, lifted: list[Lifted], registry: str) -> str:
    """``source`` with every ``lifted`` literal replaced by a render of its prompt.

    Raises:
        UsageError: ``registry`` is not ``MODULE:NAME``.
    """
    from promptops.interop.python_source import prompt_id_of

    mod_name, sep, reg = registry.partition(":")
    if not sep or not mod_name or not reg.isidentifier():
        raise UsageError(
            f"--registry must be MODULE:NAME (e.g. myapp.prompts:reg), found {registry!r}"
        )
    if not lifted:
        return source
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for item in lifted:
        render = f'{reg}.prompt("{prompt_id_of(item.name)}").render({_args(item)})'
        total = len(item.messages)
        for site in item.sites:
            node = site.node
            start = _offset(lines, node.lineno, node.col_offset)
            end = _offset(
                lines, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset
            )
            if site.is_list:
                if site.first == 0 and site.count == total:
                    text = f"{render}.messages"
                else:
                    text = f"{render}.messages[{site.first}:{site.first + site.count}]"
            else:
                text = f'{render}.messages[{site.first}]["content"]'
            edits.append((start, end, text))
    out = source
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    statement = f"from {mod_name} import {reg}\n"
    if statement not in out:
        tree = ast.parse(source)
        at = _import_at(tree, lines)
        new_lines = out.splitlines(keepends=True)
        # Edits never change the lines before the first literal, which follows the imports.
        new_lines.insert(at, statement)
        out = "".join(new_lines)
    return out


def rewrite_patch(
    paths: list[Path], registry: str, *, root: Path | None = None, base: Path | None = None
) -> str:
    """A unified diff (``git apply`` ready) rewriting every lifted literal in ``paths``."""
    from promptops.interop.python_source import module_name, project_sources

    if not paths:
        return ""
    common = root or Path(os.path.commonpath([str(p.resolve().parent) for p in paths]))
    where = (base or Path.cwd()).resolve()
    scanned = scan_project(project_sources(common))
    chunks: list[str] = []
    for path in sorted(paths):
        source = path.read_text(encoding="utf-8")
        found = scanned.get(module_name(path, common), ([], []))[0]
        if isinstance(found, SyntaxError):
            continue
        new = rewrite_source(source, found, registry)
        if new == source:
            continue
        try:
            rel = path.resolve().relative_to(where).as_posix()
        except ValueError:
            rel = path.resolve().as_posix().lstrip("/")
        diff = difflib.unified_diff(
            source.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
        )
        chunks.append(f"diff --git a/{rel} b/{rel}\n" + "".join(diff))
    return "".join(chunks)

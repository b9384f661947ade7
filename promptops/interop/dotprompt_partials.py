"""Dotprompt partials: ``_name.prompt`` files next to the prompt that ``{{> name}}`` pulls
in, parsed transitively, and a partial file imported on its own."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.interop.common import translation_diagnostics
from promptops.interop.sources import SourceError, read_text
from promptops.interop.translate.hbs_ast import Block, Node, Partial, TemplateSyntaxError
from promptops.interop.translate.hbs_jinja import translate_handlebars
from promptops.interop.translate.hbs_parse import parse_handlebars
from promptops.interop.types import ImportResult, PartialDraft, Where, diag
from promptops.repo.textpos import text_position

__all__ = ["load_partials", "partial_id", "read_partial"]


def partial_id(name: str) -> str:
    return "partials/" + re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-.")


def load_partials(
    folder: Path, body: list[Node], shown_dir: str, out: list[Any]
) -> tuple[dict[str, list[Node]], dict[str, tuple[str, str]]]:
    """Parsed partials the body references (transitively): name -> tree, and their sources."""
    trees: dict[str, list[Node]] = {}
    sources: dict[str, tuple[str, str]] = {}
    pending = [body]
    while pending:
        for node in _walk(pending.pop()):
            if not isinstance(node, Partial) or node.name in trees:
                continue
            path = folder / f"_{node.name}.prompt"
            shown = str(Path(shown_dir) / path.name)
            if not path.is_file():
                continue  # reported by the translator, positioned at the reference
            try:
                text = read_text(path, shown)
                trees[node.name] = parse_handlebars(text)
            except SourceError as exc:
                out.append(exc.diagnostic)
                continue
            except TemplateSyntaxError as exc:
                line, col = text_position(text, exc.offset)
                out.append(diag(Where(shown, line, col), "error", "template-syntax", exc.message))
                continue
            sources[node.name] = (text, shown)
            pending.append(trees[node.name])
    return trees, sources


def _walk(nodes: list[Node]) -> list[Node]:
    found: list[Node] = []
    for n in nodes:
        found.append(n)
        if isinstance(n, Block):
            found.extend(_walk(n.program))
            found.extend(_walk(n.inverse or []))
    return found


def read_partial(path: Path, text: str, shown: str, result: ImportResult) -> ImportResult:
    """A ``_name.prompt`` partial imported on its own."""
    try:
        tree = parse_handlebars(text)
    except TemplateSyntaxError as exc:
        line, col = text_position(text, exc.offset)
        result.diagnostics.append(
            diag(Where(shown, line, col), "error", "template-syntax", exc.message)
        )
        return result
    trees, _ = load_partials(path.parent, tree, str(Path(shown).parent), result.diagnostics)
    ids = {name: partial_id(name) for name in trees}
    tr = translate_handlebars(tree, {}, trees, ids)
    result.diagnostics.extend(
        translation_diagnostics(tr.problems, lambda off: Where(shown, *text_position(text, off)))
    )
    name = path.name[1:].removesuffix(".prompt")
    result.documents.append(
        PartialDraft(partial_id(name), tr.segments[0].jinja, Where(shown), from_prompt=False)
    )
    return result

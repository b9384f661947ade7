"""Parse Nunjucks templates (promptfoo's prompt language) with Jinja's parser.

Nunjucks took its syntax from Jinja: the two differ in a handful of spellings
(``elseif``), not in grammar, for everything prompt templates use. Jinja's parser gives a
tree that :mod:`njk_render` renders with Nunjucks' JavaScript semantics and
:mod:`njk_jinja` writes back as promptops Jinja. Constructs outside the supported subset
are listed by :func:`unsupported`.
"""

from __future__ import annotations

import re

import jinja2
from jinja2 import nodes

from promptops.interop.translate.hbs_ast import TemplateSyntaxError

__all__ = ["SUPPORTED", "parse_nunjucks", "unsupported"]

# keep_trailing_newline: Nunjucks keeps a template's final newline; Jinja's default drops it.
_ENV = jinja2.Environment(keep_trailing_newline=True, autoescape=False)
_ELSEIF = re.compile(r"(\{%[-+]?\s*)elseif\b")

SUPPORTED: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr,
    nodes.Getitem, nodes.Filter, nodes.Test, nodes.If, nodes.For, nodes.Compare, nodes.Operand,
    nodes.And, nodes.Or, nodes.Not, nodes.CondExpr, nodes.Concat, nodes.Add, nodes.Sub,
    nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pos, nodes.Neg, nodes.List,
    nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Assign, nodes.Keyword,
)  # fmt: skip


def _offset(text: str, lineno: int) -> int:
    lines = text.split("\n")
    return sum(len(ln) + 1 for ln in lines[: max(lineno - 1, 0)])


def parse_nunjucks(text: str) -> nodes.Template:
    """Jinja's syntax tree of a Nunjucks template.

    Raises:
        TemplateSyntaxError: positioned at the start of the offending line.
    """
    source = _ELSEIF.sub(lambda m: m.group(1) + "elif", text)
    try:
        return _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntaxError(
            f"not a template promptops can read: {exc.message}", _offset(text, exc.lineno or 1)
        ) from None


def unsupported(tree: nodes.Template, text: str) -> list[tuple[int, str]]:
    """``(offset, construct)`` of each node outside the supported subset."""
    out: list[tuple[int, str]] = []

    def walk(node: nodes.Node) -> None:
        if not isinstance(node, SUPPORTED):
            out.append((_offset(text, getattr(node, "lineno", 1) or 1), type(node).__name__))
            return
        for child in node.iter_child_nodes():
            walk(child)

    walk(tree)
    return out


def line_offset(text: str, lineno: int) -> int:
    """The offset in ``text`` where line ``lineno`` (1-based) starts."""
    return _offset(text, lineno)

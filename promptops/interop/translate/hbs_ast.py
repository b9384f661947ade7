"""The Handlebars syntax tree the parser builds and the translator and renderer walk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Block",
    "Comment",
    "Expr",
    "Literal",
    "Mustache",
    "Node",
    "Partial",
    "Path",
    "Strip",
    "SubExpr",
    "TemplateSyntaxError",
    "Text",
    "used_names",
]


class TemplateSyntaxError(ValueError):
    """The template does not parse; ``offset`` is where, in characters from its start."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Path:
    """``a.b``, ``this``, ``../a``, ``@index``, ``@root.a``: a lookup in the context stack."""

    parts: tuple[str, ...]
    depth: int = 0  # how many '../' lead it
    data: bool = False  # '@' variables (index, key, first, last, root)
    original: str = ""

    @property
    def is_this(self) -> bool:
        return not self.parts and not self.data


@dataclass(frozen=True)
class Literal:
    value: Any
    original: str = ""


@dataclass(frozen=True)
class SubExpr:
    """``(helper a b key=c)``."""

    name: Path
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]


Expr = Path | Literal | SubExpr


@dataclass(frozen=True)
class Strip:
    """Whitespace control of one tag: ``{{~`` strips before it, ``~}}`` after it."""

    open: bool = False
    close: bool = False


@dataclass
class Text:
    value: str
    offset: int
    # Handlebars decides standalone lines on the text as written, and strips each side
    # of a text at most once for standalone tags.
    original: str = ""
    left_stripped: bool = False
    right_stripped: bool = False


@dataclass
class Comment:
    offset: int
    strip: Strip = Strip()


@dataclass
class Mustache:
    """``{{name params key=value}}`` (or ``{{{...}}}``): prints a value or calls a helper."""

    name: Expr
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]
    offset: int
    source: str
    strip: Strip = Strip()


@dataclass
class Block:
    """``{{#name params}}program{{else}}inverse{{/name}}``, or ``{{^name}}`` (``inverted``).

    ``{{else if x}}`` chains: the inverse then holds one Block (``inverse_chained``)."""

    name: Path
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]
    block_params: tuple[str, ...]
    offset: int
    source: str
    program: list[Node] = field(default_factory=list)
    inverse: list[Node] | None = None
    inverse_chained: bool = False
    # '{{^name}}': the program renders when name is falsy (the else part when truthy).
    inverted: bool = False
    open_strip: Strip = Strip()
    inverse_strip: Strip = Strip()
    close_strip: Strip = Strip()


@dataclass
class Partial:
    """``{{> name context key=value}}``; ``indent`` is a standalone partial's indentation."""

    name: str
    context: Expr | None
    hash: tuple[tuple[str, Expr], ...]
    offset: int
    source: str
    strip: Strip = Strip()
    indent: str = ""


Node = Text | Comment | Mustache | Block | Partial


def used_names(
    nodes: list[Node], out: set[str], partials: Mapping[str, list[Node]], seen: set[str]
) -> None:
    """Every first path segment the template (and its partials) uses."""

    def expr(e: Expr) -> None:
        if isinstance(e, Path) and e.parts and not e.data:
            out.add(e.parts[0])
        elif isinstance(e, SubExpr):
            for p in e.params:
                expr(p)
            for _, v in e.hash:
                expr(v)

    for n in nodes:
        if isinstance(n, Mustache):
            expr(n.name)
            for p in n.params:
                expr(p)
            for _, v in n.hash:
                expr(v)
        elif isinstance(n, Block):
            out.update(n.block_params)
            for p in n.params:
                expr(p)
            used_names(n.program, out, partials, seen)
            used_names(n.inverse or [], out, partials, seen)
        elif isinstance(n, Partial):
            if n.context is not None:
                expr(n.context)
            for k, v in n.hash:
                out.add(k)
                expr(v)
            if n.name not in seen and n.name in partials:
                seen.add(n.name)
                used_names(partials[n.name], out, partials, seen)

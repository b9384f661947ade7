"""Parse Handlebars templates (the dialect Dotprompt uses) into :mod:`hbs_ast` trees.

Covers what prompt templates use: mustaches, triple-stash, comments, blocks with
``{{else}}`` / ``{{else if}}`` chains and inverted sections, partials with a context or
hash, sub-expressions, ``@data`` variables, ``../`` paths, ``as |x|`` block params,
``\\{{`` escapes and ``~`` whitespace control. Partial blocks, inline partials and
decorators are refused with a positioned error.
"""

from __future__ import annotations

import re

from promptops.interop.translate.hbs_ast import (
    Block,
    Comment,
    Expr,
    Literal,
    Mustache,
    Node,
    Partial,
    Path,
    SubExpr,
    TemplateSyntaxError,
    Text,
)
from promptops.interop.translate.hbs_tags import Tag, scan_tags
from promptops.interop.translate.hbs_whitespace import control_whitespace

__all__ = ["parse_handlebars"]

# The lexer's LITERAL_LOOKAHEAD and ID rules, as Handlebars' grammar defines them.
_LOOKAHEAD = r"(?=[=~}\s/.)|]|$)"
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
    |(?P<num>-?[0-9]+(?:\.[0-9]+)?)"""
    + _LOOKAHEAD
    + r"""
    |(?P<kw>true|false|undefined|null)"""
    + _LOOKAHEAD
    + r"""
    |(?P<as>as\s+\|)
    |(?P<open>\()|(?P<close>\))|(?P<eq>=)|(?P<pipe>\|)
    |(?P<parent>\.\./)
    |(?P<sep>\.(?!\.)|/)
    |(?P<dot>\.)
    |(?P<data>@)
    |(?P<seg>\[(?:\\.|[^\]\\])*\])
    |(?P<id>[^\s!"#%-,\.\/;->@\[-\^`\{-~]+)
    """,
    re.X,
)
_KEYWORDS = {"true": True, "false": False, "undefined": None, "null": None}


class _Exprs:
    """A token stream over one tag's inside."""

    def __init__(self, inner: str, offset: int) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(inner):
            m = _TOKEN.match(inner, pos)
            if m is None:
                raise TemplateSyntaxError(f"unexpected {inner[pos]!r} in tag", offset + pos)
            kind = m.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, m.group(), offset + pos))
            pos = m.end()
        self.i = 0
        self.end = offset + len(inner)

    def peek(self, k: int = 0) -> tuple[str, str, int]:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else ("eof", "", self.end)

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        self.i += 1
        return tok

    def path(self) -> Path:
        kind, value, at = self.peek()
        depth = 0
        data = False
        original = ""
        if kind == "data":
            self.take()
            data = True
            original = "@"
        while self.peek()[0] == "parent":
            self.take()
            depth += 1
            original += "../"
        parts: list[str] = []
        kind, value, at = self.peek()
        if kind == "dot":
            self.take()
            original += "."
            if self.peek()[0] == "sep":
                self.take()
        elif kind in ("id", "seg"):
            while True:
                kind, value, at = self.take()
                segment = value[1:-1] if kind == "seg" else value
                original += value
                if not (kind == "id" and value == "this" and not parts):
                    parts.append(segment)
                if self.peek()[0] == "sep" and self.peek(1)[0] in ("id", "seg"):
                    original += self.take()[1]
                    continue
                break
        elif not depth:
            raise TemplateSyntaxError(f"expected a name, found {value or 'the end'!r}", at)
        return Path(tuple(parts), depth, data, original)

    def expr(self) -> Expr:
        kind, value, at = self.peek()
        if kind == "str":
            self.take()
            body = value[1:-1]
            return Literal(re.sub(r"\\(.)", r"\1", body), value)
        if kind == "num":
            self.take()
            return Literal(float(value) if "." in value else int(value), value)
        if kind == "kw":
            self.take()
            return Literal(_KEYWORDS[value], value)
        if kind == "open":
            self.take()
            name = self.path()
            params, hash_ = self.arguments(stop="close")
            if self.take()[0] != "close":
                raise TemplateSyntaxError("sub-expression '(' is never closed with ')'", at)
            return SubExpr(name, params, hash_)
        return self.path()

    def arguments(self, stop: str = "eof") -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        params: list[Expr] = []
        hash_: list[tuple[str, Expr]] = []
        while self.peek()[0] not in (stop, "eof", "as"):
            if self.peek()[0] == "id" and self.peek(1)[0] == "eq":
                key = self.take()[1]
                self.take()
                hash_.append((key, self.expr()))
            elif hash_:
                raise TemplateSyntaxError("positional argument after key=value", self.peek()[2])
            else:
                params.append(self.expr())
        return tuple(params), tuple(hash_)

    def block_params(self) -> tuple[str, ...]:
        if self.peek()[0] != "as":
            return ()
        self.take()
        names: list[str] = []
        while self.peek()[0] == "id":
            names.append(self.take()[1])
        if self.take()[0] != "pipe":
            raise TemplateSyntaxError("block parameters 'as |...|' are never closed", self.end)
        return tuple(names)

    def done(self) -> None:
        kind, value, at = self.peek()
        if kind != "eof":
            raise TemplateSyntaxError(f"unexpected {value!r} in tag", at)


def _head(
    tag: Tag,
) -> tuple[Path, tuple[Expr, ...], tuple[tuple[str, Expr], ...], tuple[str, ...]]:
    toks = _Exprs(tag.inner, tag.inner_offset)
    name = toks.path()
    params, hash_ = toks.arguments()
    block_params = toks.block_params()
    toks.done()
    return name, params, hash_, block_params


class _Parser:
    def __init__(self, items: list[Text | Tag]) -> None:
        self.items = items
        self.i = 0

    def program(self, closers: tuple[str, ...]) -> list[Node]:
        body: list[Node] = []
        while self.i < len(self.items):
            item = self.items[self.i]
            if isinstance(item, Text):
                body.append(item)
                self.i += 1
                continue
            if item.kind in closers:
                return body
            self.i += 1
            body.append(self.statement(item))
        return body

    def statement(self, tag: Tag) -> Node:
        if tag.kind == "comment":
            return Comment(tag.offset, tag.strip)
        if tag.kind == "mustache":
            toks = _Exprs(tag.inner, tag.inner_offset)
            name = toks.expr()
            params, hash_ = toks.arguments()
            toks.done()
            return Mustache(name, params, hash_, tag.offset, tag.source, tag.strip)
        if tag.kind == "partial":
            toks = _Exprs(tag.inner, tag.inner_offset)
            kind, value, at = toks.peek()
            if kind == "str":
                toks.take()
                partial = value[1:-1]
            elif kind in ("id", "seg"):
                partial = toks.path().original
            else:
                raise TemplateSyntaxError("expected a partial name after '{{>'", at)
            params, hash_ = toks.arguments()
            toks.done()
            if len(params) > 1:
                raise TemplateSyntaxError("a partial takes at most one context", tag.offset)
            return Partial(
                partial, params[0] if params else None, hash_, tag.offset, tag.source, tag.strip
            )
        if tag.kind in ("open", "inverse_open"):
            return self.block(tag)
        what = "{{/...}}" if tag.kind == "close" else "{{else}}"
        raise TemplateSyntaxError(f"{what} without an open block", tag.offset)

    def block(self, tag: Tag) -> Block:
        name, params, hash_, block_params = _head(tag)
        node = Block(
            name, params, hash_, block_params, tag.offset, tag.source, open_strip=tag.strip
        )
        node.program = self.program(("else", "close"))
        if self.i < len(self.items):
            nxt = self.items[self.i]
            assert isinstance(nxt, Tag)
            if nxt.kind == "else":
                self.i += 1
                node.inverse_strip = nxt.strip
                if nxt.inner.strip():
                    # '{{else if x}}': a chained block that shares our closing tag.
                    chained = Tag(
                        "open",
                        nxt.inner,
                        nxt.strip,
                        nxt.offset,
                        nxt.inner_offset + len(nxt.inner) - len(nxt.inner.lstrip()),
                        nxt.source,
                    )
                    inner = self.block(chained)
                    node.inverse = [inner]
                    node.inverse_chained = True
                    node.close_strip = inner.close_strip
                    node.inverted = tag.kind == "inverse_open"
                    return node
                node.inverse = self.program(("else", "close"))
                bad = self.items[self.i] if self.i < len(self.items) else None
                if isinstance(bad, Tag) and bad.kind == "else":
                    raise TemplateSyntaxError("a second {{else}} in one block", bad.offset)
        if self.i >= len(self.items):
            raise TemplateSyntaxError(
                f"block '{{{{#{name.original}}}}}' is never closed with '{{{{/{name.original}}}}}'",
                tag.offset,
            )
        close = self.items[self.i]
        assert isinstance(close, Tag) and close.kind == "close"
        self.i += 1
        closing = close.inner.strip()
        if closing != name.original:
            raise TemplateSyntaxError(
                f"'{{{{/{closing}}}}}' closes '{{{{#{name.original}}}}}'", close.offset
            )
        node.close_strip = close.strip
        node.inverted = tag.kind == "inverse_open"
        return node


def parse_handlebars(text: str) -> list[Node]:
    """Parse ``text`` and apply Handlebars' whitespace control (``~`` and standalone lines).

    Raises:
        TemplateSyntaxError: with the offset of the offending tag.
    """
    parser = _Parser(scan_tags(text))
    body = parser.program(())
    if parser.i < len(parser.items):
        stray = parser.items[parser.i]
        assert isinstance(stray, Tag)
        what = "{{/...}}" if stray.kind == "close" else "{{else}}"
        raise TemplateSyntaxError(f"{what} without an open block", stray.offset)
    control_whitespace(body)
    return body

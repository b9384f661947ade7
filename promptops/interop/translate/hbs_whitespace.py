"""Handlebars' whitespace control: ``~`` strips and standalone lines.

A block tag, ``{{else}}``, comment or partial alone on its line takes the line with it
(its indentation and its line break): Handlebars renders ``{{#if x}}\\n`` on a line of its
own as nothing. This pass mutates the parsed tree's texts exactly as Handlebars' own
``WhitespaceControl`` visitor does, so the tree then renders (and translates) literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptops.interop.translate.hbs_ast import Block, Comment, Mustache, Node, Partial, Text

__all__ = ["control_whitespace"]

_PREV_ROOT_FIRST = re.compile(r"(^|\r?\n)\s*?$")
_PREV = re.compile(r"\r?\n\s*?$")
_NEXT_ROOT_LAST = re.compile(r"^\s*?(\r?\n|$)")
_NEXT = re.compile(r"^\s*?\r?\n")
_INDENT = re.compile(r"([ \t]+$)")


@dataclass
class _Strip:
    open: bool = False
    close: bool = False
    open_standalone: bool = False
    close_standalone: bool = False
    inline_standalone: bool = False


def _prev_ws(body: list[Node], i: int | None, is_root: bool) -> bool:
    i = len(body) if i is None else i
    prev = body[i - 1] if i - 1 >= 0 else None
    sibling = body[i - 2] if i - 2 >= 0 else None
    if prev is None:
        return is_root
    if isinstance(prev, Text):
        rx = _PREV if (sibling is not None or not is_root) else _PREV_ROOT_FIRST
        return rx.search(prev.original) is not None
    return False


def _next_ws(body: list[Node], i: int | None, is_root: bool) -> bool:
    i = -1 if i is None else i
    nxt = body[i + 1] if i + 1 < len(body) else None
    sibling = body[i + 2] if i + 2 < len(body) else None
    if nxt is None:
        return is_root
    if isinstance(nxt, Text):
        rx = _NEXT if (sibling is not None or not is_root) else _NEXT_ROOT_LAST
        return rx.search(nxt.original) is not None
    return False


def _omit_right(body: list[Node] | None, i: int | None, multiple: bool = False) -> None:
    if not body:
        return
    j = 0 if i is None else i + 1
    if j >= len(body):
        return
    current = body[j]
    if not isinstance(current, Text) or (not multiple and current.right_stripped):
        return
    before = current.value
    current.value = re.sub(r"^\s+" if multiple else r"^[ \t]*\r?\n?", "", current.value, count=1)
    current.right_stripped = current.value != before


def _omit_left(body: list[Node] | None, i: int | None, multiple: bool = False) -> bool:
    if not body:
        return False
    j = len(body) - 1 if i is None else i - 1
    if j < 0:
        return False
    current = body[j]
    if not isinstance(current, Text) or (not multiple and current.left_stripped):
        return False
    before = current.value
    current.value = re.sub(r"\s+$" if multiple else r"[ \t]+$", "", current.value, count=1)
    current.left_stripped = current.value != before
    return current.left_stripped


def _block(block: Block) -> _Strip:
    _program(block.program, is_root=False)
    if block.inverse is not None:
        _program(block.inverse, is_root=False)
    program = block.program
    inverse = block.inverse
    first_inverse = inverse
    last_inverse = inverse
    if inverse is not None and block.inverse_chained:
        chained = inverse[0]
        assert isinstance(chained, Block)
        first_inverse = chained.program
        node: Block = chained
        last_inverse = node.inverse if node.inverse is not None else node.program
        while node.inverse_chained and node.inverse:
            nxt = node.inverse[0]
            assert isinstance(nxt, Block)
            node = nxt
            last_inverse = node.inverse if node.inverse is not None else node.program
    strip = _Strip(
        open=block.open_strip.open,
        close=block.close_strip.close,
        open_standalone=_next_ws(program, None, False),
        close_standalone=_prev_ws(
            first_inverse if first_inverse is not None else program, None, False
        ),
    )
    if block.open_strip.close:
        _omit_right(program, None, True)
    if inverse is not None:
        assert first_inverse is not None
        if block.inverse_strip.open:
            _omit_left(program, None, True)
        if block.inverse_strip.close:
            _omit_right(first_inverse, None, True)
        if block.close_strip.open:
            _omit_left(last_inverse, None, True)
        if _prev_ws(program, None, False) and _next_ws(first_inverse, None, False):
            _omit_left(program, None)
            _omit_right(first_inverse, None)
    elif block.close_strip.open:
        _omit_left(program, None, True)
    return strip


def _accept(node: Node) -> _Strip | None:
    if isinstance(node, Block):
        return _block(node)
    if isinstance(node, Mustache):
        return _Strip(open=node.strip.open, close=node.strip.close)
    if isinstance(node, Partial | Comment):
        return _Strip(open=node.strip.open, close=node.strip.close, inline_standalone=True)
    return None


def _program(body: list[Node], is_root: bool) -> None:
    for i, current in enumerate(body):
        strip = _accept(current)
        if strip is None:
            continue
        prev_ws = _prev_ws(body, i, is_root)
        next_ws = _next_ws(body, i, is_root)
        open_standalone = strip.open_standalone and prev_ws
        close_standalone = strip.close_standalone and next_ws
        inline_standalone = strip.inline_standalone and prev_ws and next_ws
        if strip.close:
            _omit_right(body, i, True)
        if strip.open:
            _omit_left(body, i, True)
        if inline_standalone:
            _omit_right(body, i)
            if _omit_left(body, i) and isinstance(current, Partial):
                prev = body[i - 1]
                assert isinstance(prev, Text)
                found = _INDENT.search(prev.original)
                current.indent = found.group(1) if found else ""
        if open_standalone and isinstance(current, Block):
            _omit_right(current.program if current.program is not None else current.inverse, None)
            _omit_left(body, i)
        if close_standalone and isinstance(current, Block):
            _omit_right(body, i)
            _omit_left(current.inverse if current.inverse is not None else current.program, None)


def control_whitespace(body: list[Node]) -> None:
    """Apply ``~`` and standalone-line stripping to the parsed root ``body`` in place."""
    _program(body, is_root=True)

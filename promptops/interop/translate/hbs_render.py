"""Render a parsed Handlebars tree the way Dotprompt's Handlebars does.

This is the reference the importer checks its Jinja translation against: Handlebars 4
semantics (context stack, ``@data`` variables, own-property lookup, JavaScript truthiness
and printing) with ``noEscape`` and ``knownHelpersOnly`` as Dotprompt compiles, the
built-in helpers and Dotprompt's own (``role``, ``history``, ``section``, ``media``,
``json``, ``ifEquals``, ``unlessEquals``). Tests compare it with handlebars.js itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from promptops.interop.translate.hbs_ast import (
    Block,
    Comment,
    Expr,
    Literal,
    Mustache,
    Node,
    Partial,
    Path,
    TemplateSyntaxError,
    Text,
)
from promptops.interop.translate.jsvalues import UNDEFINED, js_string, js_truthy

__all__ = ["BLOCK_HELPERS", "DOTPROMPT_HELPERS", "HandlebarsError", "render_handlebars"]

BLOCK_HELPERS = frozenset({"if", "unless", "each", "with", "ifEquals", "unlessEquals"})
DOTPROMPT_HELPERS = frozenset({"role", "history", "section", "media", "json", "lookup", "log"})
_MAX_PARTIAL_DEPTH = 32


class HandlebarsError(ValueError):
    """Rendering failed the way Handlebars would fail (a missing partial, a bad helper)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class _Frame:
    context: Any
    data: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    # Contexts pushed by blocks that changed the context; '../' walks these.
    depths: tuple[Any, ...] = ()


def _own(value: Any, name: str) -> Any:
    """Handlebars' lookupProperty: own properties only (arrays and strings have length)."""
    if isinstance(value, Mapping):
        return value.get(name, UNDEFINED)
    if isinstance(value, list | str):
        if name == "length":
            return len(value)
        if name.isdigit() and int(name) < len(value):
            return value[int(name)]
    return UNDEFINED


def _empty(value: Any) -> bool:
    """Handlebars' Utils.isEmpty: falsy but 0, or an empty array."""
    if isinstance(value, list):
        return not value
    return bool(value is None or value is UNDEFINED or value is False or value == "")


class _Renderer:
    def __init__(self, partials: Mapping[str, list[Node]], root: Any) -> None:
        self.partials = partials
        self.root = root
        self.depth = 0

    def path(self, p: Path, frame: _Frame) -> Any:
        if p.data:
            if p.parts and p.parts[0] == "root":
                value: Any = self.root
                rest = p.parts[1:]
            else:
                value = frame.data.get(p.parts[0], UNDEFINED) if p.parts else UNDEFINED
                rest = p.parts[1:]
        elif p.depth:
            stack = (frame.context, *frame.depths)
            value = stack[p.depth] if p.depth < len(stack) else UNDEFINED
            rest = p.parts
        elif p.parts and p.parts[0] in frame.params and not p.original.startswith("this"):
            value = frame.params[p.parts[0]]
            rest = p.parts[1:]
        else:
            value = frame.context
            rest = p.parts
        for part in rest:
            if value is UNDEFINED or value is None:
                return UNDEFINED
            value = _own(value, part)
        return value

    def expr(self, e: Expr, frame: _Frame) -> Any:
        if isinstance(e, Literal):
            return UNDEFINED if e.original == "undefined" else e.value
        if isinstance(e, Path):
            return self.path(e, frame)
        return self.call(e.name, e.params, e.hash, frame, offset=0)

    def call(
        self,
        name: Path,
        params: tuple[Expr, ...],
        hash_: tuple[tuple[str, Expr], ...],
        frame: _Frame,
        offset: int,
    ) -> Any:
        helper = name.parts[0] if len(name.parts) == 1 and not name.data else ""
        args = [self.expr(p, frame) for p in params]
        kw = {k: self.expr(v, frame) for k, v in hash_}
        if helper == "role":
            return f"<<<dotprompt:role:{js_string(args[0] if args else UNDEFINED)}>>>"
        if helper == "history":
            return "<<<dotprompt:history>>>"
        if helper == "section":
            return f"<<<dotprompt:section {js_string(args[0] if args else UNDEFINED)}>>>"
        if helper == "media":
            ctype = kw.get("contentType")
            tail = f" {js_string(ctype)}" if js_truthy(ctype) else ""
            return f"<<<dotprompt:media:url {js_string(kw.get('url', UNDEFINED))}{tail}>>>"
        if helper == "json":
            indent = kw.get("indent") or 0
            return _json(args[0] if args else UNDEFINED, indent)
        if helper == "lookup":
            obj = args[0] if args else UNDEFINED
            return (
                _own(obj, js_string(args[1]))
                if len(args) > 1 and obj not in (None, UNDEFINED)
                else UNDEFINED
            )
        if helper == "log":
            return ""
        raise HandlebarsError(f"unknown helper '{name.original}'", offset)

    def nodes(self, body: list[Node], frame: _Frame) -> str:
        return "".join(self.node(n, frame) for n in body)

    def node(self, n: Node, frame: _Frame) -> str:
        if isinstance(n, Text):
            return n.value
        if isinstance(n, Comment):
            return ""
        if isinstance(n, Mustache):
            name = n.name
            is_helper = (
                isinstance(name, Path)
                and len(name.parts) == 1
                and not name.data
                and not name.depth
                and name.parts[0] in DOTPROMPT_HELPERS
                and name.parts[0] not in frame.params
            )
            if is_helper or n.params or n.hash:
                if not isinstance(name, Path):
                    raise HandlebarsError("a literal cannot be called as a helper", n.offset)
                return js_string(self.call(name, n.params, n.hash, frame, n.offset))
            return js_string(self.expr(name, frame))
        if isinstance(n, Partial):
            return self.partial(n, frame)
        return self.block(n, frame)

    def partial(self, n: Partial, frame: _Frame) -> str:
        body = self.partials.get(n.name)
        if body is None:
            raise HandlebarsError(f"The partial {n.name} could not be found", n.offset)
        if self.depth >= _MAX_PARTIAL_DEPTH:
            raise HandlebarsError(f"partial '{n.name}' includes itself", n.offset)
        context = frame.context if n.context is None else self.expr(n.context, frame)
        if n.hash:
            base = dict(context) if isinstance(context, Mapping) else {}
            context = {**base, **{k: self.expr(v, frame) for k, v in n.hash}}
        inner = _Frame(context, frame.data, {}, self._push(frame, context))
        self.depth += 1
        try:
            out = self.nodes(body, inner)
        finally:
            self.depth -= 1
        if n.indent:
            lines = out.split("\n")
            out = "\n".join(
                n.indent + ln if ln or i < len(lines) - 1 else ln for i, ln in enumerate(lines)
            )
        return out

    def _push(self, frame: _Frame, context: Any) -> tuple[Any, ...]:
        if context is frame.context:
            return frame.depths
        return (frame.context, *frame.depths)

    def block(self, n: Block, frame: _Frame) -> str:
        helper = n.name.parts[0] if len(n.name.parts) == 1 and not n.name.data else ""
        args = [self.expr(p, frame) for p in n.params]
        program, inverse = n.program, n.inverse or []
        if n.inverted:
            program, inverse = inverse, program

        def fn(
            context: Any, data: dict[str, Any] | None = None, params: tuple[Any, ...] = ()
        ) -> str:
            names = dict(zip(n.block_params, params, strict=False))
            inner = _Frame(
                context,
                data if data is not None else frame.data,
                {**frame.params, **names},
                self._push(frame, context),
            )
            return self.nodes(program, inner)

        def inv() -> str:
            return self.nodes(inverse, frame)

        if helper in ("if", "unless"):
            if len(args) != 1:
                raise HandlebarsError(f"#{helper} requires exactly one argument", n.offset)
            include_zero = any(k == "includeZero" and self.expr(v, frame) for k, v in n.hash)
            value = args[0]
            falsy = (not include_zero and not js_truthy(value)) or _empty(value)
            return fn(frame.context) if falsy == (helper == "unless") else inv()
        if helper in ("ifEquals", "unlessEquals"):
            same = len(args) >= 2 and _strict_equal(args[0], args[1])
            return fn(frame.context) if same == (helper == "ifEquals") else inv()
        if helper == "with":
            if len(args) != 1:
                raise HandlebarsError("#with requires exactly one argument", n.offset)
            return inv() if _empty(args[0]) else fn(args[0], None, (args[0],))
        if helper == "each":
            if len(args) != 1:
                raise HandlebarsError("Must pass iterator to #each", n.offset)
            return self.each(args[0], fn, inv, frame)
        raise HandlebarsError(
            f"'{{{{#{n.name.original}}}}}' is not a helper Dotprompt knows", n.offset
        )

    def each(
        self, value: Any, fn: Callable[..., str], inv: Callable[[], str], frame: _Frame
    ) -> str:
        out: list[str] = []
        if isinstance(value, list):
            items: list[tuple[Any, Any]] = list(enumerate(value))
        elif isinstance(value, Mapping):
            items = list(value.items())
        else:
            items = []
        for i, (key, item) in enumerate(items):
            data = {
                **frame.data,
                "key": key,
                "index": i,
                "first": i == 0,
                "last": i == len(items) - 1,
            }
            out.append(fn(item, data, (item, key)))
        return "".join(out) if items else inv()


def _strict_equal(a: Any, b: Any) -> bool:
    # JavaScript ===: no coercion between types; numbers compare by value.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(a == b)
    if type(a) is not type(b):
        return a is UNDEFINED and b is UNDEFINED
    if isinstance(a, str):
        return bool(a == b)
    return a is b


def _json(value: Any, indent: Any) -> str:
    if value is UNDEFINED:
        return ""
    spaces = int(indent) if isinstance(indent, int | float) and not isinstance(indent, bool) else 0
    return json.dumps(
        value,
        ensure_ascii=False,
        indent=spaces or None,
        separators=(",", ":") if not spaces else (",", ": "),
    )


def render_handlebars(
    body: list[Node],
    data: Any,
    partials: Mapping[str, list[Node]] | None = None,
) -> str:
    """Render a parsed template on ``data`` as Dotprompt would.

    Raises:
        HandlebarsError: where Handlebars itself would throw (missing partial, unknown
            helper, a helper called with the wrong arguments).
    """
    renderer = _Renderer(partials or {}, data)
    return renderer.nodes(body, _Frame(data, {"root": data}))


# Re-exported for callers that catch both parse and render failures.
TemplateSyntaxError = TemplateSyntaxError

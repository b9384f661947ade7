"""Render a Nunjucks template (parsed by :mod:`njk_parse`) with Nunjucks' semantics.

The reference the importer checks the Jinja translation against: JavaScript values
(``true`` prints as ``true``, ``null`` and undefined as nothing, ``[]`` is truthy, ``+``
concatenates strings, ``==`` is loose), member lookups that yield undefined instead of
failing, ``for k, v in obj`` over objects, and the filters prompt templates use with their
Nunjucks definitions. Tests compare it with nunjucks itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from jinja2 import nodes

from promptops.interop.translate.jsvalues import UNDEFINED, js_string, js_truthy
from promptops.interop.translate.njk_filters import (
    FILTERS,
    clean_number,
    loose_eq,
    member,
    to_number,
)

__all__ = ["NunjucksError", "render_nunjucks"]


class NunjucksError(ValueError):
    """The template uses something this renderer cannot evaluate; ``lineno`` says where."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno


class _Renderer:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.scopes: list[dict[str, Any]] = [dict(data)]

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return UNDEFINED

    def expr(self, n: nodes.Node) -> Any:
        method = getattr(self, "e_" + type(n).__name__, None)
        if method is None:
            raise NunjucksError(f"{type(n).__name__} is not supported", n.lineno)
        return method(n)

    def e_Name(self, n: nodes.Name) -> Any:
        if n.name in ("true", "True"):
            return True
        if n.name in ("false", "False"):
            return False
        if n.name in ("none", "None", "null"):
            return None
        return self.lookup(n.name)

    def e_Const(self, n: nodes.Const) -> Any:
        return n.value

    def e_Getattr(self, n: nodes.Getattr) -> Any:
        return member(self.expr(n.node), n.attr)

    def e_Getitem(self, n: nodes.Getitem) -> Any:
        return member(self.expr(n.node), self.expr(n.arg))

    def e_List(self, n: nodes.List) -> Any:
        return [self.expr(x) for x in n.items]

    e_Tuple = e_List

    def e_Dict(self, n: nodes.Dict) -> Any:
        return {js_string(self.expr(p.key)): self.expr(p.value) for p in n.items}

    def e_Filter(self, n: nodes.Filter) -> Any:
        fn = FILTERS.get(n.name)
        if fn is None:
            raise NunjucksError(f"filter '{n.name}' is not one Nunjucks has built in", n.lineno)
        value = self.expr(n.node) if n.node is not None else UNDEFINED
        args = [self.expr(a) for a in n.args]
        kwargs = {str(k.key): self.expr(k.value) for k in n.kwargs}
        return fn(value, *args, **kwargs)

    def e_Test(self, n: nodes.Test) -> Any:
        value = self.expr(n.node)
        args = [self.expr(a) for a in n.args]
        tests: dict[str, Any] = {
            "defined": lambda: value is not UNDEFINED,
            "undefined": lambda: value is UNDEFINED,
            "none": lambda: value is None,
            "null": lambda: value is None,
            "number": lambda: isinstance(value, int | float) and not isinstance(value, bool),
            "string": lambda: isinstance(value, str),
            "odd": lambda: to_number(value) % 2 == 1,
            "even": lambda: to_number(value) % 2 == 0,
            "truthy": lambda: js_truthy(value),
            "falsy": lambda: not js_truthy(value),
            "eq": lambda: value == args[0],
            "equalto": lambda: value == args[0],
            "sameas": lambda: value is args[0],
            "divisibleby": lambda: to_number(value) % to_number(args[0]) == 0,
        }
        if n.name not in tests:
            raise NunjucksError(f"test '{n.name}' is not supported", n.lineno)
        return tests[n.name]()

    def e_Compare(self, n: nodes.Compare) -> Any:
        left = self.expr(n.expr)
        for op in n.ops:
            right = self.expr(op.expr)
            if not self.compare(op.op, left, right):
                return False
            left = right
        return True

    def compare(self, op: str, a: Any, b: Any) -> bool:
        if op == "eq":
            return loose_eq(a, b)
        if op == "ne":
            return not loose_eq(a, b)
        if op in ("in", "notin"):
            if isinstance(b, list):
                found = any(x == a and type(x) is type(a) for x in b)
            elif isinstance(b, str | Mapping):
                found = js_string(a) in b
            else:
                found = False
            return found if op == "in" else not found
        if isinstance(a, str) and isinstance(b, str):
            x: Any = a
            y: Any = b
        else:
            x, y = to_number(a), to_number(b)
        return bool({"lt": x < y, "lteq": x <= y, "gt": x > y, "gteq": x >= y}[op])

    def e_And(self, n: nodes.And) -> Any:
        left = self.expr(n.left)
        return self.expr(n.right) if js_truthy(left) else left

    def e_Or(self, n: nodes.Or) -> Any:
        left = self.expr(n.left)
        return left if js_truthy(left) else self.expr(n.right)

    def e_Not(self, n: nodes.Not) -> Any:
        return not js_truthy(self.expr(n.node))

    def e_CondExpr(self, n: nodes.CondExpr) -> Any:
        if js_truthy(self.expr(n.test)):
            return self.expr(n.expr1)
        return self.expr(n.expr2) if n.expr2 is not None else UNDEFINED

    def e_Concat(self, n: nodes.Concat) -> Any:
        return "".join(js_string(self.expr(x)) for x in n.nodes)

    def e_Add(self, n: nodes.Add) -> Any:
        a, b = self.expr(n.left), self.expr(n.right)
        if isinstance(a, str) or isinstance(b, str) or isinstance(a, list | dict):
            return js_string(a) + js_string(b)
        return clean_number(to_number(a) + to_number(b))

    def _arith(self, n: nodes.BinExpr, op: Any) -> Any:
        try:
            return clean_number(op(to_number(self.expr(n.left)), to_number(self.expr(n.right))))
        except ZeroDivisionError:
            return math.nan

    def e_Sub(self, n: nodes.Sub) -> Any:
        return self._arith(n, lambda a, b: a - b)

    def e_Mul(self, n: nodes.Mul) -> Any:
        return self._arith(n, lambda a, b: a * b)

    def e_Div(self, n: nodes.Div) -> Any:
        return self._arith(n, lambda a, b: a / b if b else (math.inf if a > 0 else -math.inf))

    def e_FloorDiv(self, n: nodes.FloorDiv) -> Any:
        return self._arith(n, lambda a, b: math.floor(a / b))

    def e_Mod(self, n: nodes.Mod) -> Any:
        return self._arith(n, lambda a, b: math.fmod(a, b))

    def e_Neg(self, n: nodes.Neg) -> Any:
        return clean_number(-to_number(self.expr(n.node)))

    def e_Pos(self, n: nodes.Pos) -> Any:
        return clean_number(to_number(self.expr(n.node)))

    # -- statements ---------------------------------------------------------------

    def body(self, body: list[nodes.Node]) -> str:
        return "".join(self.stmt(s) for s in body)

    def stmt(self, n: nodes.Node) -> str:
        if isinstance(n, nodes.Output):
            out = []
            for x in n.nodes:
                out.append(x.data if isinstance(x, nodes.TemplateData) else js_string(self.expr(x)))
            return "".join(out)
        if isinstance(n, nodes.If):
            if js_truthy(self.expr(n.test)):
                return self.body(n.body)
            for branch in n.elif_:
                if js_truthy(self.expr(branch.test)):
                    return self.body(branch.body)
            return self.body(n.else_)
        if isinstance(n, nodes.For):
            return self.loop(n)
        if isinstance(n, nodes.Assign) and isinstance(n.target, nodes.Name):
            self.scopes[-1][n.target.name] = self.expr(n.node)
            return ""
        raise NunjucksError(f"{type(n).__name__} is not supported", n.lineno)

    def loop(self, n: nodes.For) -> str:
        seq = self.expr(n.iter)
        names = (
            [t.name for t in n.target.items if isinstance(t, nodes.Name)]
            if isinstance(n.target, nodes.Tuple)
            else [n.target.name]
            if isinstance(n.target, nodes.Name)
            else []
        )
        if isinstance(seq, Mapping):
            rows: list[list[Any]] = [[k, v] for k, v in seq.items()] if len(names) == 2 else []
        elif isinstance(seq, list):
            rows = [list(x) if len(names) > 1 and isinstance(x, list) else [x] for x in seq]
        else:
            rows = []
        if n.test is not None:
            raise NunjucksError("loop filters ('for x in y if z') are not Nunjucks", n.lineno)
        out: list[str] = []
        total = len(rows)
        for i, row in enumerate(rows):
            scope = {name: row[j] if j < len(row) else UNDEFINED for j, name in enumerate(names)}
            scope["loop"] = {"index": i + 1, "index0": i, "revindex": total - i,
                             "revindex0": total - i - 1, "first": i == 0,
                             "last": i == total - 1, "length": total}  # fmt: skip
            self.scopes.append(scope)
            try:
                out.append(self.body(n.body))
            finally:
                self.scopes.pop()
        return "".join(out) if rows else self.body(n.else_)


def render_nunjucks(tree: nodes.Template, data: Mapping[str, Any]) -> str:
    """Render ``tree`` on ``data`` as Nunjucks (autoescape off, as promptfoo runs it).

    Raises:
        NunjucksError: for a construct or filter outside the supported subset.
    """
    return _Renderer(data).body(tree.body)

"""Write a Nunjucks template (parsed by :mod:`njk_parse`) as promptops Jinja.

The syntax carries over; the semantics are made to match where Nunjucks and Jinja differ
for the values prompts hold: booleans print as ``true``, lists and objects are truthy,
``a if b`` without ``else`` prints nothing, ``+`` on text concatenates, ``for k, v in obj``
walks an object's items, ``dump`` is ``tojson``. Filters Jinja has with other semantics,
and custom filters it lacks, are positioned problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import nodes

from promptops.interop.translate.jinja_text import (
    is_jinja_name,
    jinja_literal,
    jinja_string,
    output_for,
    schema_types,
)
from promptops.interop.translate.njk_jinja_filters import jinja_filter
from promptops.interop.translate.njk_parse import line_offset, unsupported
from promptops.interop.translate.problems import Problem, Segment, Translation, Usage

__all__ = ["translate_nunjucks"]

_OPS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "lteq": "<=",
    "gt": ">",
    "gteq": ">=",
    "in": "in",
    "notin": "not in",
}


class _Gen:
    def __init__(self, inputs: Mapping[str, dict[str, Any]], text: str) -> None:
        self.inputs = inputs
        self.text = text
        self.problems: list[Problem] = []
        self.usage: dict[str, Usage] = {}
        # Local names (loop variables, 'set' targets) -> the schema known for them.
        self.locals: list[dict[str, dict[str, Any] | None]] = [{}]

    def warn(self, n: nodes.Node, code: str, message: str, level: str = "warning") -> None:
        offset = line_offset(self.text, getattr(n, "lineno", 1) or 1)
        self.problems.append(
            Problem(offset, "error" if level == "error" else "warning", code, message)
        )

    def local(self, name: str) -> tuple[bool, dict[str, Any] | None]:
        for scope in reversed(self.locals):
            if name in scope:
                return True, scope[name]
        return False, None

    # -- expressions: (source, schema) ----------------------------------------------

    def path(self, n: nodes.Node) -> tuple[str, ...] | None:
        if isinstance(n, nodes.Name):
            return (n.name,)
        if isinstance(n, nodes.Getattr):
            base = self.path(n.node)
            return None if base is None else (*base, n.attr)
        if isinstance(n, nodes.Getitem) and isinstance(n.arg, nodes.Const):
            base = self.path(n.node)
            return None if base is None else (*base, str(n.arg.value))
        return None

    def record(self, n: nodes.Node, kind: str) -> None:
        path = self.path(n)
        if path is None or self.local(path[0])[0] or path[0] in ("loop", "null"):
            return
        self.usage.setdefault(path[0], Usage()).note(path, kind)

    def schema(self, n: nodes.Node) -> dict[str, Any] | None:
        path = self.path(n)
        if path is None:
            return None
        found, schema = self.local(path[0])
        if not found:
            schema = self.inputs.get(path[0])
        for part in path[1:]:
            props = schema.get("properties") if isinstance(schema, dict) else None
            schema = props.get(part) if isinstance(props, dict) else None
        return schema if isinstance(schema, dict) else None

    def e(self, n: nodes.Node, kind: str = "print") -> str:
        self.record(n, kind)
        if isinstance(n, nodes.Name):
            return "none" if n.name == "null" else n.name
        if isinstance(n, nodes.Const):
            v = n.value
            if isinstance(v, bool):
                return "true" if v else "false"
            if v is None:
                return "none"
            if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
                return str(int(v))  # JavaScript has one number type: 2.0 is 2
            return jinja_string(v) if isinstance(v, str) else repr(v)
        if isinstance(n, nodes.Getattr):
            base = self.e(n.node, "attr")
            return (
                f"{base}.{n.attr}" if is_jinja_name(n.attr) else f"{base}[{jinja_string(n.attr)}]"
            )
        if isinstance(n, nodes.Getitem):
            return f"{self.e(n.node, 'attr')}[{self.e(n.arg)}]"
        if isinstance(n, nodes.Filter):
            return self.filter(n)
        if isinstance(n, nodes.Test):
            args = ", ".join(self.e(a) for a in n.args)
            return f"({self.e(n.node, 'test')} is {n.name}{f'({args})' if args else ''})"
        if isinstance(n, nodes.Compare):
            out = self.e(n.expr, "test")
            for operand in n.ops:
                out += f" {_OPS[operand.op]} {self.e(operand.expr, 'test')}"
            return f"({out})"
        if isinstance(n, nodes.And | nodes.Or):
            word = "and" if isinstance(n, nodes.And) else "or"
            return f"({self.cond(n.left)} {word} {self.cond(n.right)})"
        if isinstance(n, nodes.Not):
            return f"(not {self.cond(n.node)})"
        if isinstance(n, nodes.CondExpr):
            other = self.e(n.expr2) if n.expr2 is not None else '""'
            return f"({self.e(n.expr1)} if {self.cond(n.test)} else {other})"
        if isinstance(n, nodes.Concat):
            return "(" + " ~ ".join(self.e(x) for x in n.nodes) + ")"
        if isinstance(n, nodes.Add):
            text = any(self.is_text(x) for x in (n.left, n.right))
            return f"({self.e(n.left)} {'~' if text else '+'} {self.e(n.right)})"
        if isinstance(n, nodes.BinExpr):
            return f"({self.e(n.left)} {n.operator} {self.e(n.right)})"
        if isinstance(n, nodes.Neg):
            return f"(-{self.e(n.node)})"
        if isinstance(n, nodes.Pos):
            return f"(+{self.e(n.node)})"
        if isinstance(n, nodes.List | nodes.Tuple):
            return "[" + ", ".join(self.e(x) for x in n.items) + "]"
        if isinstance(n, nodes.Dict):
            pairs = ", ".join(f"{self.e(p.key)}: {self.e(p.value)}" for p in n.items)
            return "{" + pairs + "}"
        self.warn(n, "template-construct", f"{type(n).__name__} has no promptops translation")
        return '""'

    def value_schema(self, n: nodes.Node) -> dict[str, Any] | None:
        """What is known of an expression's value: enough to print it as Nunjucks does."""
        if isinstance(n, nodes.Const):
            kind = {bool: "boolean", str: "string", int: "integer", float: "number"}
            name = kind.get(type(n.value))
            return {"type": name} if name else None
        if isinstance(n, nodes.Test | nodes.Compare | nodes.Not):
            return {"type": "boolean"}
        if isinstance(n, nodes.Getattr) and self.path(n) in (("loop", "first"), ("loop", "last")):
            return {"type": "boolean"}
        if isinstance(n, nodes.Name | nodes.Getattr | nodes.Getitem):
            return self.schema(n)
        return None

    def is_text(self, n: nodes.Node) -> bool:
        if isinstance(n, nodes.Const):
            return isinstance(n.value, str)
        return "string" in schema_types(self.schema(n))

    def cond(self, n: nodes.Node) -> str:
        """A condition with JavaScript truthiness: lists and objects are true when empty."""
        if isinstance(n, nodes.Name | nodes.Getattr | nodes.Getitem) and schema_types(
            self.schema(n)
        ) & {"array", "object"}:
            return f"({self.e(n, 'test')} is not none)"
        return self.e(n, "test")

    def filter(self, n: nodes.Filter) -> str:
        value = self.e(n.node) if n.node is not None else '""'
        args = [self.e(a) for a in n.args] + [f"{k.key}={self.e(k.value)}" for k in n.kwargs]
        return jinja_filter(n.name, value, args, lambda code, msg: self.warn(n, code, msg))

    # -- statements -----------------------------------------------------------------

    def body(self, body: list[nodes.Node]) -> str:
        return "".join(self.stmt(s) for s in body)

    def stmt(self, n: nodes.Node) -> str:
        if isinstance(n, nodes.Output):
            return "".join(self.output(x) for x in n.nodes)
        if isinstance(n, nodes.If):
            out = "{% if " + self.cond(n.test) + " %}" + self.body(n.body)
            for branch in n.elif_:
                out += "{% elif " + self.cond(branch.test) + " %}" + self.body(branch.body)
            if n.else_:
                out += "{% else %}" + self.body(n.else_)
            return out + "{% endif %}"
        if isinstance(n, nodes.For):
            return self.loop(n)
        if isinstance(n, nodes.Assign) and isinstance(n.target, nodes.Name):
            self.locals[-1][n.target.name] = None
            return "{% set " + n.target.name + " = " + self.e(n.node) + " %}"
        self.warn(
            n, "template-construct", f"{type(n).__name__} has no promptops translation", "error"
        )
        return ""

    def output(self, n: nodes.Node) -> str:
        if isinstance(n, nodes.TemplateData):
            return jinja_literal(n.data)
        tag, differs = output_for(self.e(n, "print"), self.value_schema(n))
        if differs:
            self.warn(
                n,
                "value-format",
                "a list or object is printed: Nunjucks writes '1,2' or "
                "'[object Object]', promptops writes Python's form; print its items",
            )
        return tag

    def loop(self, n: nodes.For) -> str:
        schema = self.schema(n.iter)
        iterable = self.e(n.iter, "iterate")
        items = schema.get("items") if isinstance(schema, dict) else None
        scope: dict[str, dict[str, Any] | None] = {}
        if isinstance(n.target, nodes.Tuple):
            names = [t.name for t in n.target.items if isinstance(t, nodes.Name)]
            if "array" not in schema_types(schema):
                iterable = f"{iterable}.items()"
                values = schema.get("additionalProperties") if isinstance(schema, dict) else None
                scope = {names[0]: {"type": "string"}}
                scope.update(
                    {name: values if isinstance(values, dict) else None for name in names[1:]}
                )
            else:
                scope = dict.fromkeys(names)
            target = ", ".join(names)
        elif isinstance(n.target, nodes.Name):
            target = n.target.name
            if "object" in schema_types(schema):
                self.warn(
                    n,
                    "template-loop",
                    "Nunjucks loops over an object only with "
                    "'for key, value in'; with one name it renders nothing",
                )
            scope = {target: items if isinstance(items, dict) else None}
        else:
            self.warn(n, "template-construct", "unsupported loop target", "error")
            return ""
        self.locals.append(scope)
        try:
            out = "{% for " + f"{target} in {iterable}" + " %}" + self.body(n.body)
        finally:
            self.locals.pop()
        if n.else_:
            out += "{% else %}" + self.body(n.else_)
        return out + "{% endfor %}"


def translate_nunjucks(
    tree: nodes.Template, text: str, inputs: Mapping[str, dict[str, Any]] | None = None
) -> Translation:
    """One Jinja message for a parsed Nunjucks template; ``inputs`` are the JSON Schemas
    known for its inputs (they decide how values print and test)."""
    gen = _Gen(inputs or {}, text)
    for offset, what in unsupported(tree, text):
        gen.problems.append(
            Problem(offset, "error", "template-construct", f"{what} has no promptops translation")
        )
    jinja = gen.body(tree.body)
    return Translation([Segment(None, jinja, 0)], gen.problems, gen.usage, {})

"""Write a promptops Jinja template as Handlebars (for Dotprompt export), when it uses
only what both can say: text, ``{{ path }}``, ``{% if %}`` / ``{% else %}`` and
``{% for x in path %}``.

Handlebars drops a block tag's whole line when the tag stands alone on it; Jinja keeps
the line break. A tag that would stand alone gets an empty ``{{""}}`` next to it, which
prints nothing and keeps the line (the importer reads it back as nothing).
"""

from __future__ import annotations

import re

import jinja2
from jinja2 import nodes

from promptops.interop.export_common import Unexpressible

__all__ = ["jinja_to_handlebars"]

_ENV = jinja2.Environment(keep_trailing_newline=True)
_KEEP = '{{""}}'


class _Gen:
    def __init__(self) -> None:
        self.loops: list[str] = []  # loop variables, innermost last

    def value(self, n: nodes.Node) -> str:
        """A printed value. The import writes what Handlebars prints natively in Jinja
        terms (``x | lower`` for booleans, ``"" if x is none else x`` for null); both
        are plain ``{{x}}`` in Handlebars."""
        if isinstance(n, nodes.Filter) and n.name == "lower" and not n.args and n.node is not None:
            return self.path(n.node)
        if isinstance(n, nodes.Filter) and n.name == "length" and not n.args and n.node is not None:
            return self.path(n.node) + ".length"
        if (
            isinstance(n, nodes.CondExpr)
            and isinstance(n.test, nodes.Test)
            and n.test.name == "none"
            and isinstance(n.expr1, nodes.Const)
            and n.expr1.value == ""
            and n.expr2 is not None
        ):
            return self.value(n.expr2)
        return self.path(n)

    def condition(self, n: nodes.Node) -> tuple[str, str]:
        """``(helper, path)`` of an if test."""
        if isinstance(n, nodes.Not):
            return "unless", self.path(n.node)
        if isinstance(n, nodes.Test) and n.name == "none" and n.node is not None:
            return "unless", self.path(n.node)
        if isinstance(n, nodes.Not) is False and isinstance(n, nodes.Compare):
            raise Unexpressible("a comparison")
        return "if", self.path(n)

    def path(self, n: nodes.Node) -> str:
        parts: list[str] = []
        while isinstance(n, nodes.Getattr):
            parts.append(n.attr)
            n = n.node
        if not isinstance(n, nodes.Name):
            raise Unexpressible("an expression other than a variable or attribute")
        parts.append(n.name)
        parts.reverse()
        if parts[0] in self.loops:
            return ".".join(parts)  # a block parameter ('as |item|') keeps the loop's name
        if parts[0] == "loop":
            raise Unexpressible("loop.* variables")
        return ("@root." if self.loops else "") + ".".join(parts)

    def body(self, body: list[nodes.Node]) -> list[str]:
        out: list[str] = []
        for n in body:
            out.extend(self.stmt(n))
        return out

    def stmt(self, n: nodes.Node) -> list[str]:
        if isinstance(n, nodes.Output):
            parts = []
            for x in n.nodes:
                if isinstance(x, nodes.TemplateData):
                    if "{{" in x.data or "\\{" in x.data:
                        raise Unexpressible("literal '{{' in the text")
                    parts.append(x.data)
                else:
                    parts.append("\x00{{" + self.value(x) + "}}")
            return parts
        if isinstance(n, nodes.If):
            helper, test = self.condition(n.test)
            out = ["\x01{{#" + helper + " " + test + "}}", *self.body(n.body)]
            if n.elif_:
                raise Unexpressible("elif")
            if n.else_:
                out += ["\x01{{else}}", *self.body(n.else_)]
            return [*out, "\x01{{/" + helper + "}}"]
        if isinstance(n, nodes.For) and isinstance(n.target, nodes.Name) and n.test is None:
            iterable = self.path(n.iter)
            self.loops.append(n.target.name)
            try:
                inner = self.body(n.body)
            finally:
                self.loops.pop()
            out = ["\x01{{#each " + iterable + " as |" + n.target.name + "|}}", *inner]
            if n.else_:
                out += ["\x01{{else}}", *self.body(n.else_)]
            return [*out, "\x01{{/each}}"]
        raise Unexpressible(f"Jinja {type(n).__name__.lower()}")


def _guard(parts: list[str]) -> str:
    """Join, adding ``{{""}}`` after block tags Handlebars would treat as standalone."""
    out: list[str] = []
    for i, part in enumerate(parts):
        if not part.startswith("\x01"):
            out.append(part.lstrip("\x00"))
            continue
        tag = part[1:]
        before = "".join(p.lstrip("\x00\x01") for p in parts[:i])
        after = "".join(p.lstrip("\x00\x01") for p in parts[i + 1 :])
        prev_ok = re.search(r"(^|\n)[ \t]*$", before) is not None
        next_ok = re.match(r"[ \t]*(\r?\n|$)", after) is not None
        out.append(tag + (_KEEP if prev_ok and next_ok else ""))
    return "".join(out)


def jinja_to_handlebars(template: str) -> str:
    """Handlebars rendering exactly what ``template`` renders.

    Raises:
        Unexpressible: the template uses Jinja beyond the shared subset.
    """
    try:
        tree = _ENV.parse(template)
    except jinja2.TemplateSyntaxError as exc:
        raise Unexpressible(f"template does not parse: {exc.message}") from None
    return _guard(_Gen().body(tree.body))

"""Handlebars paths and values as Jinja expressions, resolved against the scope stack.

Handlebars looks names up in a context that ``#each`` and ``#with`` change; Jinja has one
namespace. :class:`ExprTranslator` rewrites each path against the scope that holds it and
records how the template uses each input (for the input schemas).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from promptops.interop.translate.hbs_ast import Expr, Literal, Node, Path, SubExpr
from promptops.interop.translate.jinja_text import (
    is_jinja_name,
    jinja_string,
    output_for,
    schema_types,
)
from promptops.interop.translate.problems import Problem, Usage

__all__ = ["ExprTranslator", "Scope"]


@dataclass
class Scope:
    expr: str | None  # Jinja expression of 'this'; None at the root (the inputs)
    schema: dict[str, Any] | None
    loop_key: str | None = None  # the key variable of an object loop
    in_loop: bool = False
    params: dict[str, tuple[str, dict[str, Any] | None, tuple[str, ...] | None]] = field(
        default_factory=dict
    )
    parent: Scope | None = None
    changes_context: bool = False
    # The input path 'this' stands for ('users', '[]' for each item, ...), for usage.
    origin: tuple[str, ...] | None = None


def _sub_schema(schema: dict[str, Any] | None, part: str) -> dict[str, Any] | None:
    if not isinstance(schema, dict):
        return None
    props = schema.get("properties")
    if isinstance(props, dict) and isinstance(props.get(part), dict):
        found: dict[str, Any] = props[part]
        return found
    return None


class ExprTranslator:
    def __init__(
        self,
        inputs: Mapping[str, dict[str, Any]],
        partials: Mapping[str, list[Node]],
        partial_ids: Mapping[str, str],
    ) -> None:
        self.inputs = inputs
        self.partials = partials
        self.partial_ids = partial_ids
        self.problems: list[Problem] = []
        self.usage: dict[str, Usage] = {}
        self.renames: dict[str, str] = {}
        self.taken: set[str] = set(inputs)
        self.inline_depth = 0
        # The input path of the last path translated (None if it is not below an input):
        # the origin of a scope that '#each' or '#with' opens on it.
        self.last_origin: tuple[str, ...] | None = None

    def warn(self, offset: int, code: str, message: str) -> None:
        self.problems.append(Problem(offset, "warning", code, message))

    def error(self, offset: int, code: str, message: str) -> None:
        self.problems.append(Problem(offset, "error", code, message))

    def input_name(self, name: str) -> str:
        if is_jinja_name(name):
            return name
        if name not in self.renames:
            base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name).strip("_")
            base = base if base and not base[0].isdigit() else f"input_{base}"
            candidate = base if is_jinja_name(base) else f"{base}_"
            taken = set(self.renames.values()) | set(self.inputs)
            n = 2
            while candidate in taken:
                candidate = f"{base}_{n}"
                n += 1
            self.renames[name] = candidate
        return self.renames[name]

    def fresh(self, hint: str) -> str:
        """A loop or binding variable that shadows no name the template uses."""
        base = hint if is_jinja_name(hint) else "item"
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}{n}"
        self.taken.add(candidate)
        return candidate

    # -- expressions --------------------------------------------------------------

    def path(
        self, p: Path, scope: Scope, offset: int, kind: str
    ) -> tuple[str, dict[str, Any] | None]:
        """Jinja source of ``p`` and the JSON Schema known for it."""
        self.last_origin = None
        if p.data:
            return self.data_path(p, scope, offset)
        target = scope
        for _ in range(p.depth):
            while target.parent is not None and not target.changes_context:
                target = target.parent
            if target.parent is None:
                self.warn(
                    offset,
                    "template-scope",
                    f"'{p.original}' climbs above the root; Handlebars renders nothing there",
                )
                return '""', None
            target = target.parent
        parts = list(p.parts)
        if parts and not p.depth and not p.original.startswith("this"):
            found = self.param(parts[0], scope)
            if found is not None:
                expr, schema, origin = found
                if origin is not None:
                    self.use((*origin, *parts[1:]), kind)
                    self.last_origin = (*origin, *parts[1:])
                return self.attrs(expr, schema, parts[1:], None, kind)
        while target.expr is None and target.parent is not None:
            target = target.parent
        if target.expr is None:
            if not parts:
                self.warn(
                    offset,
                    "template-this",
                    "'this' at the top level is the whole input "
                    "object, which promptops cannot print; name the input instead",
                )
                return '""', None
            name = self.input_name(parts[0])
            schema = self.inputs.get(parts[0]) or self.inputs.get(name)
            self.use((name, *parts[1:]), kind)
            self.last_origin = (name, *parts[1:])
            return self.attrs(name, schema, parts[1:], name, kind)
        if target.origin is not None:
            self.use((*target.origin, *parts), kind)
            self.last_origin = (*target.origin, *parts)
        return self.attrs(target.expr, target.schema, parts, None, kind)

    def use(self, path: tuple[str, ...], kind: str) -> None:
        self.usage.setdefault(path[0], Usage()).note(path, kind)

    def param(
        self, name: str, scope: Scope | None
    ) -> tuple[str, dict[str, Any] | None, tuple[str, ...] | None] | None:
        while scope is not None:
            if name in scope.params:
                return scope.params[name]
            scope = scope.parent
        return None

    def attrs(
        self,
        expr: str,
        schema: dict[str, Any] | None,
        parts: list[str],
        root: str | None,
        kind: str,
    ) -> tuple[str, dict[str, Any] | None]:
        for i, part in enumerate(parts):
            if (
                part == "length"
                and i == len(parts) - 1
                and schema_types(schema) & {"array", "string"}
            ):
                return f"({expr} | length)", {"type": "integer"}
            expr = (
                f"{expr}.{part}"
                if is_jinja_name(part) and not part.isdigit()
                else (f"{expr}[{part}]" if part.isdigit() else f"{expr}[{jinja_string(part)}]")
            )
            schema = _sub_schema(schema, part)
        return expr, schema

    def data_path(self, p: Path, scope: Scope, offset: int) -> tuple[str, dict[str, Any] | None]:
        head = p.parts[0] if p.parts else ""
        if head == "root":
            return self.path(
                Path(p.parts[1:], 0, False, ".".join(p.parts[1:])),
                self.root(scope),
                offset,
                "print",
            )
        loop: Scope | None = scope
        while loop is not None and not loop.in_loop:
            loop = loop.parent
        if loop is None or len(p.parts) != 1:
            self.warn(
                offset,
                "template-data",
                f"'@{'.'.join(p.parts)}' has no promptops "
                "equivalent outside a loop; it renders nothing",
            )
            return '""', None
        if head == "index":
            return "loop.index0", {"type": "integer"}
        if head == "first":
            return "loop.first", {"type": "boolean"}
        if head == "last":
            return "loop.last", {"type": "boolean"}
        if head == "key":
            return (loop.loop_key or "loop.index0"), {"type": "string"}
        self.warn(
            offset,
            "template-data",
            f"'@{head}' is Dotprompt run-time data, which "
            "promptops does not provide; it renders nothing",
        )
        return '""', None

    def root(self, scope: Scope) -> Scope:
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def value(
        self, e: Expr, scope: Scope, offset: int, kind: str = "print"
    ) -> tuple[str, dict[str, Any] | None]:
        if isinstance(e, Literal):
            v = e.value
            if isinstance(v, bool):
                return ("true" if v else "false"), {"type": "boolean"}
            if v is None:
                return "none", None
            if isinstance(v, str):
                return jinja_string(v), {"type": "string"}
            return repr(v), {"type": "number"}
        if isinstance(e, SubExpr):
            if e.name.parts == ("lookup",) and len(e.params) == 2:
                obj, _schema = self.value(e.params[0], scope, offset, "attr")
                key, _ = self.value(e.params[1], scope, offset, "print")
                return f"{obj}[{key}]", None
            self.warn(
                offset,
                "template-helper",
                f"sub-expression '({e.name.original} ...)' has "
                "no promptops equivalent; it renders nothing",
            )
            return '""', None
        return self.path(e, scope, offset, kind)

    def printed(self, expr: str, schema: dict[str, Any] | None, offset: int, source: str) -> str:
        tag, differs = output_for(expr, schema)
        if differs:
            self.warn(
                offset,
                "value-format",
                f"'{source}' prints a list or object: Handlebars writes '1,2' or "
                "'[object Object]', promptops writes Python's form; print its items instead",
            )
        return tag

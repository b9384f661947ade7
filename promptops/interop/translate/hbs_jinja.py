"""Translate a parsed Handlebars (Dotprompt) template into promptops Jinja.

The translation is exact for the constructs prompt templates use; anything else is a
positioned problem. Handlebars resolves names against a context that ``#each`` and
``#with`` change; Jinja has one namespace, so every path is rewritten against the scope
that holds it (``{{name}}`` inside ``{{#each users}}`` becomes ``{{ user.name }}``).
Printing follows the input's JSON Schema type where Handlebars and Jinja differ
(``true`` vs ``True``), and top-level ``{{role}}`` markers split the messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptops.interop.translate.hbs_ast import (
    Block,
    Comment,
    Literal,
    Mustache,
    Node,
    Partial,
    Path,
    SubExpr,
    Text,
    used_names,
)
from promptops.interop.translate.hbs_expr import ExprTranslator, Scope
from promptops.interop.translate.hbs_media import message_segments
from promptops.interop.translate.hbs_roles import ROLE_NAMES, split_roles
from promptops.interop.translate.jinja_text import (
    is_jinja_name,
    jinja_literal,
    jinja_string,
    schema_types,
)
from promptops.interop.translate.problems import Translation, Usage

__all__ = ["ROLE_NAMES", "translate_handlebars"]


class _Translator(ExprTranslator):
    # -- statements ---------------------------------------------------------------

    def body(self, nodes: list[Node], scope: Scope) -> str:
        return "".join(self.node(n, scope) for n in nodes)

    def node(self, n: Node, scope: Scope) -> str:
        if isinstance(n, Text):
            return jinja_literal(n.value)
        if isinstance(n, Comment):
            return ""
        if isinstance(n, Mustache):
            return self.mustache(n, scope)
        if isinstance(n, Partial):
            return self.partial(n, scope)
        return self.block(n, scope)

    def mustache(self, n: Mustache, scope: Scope) -> str:
        name = n.name
        helper = (
            name.parts[0]
            if isinstance(name, Path) and len(name.parts) == 1 and not name.data
            else ""
        )
        if helper == "role":
            self.error(
                n.offset,
                "template-role",
                "{{role}} inside a block or partial: promptops "
                "messages are fixed; move the role marker to the top level",
            )
            return ""
        if helper == "history" and not n.params:
            self.warn(
                n.offset,
                "template-history",
                "{{history}} inside a block or partial: promptops places the conversation "
                "only at the top level of the template, so it was left out here",
            )
            return ""
        if helper == "media":
            self.warn(
                n.offset,
                "template-media",
                "{{media}} inside a block or partial: promptops messages have fixed "
                "parts, so it was left out; move it to the top level of the template",
            )
            return ""
        if helper == "section":
            self.warn(
                n.offset,
                "template-section",
                "{{section}} marks a Dotprompt output section, "
                "which promptops has no equivalent for; it was left out",
            )
            return ""
        if helper == "json" and n.params:
            expr, _ = self.value(n.params[0], scope, n.offset, "print")
            self.warn(
                n.offset,
                "template-json",
                "{{json}} became Jinja's tojson, which sorts keys "
                "and spaces JSON differently from JSON.stringify; check the output",
            )
            indent = next((v for k, v in n.hash if k == "indent"), None)
            if isinstance(indent, Literal) and isinstance(indent.value, int) and indent.value:
                return "{{ " + f"{expr} | tojson(indent={indent.value})" + " }}"
            return "{{ " + f"{expr} | tojson" + " }}"
        if helper == "lookup" and len(n.params) == 2:
            expr, schema = self.value(SubExpr(Path(("lookup",)), n.params, ()), scope, n.offset)
            return self.printed(expr, schema, n.offset, n.source)
        if helper == "log":
            return ""
        if isinstance(name, Literal) and name.value == "" and not n.params and not n.hash:
            return ""  # '{{""}}' prints nothing (export uses it to keep a line)
        if n.params or n.hash:
            self.error(
                n.offset,
                "template-helper",
                f"'{n.source}' calls a helper promptops does "
                "not know; Dotprompt would refuse it too (knownHelpersOnly)",
            )
            return ""
        expr, schema = self.value(name, scope, n.offset, "print")
        return self.printed(expr, schema, n.offset, n.source)

    def partial(self, n: Partial, scope: Scope) -> str:
        body = self.partials.get(n.name)
        if body is None:
            self.error(
                n.offset,
                "template-partial",
                f"partial '{n.name}' not found: add _{n.name}.prompt next to the prompt",
            )
            return ""
        if n.indent and not n.context and not n.hash:
            self.warn(
                n.offset,
                "template-partial-indent",
                f"partial '{n.name}' is indented: "
                "Handlebars indents each of its lines; it was inlined with that indent",
            )
        if (
            n.context is None
            and not n.hash
            and not n.indent
            and n.name in self.partial_ids
            and scope.parent is None
        ):
            return "{% include " + jinja_string(self.partial_ids[n.name]) + " %}"
        # A context or arguments rebind names for the partial: inline it in a scope.
        if self.inline_depth > 8:
            self.error(n.offset, "template-partial", f"partial '{n.name}' includes itself")
            return ""
        self.inline_depth += 1
        try:
            inner = scope
            prefix = suffix = ""
            if n.context is not None:
                expr, schema = self.value(n.context, scope, n.offset, "attr")
                inner = Scope(
                    expr, schema, parent=scope, changes_context=True, origin=self.last_origin
                )
            if n.hash:
                names = []
                params: dict[str, tuple[str, dict[str, Any] | None, tuple[str, ...] | None]] = {}
                for key, value in n.hash:
                    expr, schema = self.value(value, scope, n.offset, "print")
                    var = self.fresh(key)
                    names.append(f"{var} = {expr}")
                    params[key] = (var, schema, self.last_origin)
                inner = Scope(
                    inner.expr, inner.schema, params=params, parent=inner, origin=inner.origin
                )
                prefix, suffix = "{% with " + ", ".join(names) + " %}", "{% endwith %}"
            text = self.body(body, inner)
            if n.indent:
                lines = text.split("\n")
                text = "\n".join(
                    n.indent + ln if ln or i < len(lines) - 1 else ln for i, ln in enumerate(lines)
                )
            return prefix + text + suffix
        finally:
            self.inline_depth -= 1

    def block(self, n: Block, scope: Scope) -> str:
        helper = n.name.parts[0] if len(n.name.parts) == 1 and not n.name.data else ""
        program, inverse = n.program, n.inverse
        if n.inverted:
            program, inverse = (inverse or []), program
        if helper in ("if", "unless") and len(n.params) == 1:
            cond, schema = self.value(n.params[0], scope, n.offset, "test")
            if "object" in schema_types(schema):
                cond = f"({cond} is not none)"
            test = cond if helper == "if" else f"not {cond}"
            return self.branches(test, program, inverse, scope, n)
        if helper in ("ifEquals", "unlessEquals") and len(n.params) == 2:
            a, _ = self.value(n.params[0], scope, n.offset, "test")
            b, _ = self.value(n.params[1], scope, n.offset, "test")
            op = "==" if helper == "ifEquals" else "!="
            return self.branches(f"{a} {op} {b}", program, inverse, scope, n)
        if helper == "with" and len(n.params) == 1:
            expr, schema = self.value(n.params[0], scope, n.offset, "attr")
            origin = self.last_origin
            inner = Scope(expr, schema, parent=scope, changes_context=True, origin=origin)
            if n.block_params:
                inner.params[n.block_params[0]] = (expr, schema, origin)
            out = "{% if " + expr + " %}" + self.body(program, inner)
            if inverse:
                out += "{% else %}" + self.body(inverse, scope)
            return out + "{% endif %}"
        if helper == "each" and len(n.params) == 1:
            return self.each(n, program, inverse, scope)
        self.error(
            n.offset,
            "template-helper",
            f"'{n.source}' uses a block helper promptops does "
            "not know; Dotprompt would refuse it too (knownHelpersOnly)",
        )
        return ""

    def branches(
        self, test: str, program: list[Node], inverse: list[Node] | None, scope: Scope, n: Block
    ) -> str:
        out = "{% if " + test + " %}" + self.body(program, scope)
        if n.inverse_chained and inverse and isinstance(inverse[0], Block):
            chained = self.block(inverse[0], scope)
            # '{% if a %}x{% else %}{% if b %}y{% endif %}{% endif %}' reads as elif.
            out += "{% else %}" + chained
        elif inverse:
            out += "{% else %}" + self.body(inverse, scope)
        return out + "{% endif %}"

    def each(self, n: Block, program: list[Node], inverse: list[Node] | None, scope: Scope) -> str:
        iterable, schema = self.value(n.params[0], scope, n.offset, "iterate")
        origin = None if self.last_origin is None else (*self.last_origin, "[]")
        is_object = schema_types(schema) == {"object"}
        param = n.params[0]
        hint = param.parts[-1] if isinstance(param, Path) and param.parts else "item"
        singular = hint[:-1] if hint.endswith("s") and len(hint) > 1 else f"{hint}_item"
        item = (
            n.block_params[0]
            if n.block_params and is_jinja_name(n.block_params[0])
            else self.fresh(singular)
        )
        if is_object:
            key = (
                n.block_params[1]
                if len(n.block_params) > 1 and is_jinja_name(n.block_params[1])
                else self.fresh("key")
            )
            item_schema = schema.get("additionalProperties") if isinstance(schema, dict) else None
            head = "{% for " + f"{key}, {item} in {iterable}.items()" + " %}"
        else:
            key = None
            items = schema.get("items") if isinstance(schema, dict) else None
            item_schema = items if isinstance(items, dict) else None
            head = "{% for " + f"{item} in {iterable}" + " %}"
        inner = Scope(
            item,
            item_schema if isinstance(item_schema, dict) else None,
            loop_key=key,
            in_loop=True,
            parent=scope,
            changes_context=True,
            origin=origin,
        )
        if n.block_params:
            inner.params[n.block_params[0]] = (item, inner.schema, origin)
            if len(n.block_params) > 1:
                inner.params[n.block_params[1]] = (key or "loop.index0", None, None)
        out = head + self.body(program, inner)
        if inverse:
            out += "{% else %}" + self.body(inverse, scope)
        return out + "{% endfor %}"


def translate_handlebars(
    body: list[Node],
    inputs: Mapping[str, dict[str, Any]] | None = None,
    partials: Mapping[str, list[Node]] | None = None,
    partial_ids: Mapping[str, str] | None = None,
) -> Translation:
    """Jinja messages for a parsed template; ``inputs`` are the JSON Schemas known for the
    inputs (they decide how values print), ``partial_ids`` the promptops ids of partials
    that become ``{% include %}`` (others are inlined)."""
    t = _Translator(inputs or {}, partials or {}, partial_ids or {})
    used_names(body, t.taken, partials or {}, set())
    segments, media = message_segments(
        split_roles(body, t.error, t.warn),
        lambda nodes: t.body(nodes, Scope(None, None)),
        t.warn,
    )
    for name in media:
        t.usage.setdefault(name, Usage())
    return Translation(segments, t.problems, t.usage, t.renames, media)

"""The Jinja2 half of template analysis: parse, then one walk over the tree."""

from __future__ import annotations

import jinja2
from jinja2 import nodes

from promptops.repo.template_facts import TemplateFacts

__all__ = ["analyse_jinja"]

_ENV = jinja2.Environment(autoescape=False)
# Attributes the sandbox refuses or that reach into Python internals.
_UNSAFE_ATTRS = frozenset(
    {
        "mro",
        "format",
        "format_map",
        "func_globals",
        "func_code",
        "gi_frame",
        "gi_code",
        "cr_frame",
        "cr_code",
        "ag_frame",
        "ag_code",
        "f_globals",
        "f_locals",
        "f_builtins",
        "co_code",
        "tb_frame",
        "im_class",
        "im_func",
        "im_self",
    }
)
_GLOBALS = frozenset(
    {
        "loop",
        "caller",
        "varargs",
        "kwargs",
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
        "self",
        "super",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
    }
)


def _children(node: nodes.Node) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for name in node.fields:
        value = getattr(node, name, None)
        if isinstance(value, nodes.Node):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, nodes.Node))
    return out


def _attr_of(node: nodes.Node) -> object:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        arg = node.args[0]
        return arg.value if isinstance(arg, nodes.Const) else None
    return None


def _unsafe(node: nodes.Node, facts: TemplateFacts) -> None:
    attr = _attr_of(node)
    if not isinstance(attr, str):
        return
    line = node.lineno
    if attr.startswith("_"):
        facts.problems.append(
            (
                line,
                "unsafe-template",
                f"access to '{attr}' is refused by the sandbox; "
                "names starting with '_' are private",
            )
        )
    elif attr in ("format", "format_map"):
        facts.problems.append(
            (
                line,
                "unsafe-template",
                f"calling '.{attr}' is refused by the sandbox; use the 'format' filter instead",
            )
        )
    elif attr in _UNSAFE_ATTRS:
        facts.problems.append(
            (line, "unsafe-template", f"attribute '.{attr}' is refused by the sandbox")
        )


def _walk(ast: nodes.Template, facts: TemplateFacts) -> None:
    """One pass over the tree. Scoping is deliberately simple: a name assigned anywhere in
    the template (loop target, set, macro argument) is not an input anywhere in it."""
    loads: list[nodes.Name] = []
    stored: set[str] = set()
    stack: list[nodes.Node] = [ast]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                loads.append(node)
            else:
                stored.add(node.name)
            if node.name.startswith("_"):
                facts.problems.append(
                    (
                        node.lineno,
                        "unsafe-template",
                        f"access to '{node.name}' is refused by the sandbox; "
                        "names starting with '_' are private",
                    )
                )
        elif isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
            _unsafe(node, facts)
        elif isinstance(node, nodes.Include):
            tmpl = node.template
            if isinstance(tmpl, nodes.Const) and isinstance(tmpl.value, str):
                line = facts.includes.get(tmpl.value, node.lineno)
                facts.includes[tmpl.value] = min(line, node.lineno)
            else:
                facts.problems.append(
                    (
                        node.lineno,
                        "template-syntax",
                        'include needs a literal partial id, e.g. {% include "partials/footer" %}',
                    )
                )
        elif isinstance(node, (nodes.Extends, nodes.Import, nodes.FromImport)):
            facts.problems.append(
                (
                    node.lineno,
                    "unsafe-template",
                    "only {% include %} of partials is supported; extends and import are not",
                )
            )
        elif isinstance(node, nodes.Macro):
            stored.add(node.name)
        stack.extend(_children(node))
    for name in loads:
        if name.name not in stored and name.name not in _GLOBALS:
            line = facts.variables.get(name.name, name.lineno)
            facts.variables[name.name] = min(line, name.lineno)


def analyse_jinja(text: str, facts: TemplateFacts) -> None:
    """Parse ``text`` with Jinja2; add its variables, includes and problems to ``facts``."""
    try:
        ast = _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        facts.problems.append(
            (exc.lineno or 1, "template-syntax", f"template syntax error: {exc.message}")
        )
        return
    except RecursionError:  # Jinja2's parser recurses once per nested expression
        facts.problems.append(
            (1, "template-syntax", "template syntax error: expressions nest too deeply")
        )
        return
    _walk(ast, facts)
    facts.problems.sort()

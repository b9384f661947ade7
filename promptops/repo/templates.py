"""Static checks of Jinja2 templates: syntax, variables, includes, sandbox-refused constructs.

Lines are relative to the template (1-based); the caller shifts them into the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
import jinja2.meta
from jinja2 import nodes

__all__ = ["TemplateFacts", "analyse_template"]

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
_SIMPLE = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")
_ENV = jinja2.Environment(autoescape=False)


@dataclass
class TemplateFacts:
    """What a template uses. Names/includes map to the first template line using them."""

    variables: dict[str, int] = field(default_factory=dict)
    includes: dict[str, int] = field(default_factory=dict)
    # (template line, code, message) for syntax errors and refused constructs.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _fast(text: str) -> TemplateFacts | None:
    """Literal text plus ``{{ name }}`` needs no parser (most prompts look like this)."""
    if "{%" in text or "{#" in text:
        return None
    facts = TemplateFacts()
    if "{{" not in text:
        return facts
    if "{{" in _SIMPLE.sub("", text):
        return None
    for match in _SIMPLE.finditer(text):
        facts.variables.setdefault(match.group(1), _line_of(text, match.start()))
    return facts


def _unsafe(ast: nodes.Template, facts: TemplateFacts) -> None:
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Name)):
        attr: object = None
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
            arg = node.args[0]
            attr = arg.value if isinstance(arg, nodes.Const) else None
        elif isinstance(node, nodes.Name) and node.name.startswith("_"):
            attr = node.name
        if not isinstance(attr, str):
            continue
        if attr.startswith("_"):
            facts.problems.append(
                (
                    node.lineno,
                    "unsafe-template",
                    f"access to '{attr}' is refused by the sandbox; "
                    "names starting with '_' are private",
                )
            )
        elif attr in ("format", "format_map"):
            facts.problems.append(
                (
                    node.lineno,
                    "unsafe-template",
                    f"calling '.{attr}' is refused by the sandbox; use the 'format' filter instead",
                )
            )
        elif attr in _UNSAFE_ATTRS:
            facts.problems.append(
                (node.lineno, "unsafe-template", f"attribute '.{attr}' is refused by the sandbox")
            )


def analyse_template(text: str) -> TemplateFacts:
    """Parse ``text`` and report variables, includes and problems. Never raises."""
    fast = _fast(text)
    if fast is not None:
        return fast
    facts = TemplateFacts()
    try:
        ast = _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        facts.problems.append(
            (exc.lineno or 1, "template-syntax", f"template syntax error: {exc.message}")
        )
        return facts
    undeclared = jinja2.meta.find_undeclared_variables(ast)
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and name.name in undeclared:
            facts.variables.setdefault(name.name, name.lineno)
    for inc in ast.find_all(nodes.Include):
        if isinstance(inc.template, nodes.Const) and isinstance(inc.template.value, str):
            facts.includes.setdefault(inc.template.value, inc.lineno)
        else:
            facts.problems.append(
                (
                    inc.lineno,
                    "template-syntax",
                    'include needs a literal partial id, e.g. {% include "partials/footer" %}',
                )
            )
    for node in ast.find_all((nodes.Extends, nodes.Import, nodes.FromImport)):
        facts.problems.append(
            (
                node.lineno,
                "unsafe-template",
                "only {% include %} of partials is supported; extends and import are not",
            )
        )
    _unsafe(ast, facts)
    facts.problems.sort()
    return facts

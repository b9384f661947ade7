"""Which engine a template needs at run time, and which partials it pulls in.

The runtime renders ``text`` verbatim and ``substitute`` by replacing ``{{ name }}`` with
``str(value)``, so only ``jinja`` templates pay for importing Jinja. The classification is
decided here, once, with Jinja's own parser, so it can never disagree with what Jinja would do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from jinja2 import StrictUndefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["SUBSTITUTE_PATTERN", "Engine", "TemplateInfo", "analyse", "strip_template"]

Engine = Literal["text", "substitute", "jinja"]

# The runtime's substitute renderer splits on exactly this pattern (ADR 0002); a template
# is ``substitute`` only if this split reproduces what Jinja's parser sees.
SUBSTITUTE_PATTERN = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\}\}")

# Jinja's start delimiters. A template holding none of them (and no carriage return, which
# Jinja's lexer would normalise to "\n") renders as itself.
_DELIMITERS = ("{{", "{%", "{#")

# Names Jinja's parser reads as constants or operators, never as a variable lookup.
_NOT_NAMES = frozenset({"true", "false", "none", "True", "False", "None"})

# Same lexer settings as the runtime's environment (ADR 0002), so data nodes match.
_ENV = SandboxedEnvironment(keep_trailing_newline=True, undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class TemplateInfo:
    """What the compiler needs to know about one template."""

    engine: Engine
    # Template names referenced by include/import/extends with a constant name.
    refs: frozenset[str]
    # True if some reference is computed at run time, so every partial may be reachable.
    dynamic_refs: bool


def strip_template(template: str) -> str:
    """Remove one trailing newline (YAML block scalars add one; ADR 0002)."""
    return template[:-1] if template.endswith("\n") else template


def _is_substitute(template: str, body: list[nodes.Node]) -> bool:
    for node in body:
        if not isinstance(node, nodes.Output):
            return False
        for child in node.nodes:
            if isinstance(child, nodes.Name):
                if child.ctx != "load":
                    return False
            elif not isinstance(child, nodes.TemplateData):
                return False
    # The AST alone hides whitespace control ({{- x }}) and raw blocks; require that the
    # runtime's plain split sees literal text free of delimiters between the outputs.
    literals = SUBSTITUTE_PATTERN.split(template)[::2]
    names = SUBSTITUTE_PATTERN.findall(template)
    return not any(d in lit for lit in literals for d in _DELIMITERS) and not (
        _NOT_NAMES & set(names)
    )


@functools.lru_cache(maxsize=4096)
def analyse(template: str) -> TemplateInfo:
    """Classify ``template`` (already stripped) and list the templates it references.

    Raises:
        jinja2.TemplateSyntaxError: if Jinja cannot parse the template.
    """
    if "\r" not in template and not any(d in template for d in _DELIMITERS):
        return TemplateInfo("text", frozenset(), False)
    ast = _ENV.parse(template)
    refs = list(meta.find_referenced_templates(ast))
    names = frozenset(r for r in refs if r is not None)
    dynamic = None in refs
    if "\r" not in template and _is_substitute(template, ast.body):
        return TemplateInfo("substitute", names, dynamic)
    return TemplateInfo("jinja", names, dynamic)

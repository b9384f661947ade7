"""Which engine a template needs at run time, and which partials it pulls in.

The runtime renders ``text`` verbatim and ``substitute`` by replacing ``{{ name }}`` with
``str(value)``, so only ``jinja`` templates pay for importing Jinja. The two simple engines
are recognised by rules that mirror Jinja's lexer exactly (a Hypothesis test checks them
against Jinja's parser and renderer); everything else is ``jinja``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "REFERENCE_WORDS",
    "SUBSTITUTE_PATTERN",
    "Engine",
    "TemplateInfo",
    "analyse",
    "strip_template",
]

Engine = Literal["text", "substitute", "jinja"]

# The runtime's substitute renderer splits on this pattern (ADR 0002, ADR 0006).
SUBSTITUTE_PATTERN = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\}\}")

# Jinja's start delimiters. A template holding none of them (and no carriage return, which
# Jinja's lexer would normalise to "\n") renders as itself.
_DELIMITERS = ("{{", "{%", "{#")

# Words without which a template cannot load another ({% include %}, {% import %},
# {% from ... import %}, {% extends %}).
REFERENCE_WORDS = ("include", "import", "extends")

# `{% include "name" %}` with a plain string literal and optional whitespace control.
_INCLUDE = re.compile(r"""\{%-?[ \t\n]*include[ \t\n]+(["'])([^"'\\{}%#\n]*)\1[ \t\n]*-?%\}""")

# Names Jinja's parser reads as constants or operators, never as a variable lookup.
_NOT_NAMES = frozenset({"true", "false", "none", "True", "False", "None", "not"})


@functools.cache
def _env() -> SandboxedEnvironment:
    """Same lexer settings as the runtime's environment (ADR 0002), so data nodes match.
    Built on first use: most templates are read without Jinja (a build need not import it)."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        keep_trailing_newline=True, undefined=StrictUndefined, autoescape=False
    )


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


@functools.lru_cache(maxsize=4096)
def analyse(template: str) -> TemplateInfo:
    """Classify ``template`` (already stripped) and list the templates it references.

    Jinja syntax is the validator's job (build refuses a repository with errors); the
    compiler parses a template only when it may reference another one, because parsing
    every template of a 10,000-prompt repository would dominate a cold build.

    Raises:
        jinja2.TemplateSyntaxError: if a template that mentions include/import/extends
            does not parse.
    """
    if "\r" not in template:
        if not any(d in template for d in _DELIMITERS):
            return TemplateInfo("text", frozenset(), False)
        if _plain_substitution(template):
            return TemplateInfo("substitute", frozenset(), False)
    # Not text, not a plain substitution: only the sandboxed Jinja renders it faithfully.
    if not any(word in template for word in REFERENCE_WORDS):
        return TemplateInfo("jinja", frozenset(), False)
    simple = _simple_includes(template)
    if simple is not None:
        return TemplateInfo("jinja", simple, False)
    from jinja2 import meta

    refs = list(meta.find_referenced_templates(_env().parse(template)))
    return TemplateInfo("jinja", frozenset(r for r in refs if r is not None), None in refs)


def _simple_includes(template: str) -> frozenset[str] | None:
    # Fast path for the common `text {{ name }} {% include "partials/x" %}`: if nothing but
    # plain outputs and constant includes is left of Jinja syntax, the includes' literals are
    # exactly what Jinja's parser would report. Anything else (a "{" glued to a construct,
    # loops, comments, raw blocks, modifiers) returns None and goes to the parser.
    names = [m.group(2) for m in _INCLUDE.finditer(template)]
    rest = _INCLUDE.sub("\x00", SUBSTITUTE_PATTERN.sub("\x00", template))
    if "{\x00" in rest or any(d in rest for d in _DELIMITERS):
        return None
    return frozenset(names)


def _plain_substitution(template: str) -> bool:
    # Fast path, no parse: literal text free of delimiters around `{{ identifier }}` lexes
    # to exactly data/variable tokens, which Jinja's parser turns into Output(TemplateData |
    # Name) unless the identifier is a constant or an operator. Parsing every template of a
    # 10,000-prompt repository would dominate a cold build; a Hypothesis test checks this
    # shortcut against the parser.
    parts = SUBSTITUTE_PATTERN.split(template)
    literals = parts[::2]
    return (
        not any(d in lit for lit in literals for d in _DELIMITERS)
        # "{" right before "{{" would start Jinja's variable block one character earlier.
        and not any(lit.endswith("{") for lit in literals[:-1])
        and not _NOT_NAMES.intersection(parts[1::2])
    )

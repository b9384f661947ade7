"""Read the common subset of Jinja2 templates with regular expressions, without Jinja2.

Prompt templates mostly use ``{{ path | filter }}``, ``{% for x in path %}``, ``{% if path %}``
and ``{% include "id" %}``. For a template made only of those (well nested), this yields the
same facts as parsing with Jinja2, about ten times faster. Anything else - other syntax,
names starting with '_', unbalanced blocks, a syntax error - returns None so that Jinja2
parses it and reports exactly what Jinja2 would.
"""

from __future__ import annotations

import re

from promptops.repo.template_facts import TemplateFacts

__all__ = ["read_subset"]

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_PATH = rf"{_NAME}(?:\.{_NAME})*"
_ARG = r"""(?:'[^'\\\n]*'|"[^"\\\n]*"|-?\d+)"""
_FILTER = rf"\|\s*{_NAME}(?:\(\s*(?:{_ARG}(?:\s*,\s*{_ARG})*)?\s*\))?"
_VALUE = rf"({_PATH})(?:\s*{_FILTER})*"

_TAG = re.compile(r"\{\{[-+]?(.*?)[-+]?\}\}|\{%[-+]?(.*?)[-+]?%\}", re.S)
_OUTPUT = re.compile(rf"\s*{_VALUE}\s*")
_FOR = re.compile(rf"\s*for\s+({_NAME})\s+in\s+{_VALUE}\s*")
_IF = re.compile(rf"\s*(if|elif)\s+(?:not\s+)?{_VALUE}\s*")
_INCLUDE = re.compile(r"""\s*include\s+(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*""")
_END = re.compile(r"\s*(endfor|endif|else)\s*")
_ATTR_FILTER = re.compile(r"\|\s*attr\b")
_KEYWORDS = frozenset(
    {
        "not",
        "and",
        "or",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "for",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "loop",
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
        "self",
        "super",
        "caller",
        "varargs",
        "kwargs",
    }
)
# Attributes the sandbox refuses; their messages come from the full analysis.
_REFUSED = frozenset({"mro", "format", "format_map"})


def _root(path: str) -> str | None:
    parts = path.split(".")
    if parts[0] in _KEYWORDS or any(p in _REFUSED for p in parts[1:]):
        return None
    return parts[0]


def read_subset(text: str) -> TemplateFacts | None:
    """Facts for a template in the subset, or None when Jinja2 must parse it."""
    # Comments, and the 'attr' filter (which can reach private attributes), go to Jinja2.
    if "{#" in text or _ATTR_FILTER.search(text):
        return None
    facts = TemplateFacts()
    stack: list[list[str]] = []  # [block, state]
    loop_names: set[str] = set()
    uses: list[tuple[str, int]] = []
    last = 0
    for match in _TAG.finditer(text):
        literal = text[last : match.start()]
        if "{{" in literal or "{%" in literal:
            return None
        last = match.end()
        line = text.count("\n", 0, match.start()) + 1
        body = match.group(1)
        if body is not None:
            m = _OUTPUT.fullmatch(body)
            if m is None or (root := _root(m.group(1))) is None:
                return None
            uses.append((root, line))
            continue
        body = match.group(2)
        if (m := _FOR.fullmatch(body)) is not None:
            if (root := _root(m.group(2))) is None or m.group(1) in _KEYWORDS:
                return None
            uses.append((root, line))
            loop_names.add(m.group(1))
            stack.append(["for", "body"])
        elif (m := _IF.fullmatch(body)) is not None:
            if (root := _root(m.group(2))) is None:
                return None
            if m.group(1) == "if":
                stack.append(["if", "body"])
            elif not stack or stack[-1] != ["if", "body"]:
                return None
            uses.append((root, line))
        elif (m := _INCLUDE.fullmatch(body)) is not None:
            name = m.group(1) if m.group(1) is not None else m.group(2)
            facts.includes.setdefault(name, line)
        elif (m := _END.fullmatch(body)) is not None:
            word = m.group(1)
            if not stack:
                return None
            if word == "else":
                if stack[-1][1] != "body":
                    return None
                stack[-1][1] = "else"
            elif word == f"end{stack[-1][0]}":
                stack.pop()
            else:
                return None
        else:
            return None
    if stack or "{{" in text[last:] or "{%" in text[last:]:
        return None
    for name, line in uses:
        if name not in loop_names:
            facts.variables.setdefault(name, line)
    return facts

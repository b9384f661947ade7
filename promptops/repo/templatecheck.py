"""Templates of one prompt or partial: what they use, their problems, file positions."""

from __future__ import annotations

import re
from typing import Any

import yaml

from promptops.repo.context import CheckContext
from promptops.repo.messagewalk import message_lists
from promptops.repo.positions import find_node
from promptops.repo.templates import analyse_template
from promptops.repo.types import Diagnostic
from promptops.repo.yamlload import Parsed
from promptops.spec import Message, Partial, Prompt
from promptops.spec._base import SpecModel

__all__ = ["template_facts", "template_positions"]

Loc = tuple[object, ...]

# A Python format field ``{name}`` that is not part of Jinja's ``{{ name }}``.
_SINGLE_BRACE = re.compile(r"(?<!\{)\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}(?!\})")


def _message_lists(model: Prompt) -> list[tuple[Loc, list[Message]]]:
    """The prompt's messages and each variant's own, with where they are in the file:
    a variant's templates are held to the prompt's inputs like the prompt's."""
    lists: list[tuple[Loc, list[Message]]] = [((), model.messages)]
    for name, variant in model.variants.items():
        if variant.messages is not None:
            lists.append((("variants", name), variant.messages))
    return lists


def _templates(model: SpecModel) -> list[tuple[Loc, str]]:
    if isinstance(model, Prompt):
        out: list[tuple[Loc, str]] = []
        for at, messages in _message_lists(model):
            for i, m in enumerate(messages):
                if isinstance(m.content, str):
                    out.append(((*at, "messages", i, "content"), m.content))
                for j, part in enumerate(m.content if isinstance(m.content, list) else []):
                    if part.text is not None:
                        out.append(((*at, "messages", i, "content", j, "text"), part.text))
        return out
    if isinstance(model, Partial):
        return [(("template",), model.template)]
    return []


def _raw_templates(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """(location, text) of every template: a partial's, each message's content, and the
    text of each text part of a multimodal message."""
    if isinstance(data.get("template"), str):
        return [(("template",), data["template"])]
    out: list[tuple[Loc, str]] = []
    for at, messages in message_lists(data):
        for i, m in enumerate(messages):
            content = m.get("content") if isinstance(m, dict) else None
            if isinstance(content, str):
                out.append(((*at, "messages", i, "content"), content))
            elif isinstance(content, list):
                for j, part in enumerate(content):
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        out.append(((*at, "messages", i, "content", j, "text"), part["text"]))
    return out


def shift(parsed: Parsed, node: yaml.Node | None, tline: int) -> tuple[int, int]:
    """File position of template line ``tline`` of the scalar ``node``."""
    if node is None:
        return 1, 1
    mark = node.start_mark
    style = getattr(node, "style", None)
    block = style in ("|", ">")
    line = mark.line + 1 + tline if block else mark.line + tline
    if not block and tline == 1:
        return line, mark.column + 1 + (1 if style in ("'", '"') else 0)
    lines = parsed.text.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line, len(text) - len(text.lstrip(" ")) + 1


def _at(parsed: Parsed, node: yaml.Node | None, text: str, offset: int) -> tuple[int, int]:
    """File position of character ``offset`` of template ``text`` held by ``node``."""
    tline = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    line, col = shift(parsed, node, tline)
    if tline == 1 and getattr(node, "style", None) not in ("|", ">"):
        return line, col + offset  # the scalar starts on its key's line
    lines = parsed.text.split("\n")
    file_line = lines[line - 1] if 0 < line <= len(lines) else ""
    end = text.find("\n", start)
    template_line = text[start : end if end >= 0 else len(text)]
    if template_line and file_line.endswith(template_line):
        return line, len(file_line) - len(template_line) + (offset - start) + 1
    return line, col


# A Jinja expression or statement on one line: where a variable is named.
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _use_at(
    parsed: Parsed, node: yaml.Node | None, text: str, tline: int, name: str
) -> tuple[int, int]:
    """File position of variable ``name`` inside a tag on template line ``tline`` (two
    variables on one line get their own columns); the line's start if no one-line tag
    names it."""
    start = 0
    for _ in range(tline - 1):
        start = text.find("\n", start) + 1
    end = text.find("\n", start)
    line = text[start : end if end >= 0 else len(text)]
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    for tag in _TAG.finditer(line):
        if found := word.search(line, tag.start(), tag.end()):
            return _at(parsed, node, text, start + found.start())
    return shift(parsed, node, tline)


def template_positions(parsed: Parsed) -> dict[tuple[str, str], tuple[int, int]]:
    """File positions of each template variable's and include's first use, for diagnostics
    found across files (computed only for files that get one)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    data = parsed.data if isinstance(parsed.data, dict) else {}
    for loc, text in _raw_templates(data):
        node = find_node(parsed.root, loc)
        facts = analyse_template(text)
        for name, tline in facts.variables.items():
            if ("tvar", name) not in out:
                out["tvar", name] = _use_at(parsed, node, text, tline, name)
        for name, tline in facts.includes.items():
            out.setdefault(("tinc", name), shift(parsed, node, tline))
    return out


def _single_braces(
    path: str, parsed: Parsed, node: yaml.Node | None, text: str, inputs: dict[str, Any]
) -> tuple[list[Diagnostic], set[str]]:
    """Warnings for ``{name}`` where ``name`` is a declared input: Jinja prints it as is."""
    out: list[Diagnostic] = []
    names: set[str] = set()
    for match in _SINGLE_BRACE.finditer(text):
        name = match.group(1)
        if name not in inputs:
            continue
        names.add(name)
        line, col = _at(parsed, node, text, match.start())
        out.append(
            Diagnostic(
                path,
                line,
                col,
                "warning",
                "single-brace",
                f"'{match.group(0)}' is printed as is: Jinja inserts input '{name}' only "
                f"with double braces; write '{{{{ {name} }}}}'",
            )
        )
    return out, names


def template_facts(
    path: str, parsed: Parsed, model: SpecModel, ctx: CheckContext, diags: list[Diagnostic]
) -> dict[str, Any]:
    """Facts for cross-file checks (variables, includes, references of a prompt) and, into
    ``diags``, the problems of each template at its file position."""
    variables: dict[str, None] = {}
    includes: dict[str, None] = {}
    single: set[str] = set()
    inputs = model.inputs if isinstance(model, Prompt) else {}
    for loc, text in _templates(model):
        node = find_node(parsed.root, loc) if "{" in text or ctx.max_template_chars else None
        if ctx.max_template_chars is not None and len(text) > ctx.max_template_chars:
            line, col = shift(parsed, node, 1)
            diags.append(
                Diagnostic(
                    path,
                    line,
                    col,
                    "error",
                    "template-too-large",
                    f"template is {len(text)} characters; "
                    f"rules.max_template_chars is {ctx.max_template_chars}",
                )
            )
        facts = analyse_template(text)
        for tline, code, message in facts.problems:
            line, col = shift(parsed, node, tline)
            diags.append(Diagnostic(path, line, col, "error", code, message))
        if inputs:
            found, names = _single_braces(path, parsed, node, text, inputs)
            diags.extend(found)
            single |= names
        variables.update(dict.fromkeys(facts.variables))
        includes.update(dict.fromkeys(facts.includes))
    out: dict[str, Any] = {"variables": list(variables), "includes": list(includes)}
    if any(d.code == "template-syntax" for d in diags):
        # Variables of a template that does not parse are unknown: do not call inputs unused.
        out["complete"] = False
    if isinstance(model, Prompt):
        out.update(
            model=model.model,
            system=model.system,
            tools=model.tools,
            inputs={n: "default" in s for n, s in model.inputs.items()},
            tags=model.tags,
            variants={n: v.model for n, v in model.variants.items()},
            # Inputs written as {name}: already warned about, so not "unused" as well.
            single_brace=sorted(single - set(variables)),
        )
    return out

"""Template engines of ADR 0002: ``text``, ``substitute`` and ``jinja``.

``substitute`` templates (literal text and ``{{ name }}``) render through one
``str.format_map`` call on a format string built once, so they cost what a hand-written
``str.format`` does and never import Jinja. ``jinja`` templates use the sandboxed
environment, imported lazily and compiled once per prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from promptops.errors import RenderError

__all__ = ["Renderer", "compile_message", "substitute_format"]

Renderer = Callable[[Mapping[str, Any]], str]

# What Jinja accepts as ``{{ name }}`` without filters, attributes or whitespace control.
_OUTPUT = re.compile(r"\{\{[ \t\n\r]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n\r]*\}\}")
_JINJA_SYNTAX = re.compile(r"(?=\{[{%#])")
_NEWLINES = re.compile(r"\r\n|\r")
# Names Jinja reads as literals or operators, not variables.
_RESERVED = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not",
                       "in", "is", "if", "else"})  # fmt: skip


def substitute_format(template: str) -> str | None:
    """``template`` as a ``str.format_map`` string with ``{name!s}`` fields, or ``None``
    when it holds anything beyond literal text and plain ``{{ name }}`` outputs.

    Jinja normalises every newline in literal text to ``\\n``; so does this.
    """
    outputs = list(_OUTPUT.finditer(template))
    # Every "{{", "{%" or "{#" (overlapping: "{{{x}}" has two) must open one of our plain
    # outputs; anything else is Jinja syntax, or Jinja would read it differently.
    starts = {m.start() for m in outputs}
    if any(m.start() not in starts for m in _JINJA_SYNTAX.finditer(template)):
        return None
    parts: list[str] = []
    at = 0
    for m in outputs:
        if m.group(1) in _RESERVED:
            return None
        literal = template[at : m.start()]
        parts.append(_NEWLINES.sub("\n", literal).replace("{", "{{").replace("}", "}}"))
        parts.append("{" + m.group(1) + "!s}")
        at = m.end()
    tail = template[at:]
    parts.append(_NEWLINES.sub("\n", tail).replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def compile_message(
    template: str,
    engine: str,
    *,
    where: str,
    jinja_env: Callable[[], Any],
) -> tuple[str, Renderer | None, str | None]:
    """Prepare one message template.

    Returns ``(kind, renderer, fmt)``: kind ``"text"`` (the content is ``template``),
    ``"format"`` (``fmt.format_map(values)``) or ``"jinja"`` (``renderer(values)``).

    Raises:
        RenderError: if the engine is unknown or a Jinja template does not compile.
    """
    if engine == "text":
        return "text", None, None
    if engine == "substitute":
        fmt = substitute_format(template)
        if fmt is not None:
            return "format", None, fmt
        # The compiler's judgement disagrees with ours: Jinja is always right.
    elif engine != "jinja":
        raise RenderError(
            f"{where}: unknown template engine {engine!r}; expected text, "
            "substitute or jinja (upgrade promptops?)"
        )
    env = jinja_env()
    from jinja2 import TemplateError

    try:
        compiled = env.from_string(template)
    except TemplateError as exc:
        raise RenderError(f"{where}: template does not compile: {exc}") from exc
    return "jinja", compiled.render, None


def make_jinja_env(partials: Mapping[str, str]) -> Any:
    """The sandbox of ADR 0002: strict undefined, trailing newline kept, partials by id."""
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=DictLoader(dict(partials)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )

"""What promptfoo sends for a prompt and a test: its rendering and its chat parsing.

promptfoo renders a prompt whose text is JSON string by string (then re-serialises it),
any other prompt as one Nunjucks template rendered twice (its ``renderVarsInObject``
pass), and an OpenAI-style provider then reads the result as chat JSON, chat YAML
(``- role:``) or one user message.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from promptops.interop.translate.hbs_ast import TemplateSyntaxError
from promptops.interop.translate.njk_parse import parse_nunjucks
from promptops.interop.translate.njk_render import NunjucksError, render_nunjucks

__all__ = ["chat_messages", "render_original"]


def chat_messages(text: str) -> list[tuple[str, str]] | None:
    """``(role, content)`` when ``text`` is chat JSON or YAML, else None."""
    stripped = text.strip()
    data: Any
    if stripped.startswith("- role:"):
        try:
            data = yaml.safe_load(stripped)
        except yaml.YAMLError:
            return None
    elif stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError:
            return None
    else:
        return None
    if not isinstance(data, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
        for m in data
    ):
        return None
    return [(m["role"], m["content"]) for m in data]


def _render(template: str, variables: dict[str, Any]) -> str:
    try:
        return render_nunjucks(parse_nunjucks(template), variables)
    except (TemplateSyntaxError, NunjucksError) as exc:
        raise ValueError(str(exc)) from None


def _render_object(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _render(value, variables)
    if isinstance(value, list):
        return [_render_object(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _render_object(v, variables) for k, v in value.items()}
    return value


def render_original(raw: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
    """The messages promptfoo sends for ``raw`` and prepared ``variables``.

    Raises:
        ValueError: where promptfoo itself fails to render.
    """
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if parsed is not None:
        text = json.dumps(_render_object(parsed, variables), indent=2, ensure_ascii=False)
    else:
        text = _render(raw, variables)
        if any(d in text for d in ("{{", "{%", "{#")):
            text = _render(text, variables)
    messages = chat_messages(text)
    if messages is None and text.strip().startswith("["):
        raise ValueError("the rendered prompt looks like chat JSON but does not parse")
    return messages if messages is not None else [("user", text)]

"""The Python writer: a compiled prompt as an OpenAI or Anthropic SDK call in a function
(f-string messages, annotated inputs), or a ``NAME_PROMPT`` constant for a one-message
prompt without inputs, the two shapes the Python scanner lifts back."""

from __future__ import annotations

import re
from typing import Any

from promptops.interop.export_common import (
    Files,
    Unexpressible,
    messages_of,
    mustache_text,
    params_of,
)

__all__ = ["python"]


def _fstring(template: str, engine: str) -> str:
    text = mustache_text(template, engine)
    out = re.sub(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}", lambda m: "\x00" + m.group(1) + "\x01", text)
    out = out.replace("{", "{{").replace("}", "}}").replace("\x00", "{").replace("\x01", "}")
    return "f" + repr(out) if "{" in out.replace("{{", "") else repr(text)


_ANNOTATIONS = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
}


def _python_constant(obj: dict[str, Any], module: str, func: str) -> Files:
    """A ``NAME_PROMPT`` constant for a one-message prompt without inputs or model."""
    name = func.removesuffix("-prompt").replace("-", "_").upper() + "_PROMPT"
    messages = messages_of(obj)
    role, template, engine = messages[0]
    if len(messages) != 1 or obj["input_schema"].get("properties") or not name.isidentifier():
        raise Unexpressible("a *_PROMPT constant holds one message without inputs")
    if role != ("system" if "SYSTEM" in name else "user"):
        raise Unexpressible(f"a constant named {name} reads back as a {role} message")
    return {f"{module}.py": f"{name} = {mustache_text(template, engine)!r}\n"}


def python(obj: dict[str, Any], evals: Any) -> Files:
    module, _, func = obj["id"].rpartition("/")
    if module and func.endswith("-prompt") and all(p.isidentifier() for p in module.split("/")):
        return _python_constant(obj, module, func)
    if (
        not module
        or not func.isidentifier()
        or not all(p.isidentifier() for p in module.split("/"))
    ):
        raise Unexpressible("the prompt id is not a Python module path and function name")
    model: dict[str, Any] = obj["model"]
    props = obj["input_schema"].get("properties", {})
    names = sorted(props)

    def annotated(name: str) -> str:
        kind = props[name].get("type")
        simple = set(props[name]) == {"type"} and isinstance(kind, str) and kind in _ANNOTATIONS
        return f"{name}: {_ANNOTATIONS[kind]}" if simple else name

    args = "".join(f", {annotated(n)}" for n in names)
    messages = messages_of(obj)
    params = "".join(f"        {k}={v!r},\n" for k, v in params_of(obj).items())
    if model["provider"] == "anthropic":
        system = [t for r, t, e in messages if r == "system"]
        rest = [(r, t, e) for r, t, e in messages if r != "system"]
        if len(system) > 1 or (system and messages[0][0] != "system"):
            raise Unexpressible("several or late system messages (Anthropic takes one system text)")
        call = "client.messages.create(\n"
        body = f"        model={model['model']!r},\n{params}"
        if system:
            body += f"        system={_fstring(system[0], messages[0][2])},\n"
        listed = rest
    else:
        call = "client.chat.completions.create(\n"
        body = f"        model={model['model']!r},\n{params}"
        listed = messages
    items = "".join(
        f'            {{"role": {r!r}, "content": {_fstring(t, e)}}},\n' for r, t, e in listed
    )
    source = (
        f"def {func}(client, *{args}):\n    return {call}{body}        messages=[\n{items}"
        "        ],\n    )\n"
    )
    if not names:
        source = source.replace("(client, *)", "(client)")
    return {f"{module}.py": source}

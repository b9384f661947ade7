"""Message plans: the function that turns bound inputs into a prompt's message list.

A plain prompt (templated messages only, the common case) gets one function with its
messages spelled out: a warm render is a few microseconds and every call counts. A prompt
with a chat history placeholder or multimodal content parts (ADR 0014) gets a list of
steps instead: history messages are spliced in where the prompt says, parts are built from
their templates and inputs. Such inputs are checked by ``runtime/content.py``, named in
``MessagePlan.media``.
"""

# No `from __future__ import annotations`: MessagePlan is a NamedTuple, whose string
# annotations would be compiled into ForwardRefs at import (tests/runtime/test_imports.py).
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from promptops.runtime.content import CHECKS
from promptops.runtime.engines import compile_message, make_jinja_env

__all__ = ["MessagePlan", "message_plan"]

Fill = Callable[[Mapping[str, Any]], str]
Render = Callable[[Mapping[str, Any]], list[dict[str, Any]]]
Step = Callable[[Mapping[str, Any], list[dict[str, Any]]], None]


class MessagePlan(NamedTuple):
    """``render(values)``; whether Jinja is needed; the inputs to check before rendering
    (name, check) because the messages are built from their structure."""

    render: Render
    jinja: bool
    media: tuple[tuple[str, Callable[[Any, str], Any]], ...] = ()


class _Templates:
    """Compiles templates, creating the Jinja environment only if one needs it."""

    def __init__(self, pid: str, partials: Mapping[str, str]) -> None:
        self.pid = pid
        self.partials = partials
        self.env: list[Any] = []

    def _jinja_env(self) -> Any:
        if not self.env:
            self.env.append(make_jinja_env(self.partials))
        return self.env[0]

    def fill(self, template: str, engine: str, where: str) -> Fill:
        kind, renderer, fmt = compile_message(
            template, engine, where=f"prompt {self.pid!r} {where}", jinja_env=self._jinja_env
        )
        if kind == "text":
            return _constant(template)
        if kind == "format":
            assert fmt is not None
            return fmt.format_map
        assert renderer is not None
        return renderer


def message_plan(
    pid: str, messages: list[Mapping[str, Any]], partials: Mapping[str, str]
) -> MessagePlan:
    """The plan of a compiled prompt's ``messages`` (ADR 0002, and ADR 0014's history and
    parts entries).

    Raises:
        RenderError: if a template does not compile.
        KeyError, TypeError: if a message entry is malformed (the caller says so).
    """
    templates = _Templates(pid, partials)
    if any("history" in m or "parts" in m for m in messages):
        return _rich(templates, messages)
    plan = [
        (str(m["role"]), templates.fill(str(m["template"]), str(m["engine"]), f"message {i}"))
        for i, m in enumerate(messages)
    ]
    return MessagePlan(_fill_all(plan), bool(templates.env))


def _fill_all(plan: list[tuple[str, Fill]]) -> Render:
    """One function rendering every message. Chat prompts have one to three messages;
    for those the list is spelled out, which saves the comprehension's frame (a quarter
    of a warm render)."""
    if len(plan) == 1:
        ((r0, f0),) = plan
        return lambda v: [{"role": r0, "content": f0(v)}]
    if len(plan) == 2:
        (r0, f0), (r1, f1) = plan
        return lambda v: [{"role": r0, "content": f0(v)}, {"role": r1, "content": f1(v)}]
    if len(plan) == 3:
        (r0, f0), (r1, f1), (r2, f2) = plan
        return lambda v: [
            {"role": r0, "content": f0(v)},
            {"role": r1, "content": f1(v)},
            {"role": r2, "content": f2(v)},
        ]
    return lambda v: [{"role": role, "content": fill(v)} for role, fill in plan]


def _constant(text: str) -> Fill:
    def constant(values: Mapping[str, Any]) -> str:
        return text

    return constant


def _message(role: str, fill: Fill) -> Step:
    def step(values: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        out.append({"role": role, "content": fill(values)})

    return step


def _history(name: str) -> Step:
    def step(values: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        out.extend(values[name])  # checked and copied by runtime/content.py

    return step


def _text_part(fill: Fill) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    return lambda values: {"type": "text", "text": fill(values)}


def _input_part(name: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    return lambda values: dict(values[name])  # checked and normalised already


def _parts(role: str, parts: list[Callable[[Mapping[str, Any]], dict[str, Any]]]) -> Step:
    def step(values: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        out.append({"role": role, "content": [part(values) for part in parts]})

    return step


def _rich(templates: _Templates, messages: list[Mapping[str, Any]]) -> MessagePlan:
    steps: list[Step] = []
    media: dict[str, Callable[[Any, str], Any]] = {}
    for i, m in enumerate(messages):
        if "history" in m:
            name = str(m["history"])
            media[name] = CHECKS["history"]
            steps.append(_history(name))
        elif "parts" in m:
            built = []
            for j, part in enumerate(m["parts"]):
                if part["type"] == "text":
                    where = f"message {i} part {j}"
                    fill = templates.fill(str(part["template"]), str(part["engine"]), where)
                    built.append(_text_part(fill))
                else:
                    name = str(part["input"])
                    media[name] = CHECKS[str(part["type"])]
                    built.append(_input_part(name))
            steps.append(_parts(str(m["role"]), built))
        else:
            fill = templates.fill(str(m["template"]), str(m["engine"]), f"message {i}")
            steps.append(_message(str(m["role"]), fill))

    def render(values: Mapping[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for step in steps:
            step(values, out)
        return out

    return MessagePlan(render, bool(templates.env), tuple(media.items()))

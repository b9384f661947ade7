"""Eval cases against the prompt they target: input values and tool names.

Each case's inputs are checked against the prompt's input schemas (a value of the wrong
type, outside an enum, too long...), and every ``tool_called`` (negated or not) must name a
tool the prompt lists. Names (unknown or missing inputs) are checked from cached facts in
``crosscheck.py``; values need both documents, read from the document store (never parsed
again), and the result of each (eval set, prompt) pair is cached under both blob ids
(``update.py``), recomputed only when either file changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from promptops.repo.locator import Locator
from promptops.repo.result import FileResult
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.spec.content import INPUT_SCHEMAS

__all__ = ["has_errors", "pair_diagnostics"]

Loc = tuple[object, ...]


def _tool_calls(item: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """(location of the name, tool name) of every tool_called in one assertion."""
    if not isinstance(item, dict) or len(item) != 1:
        return
    ((kind, arg),) = item.items()
    if kind == "not":
        yield from _tool_calls(arg, (*loc, "not"))
    elif kind == "tool_called":
        if isinstance(arg, str):
            yield (*loc, kind), arg
        elif isinstance(arg, dict) and isinstance(arg.get("name"), str):
            yield (*loc, kind, "name"), arg["name"]


def _json_like(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_json_like(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_like(v) for v in value)
    return value is None or isinstance(value, str | int | float)


def _suffix(sub: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in sub)


def _pair(
    path: str, target: str, data: Mapping[str, Any], prompt: Mapping[str, Any], where: Locator
) -> list[Diagnostic]:
    # Only for a pair the store has no answer for: the checkers load then.
    from promptops.repo.contentcheck import content_inputs
    from promptops.repo.jsonerrors import schema_problems

    inputs = prompt.get("inputs") or {}
    tools = [str(t) for t in prompt.get("tools") or []]
    kinds = content_inputs(prompt)  # history / image / file inputs, checked as such too
    out: list[Diagnostic] = []

    def add(loc: Loc, code: str, message: str, key: bool = False) -> None:
        line, col = where(path, ("key" if key else "value", loc))
        out.append(Diagnostic(path, line, col, "error", code, message))

    # ``defaults:`` first (its inputs and assertions reach every case), then each case.
    owners: list[tuple[Loc, Any]] = [(("defaults",), data.get("defaults"))]
    cases = data.get("cases")
    owners += [(("cases", i), c) for i, c in enumerate(cases if isinstance(cases, list) else [])]
    for base, owner in owners:
        if not isinstance(owner, dict):
            continue
        values = owner.get("inputs")
        for name, value in (values if isinstance(values, dict) else {}).items():
            schema = inputs.get(name)
            if not isinstance(schema, dict) or not _json_like(value):
                continue  # unknown inputs and non-JSON values are reported on their own
            try:
                problems = schema_problems(schema, value)
            except Exception:  # an unusable schema is reported as the prompt's own error
                continue
            if name in kinds:  # history, image or file: what the runtime will check too
                problems += schema_problems(INPUT_SCHEMAS[kinds[name]], value)
            for sub, message, key in problems:
                add(
                    (*base, "inputs", name, *sub),
                    "invalid-input",
                    f"input '{name}{_suffix(sub)}' of prompt '{target}': {message}",
                    key,
                )
        asserts = owner.get("assert")
        for j, item in enumerate(asserts if isinstance(asserts, list) else []):
            for loc, tool in _tool_calls(item, (*base, "assert", j)):
                if tool not in tools:
                    listed = f"it lists: {', '.join(tools)}" if tools else "it lists none"
                    add(
                        loc,
                        "unknown-tool",
                        f"tool_called names '{tool}', which prompt '{target}' does not list "
                        f"under 'tools' ({listed}){did_you_mean(tool, tools)}",
                    )
    return out


def has_errors(result: FileResult) -> bool:
    """Whether a file's own findings include an error (its eval cases are not checked then)."""
    return any(d.level == "error" for d in result.diagnostics)


def pair_diagnostics(
    path: str, target: str, data: Any, prompt: Any, where: Locator
) -> list[Diagnostic]:
    """The diagnostics of eval set ``path`` (its plain data) against its target prompt's
    plain data: case input values and tool names."""
    if not isinstance(data, dict) or not isinstance(prompt, dict):
        return []
    return _pair(path, target, data, prompt, where)

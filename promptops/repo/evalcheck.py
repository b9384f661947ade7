"""Single-file checks and facts of eval sets: assertion types, case input positions."""

from __future__ import annotations

from typing import Any

from promptops.repo.positions import diagnostic_at
from promptops.repo.schema_check import describe
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.repo.yamlload import Parsed
from promptops.spec import ASSERTION_TYPES

__all__ = ["eval_facts"]


def _assertion(
    path: str, parsed: Parsed, loc: tuple[object, ...], item: Any, out: list[Diagnostic]
) -> None:
    if not isinstance(item, dict):
        return  # the schema reports it
    if len(item) != 1:
        out.append(
            diagnostic_at(
                path,
                parsed.root,
                loc,
                "error",
                "schema",
                f"expected a one-key mapping such as {{contains: text}}; found {describe(item)}",
            )
        )
        return
    ((kind, arg),) = item.items()
    if kind not in ASSERTION_TYPES:
        out.append(
            diagnostic_at(
                path,
                parsed.root,
                (*loc, kind),
                "error",
                "unknown-assertion",
                f"unknown assertion type '{kind}'{did_you_mean(str(kind), ASSERTION_TYPES)}",
                key=True,
            )
        )
    elif kind == "not":
        _assertion(path, parsed, (*loc, "not"), arg, out)


def eval_facts(path: str, parsed: Parsed) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Facts for cross-file checks (target prompt, each case's index and input keys) and
    diagnostics for assertions whose type is unknown."""
    data = parsed.data
    out: list[Diagnostic] = []
    if not isinstance(data, dict):
        return {}, out
    cases_out: list[tuple[int, list[str]]] = []
    cases = data.get("cases")
    for i, case in enumerate(cases if isinstance(cases, list) else []):
        if not isinstance(case, dict):
            continue
        asserts = case.get("assert")
        for j, item in enumerate(asserts if isinstance(asserts, list) else []):
            _assertion(path, parsed, ("cases", i, "assert", j), item, out)
        inputs = case.get("inputs")
        keys = list(inputs) if isinstance(inputs, dict) else []
        cases_out.append((i, [str(k) for k in keys]))
    target = data.get("prompt")
    facts = {
        "prompt": str(target),
        "cases": cases_out,
    }
    return facts, out

"""Single-file checks and facts of eval sets: every assertion's type and argument.

Each argument is checked against its row of ``ASSERTION_ARGUMENTS`` (the same table the
editor schema is made of), including what JSON Schema alone cannot say: a regex compiles, a
``json_schema`` is a valid schema, a JSONPath is in the supported subset. Checks against the
prompt an eval set targets (case inputs, tool names) are in ``evalcases.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from promptops.repo.jsonerrors import schema_problems
from promptops.repo.positions import diagnostic_at
from promptops.repo.schema_check import describe, dotted
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.repo.yamlload import Parsed
from promptops.spec import ASSERTION_TYPES
from promptops.spec.evals import ASSERTION_ARGUMENTS

__all__ = ["eval_facts"]

Loc = tuple[object, ...]


def _assertion(path: str, parsed: Parsed, loc: Loc, item: Any, out: list[Diagnostic]) -> None:
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
        return
    if kind == "not":
        _assertion(path, parsed, (*loc, "not"), arg, out)
        return
    for sub, message, key in schema_problems(ASSERTION_ARGUMENTS[kind], arg, formats=True):
        where = (*loc, kind, *sub)
        out.append(
            diagnostic_at(
                path,
                parsed.root,
                where,
                "error",
                "assertion-argument",
                f"{dotted(where)}: {message}",
                key=key,
            )
        )


def _plain(value: Any, loc: Loc, path: str, parsed: Parsed, out: list[Diagnostic]) -> None:
    """Case inputs must be JSON values: an unquoted date is the usual surprise."""
    if isinstance(value, dict):
        for k, v in value.items():
            _plain(v, (*loc, k), path, parsed, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain(v, (*loc, i), path, parsed, out)
    elif isinstance(value, dt.date):
        out.append(
            diagnostic_at(
                path,
                parsed.root,
                loc,
                "error",
                "not-json",
                f"{dotted(loc)}: YAML reads {value.isoformat()} as a date, which is no JSON "
                f"value; quote it: '{value.isoformat()}'",
            )
        )


def eval_facts(path: str, parsed: Parsed) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Facts for cross-file checks (target prompt, the input keys of ``defaults:`` and of
    each case, by index) and diagnostics for assertions that are unknown or malformed."""
    data = parsed.data
    out: list[Diagnostic] = []
    if not isinstance(data, dict):
        return {}, out
    found = data.get("defaults")
    defaults: dict[str, Any] = found if isinstance(found, dict) else {}
    asserts = defaults.get("assert")
    for j, item in enumerate(asserts if isinstance(asserts, list) else []):
        _assertion(path, parsed, ("defaults", "assert", j), item, out)
    default_inputs = defaults.get("inputs")
    _plain(default_inputs, ("defaults", "inputs"), path, parsed, out)
    cases_out: list[tuple[int, list[str]]] = []
    cases = data.get("cases")
    for i, case in enumerate(cases if isinstance(cases, list) else []):
        if not isinstance(case, dict):
            continue
        asserts = case.get("assert")
        for j, item in enumerate(asserts if isinstance(asserts, list) else []):
            _assertion(path, parsed, ("cases", i, "assert", j), item, out)
        inputs = case.get("inputs")
        _plain(inputs, ("cases", i, "inputs"), path, parsed, out)
        keys = list(inputs) if isinstance(inputs, dict) else []
        cases_out.append((i, [str(k) for k in keys]))
    target = data.get("prompt")
    facts = {
        "prompt": str(target),
        "cases": cases_out,
        # Every case gets these inputs unless it sets its own (EvalSet.defaults).
        "defaults": [str(k) for k in default_inputs] if isinstance(default_inputs, dict) else [],
    }
    return facts, out

"""Eval assertions written back in the formats that have assertions of their own.

promptfoo tests carry ``assert`` lists per test; GitHub Models files carry one
``evaluators`` list for every test row. Only assertions whose meaning is the same on both
sides are written, so that importing the export gives the same checks; the others are
named as not carried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["github_evaluators", "not_carried", "promptfoo_asserts"]

_PROMPTFOO_TEXT = {
    "contains": "contains",
    "icontains": "icontains",
    "not_contains": "not-contains",
    "starts_with": "starts-with",
}


def _promptfoo_one(assertion: dict[str, Any]) -> dict[str, Any] | None:
    if len(assertion) != 1:
        return None
    ((kind, value),) = assertion.items()
    if kind in _PROMPTFOO_TEXT and isinstance(value, str) and value and "{" not in value:
        # promptfoo renders assertion values with Nunjucks: braces would not come back.
        return {"type": _PROMPTFOO_TEXT[kind], "value": value}
    if kind == "equals" and isinstance(value, str) and "{" not in value:
        return {"type": "equals", "value": value}
    if kind == "is_json" and value is True:
        return {"type": "is-json"}
    if kind == "json_schema" and isinstance(value, dict):
        return {"type": "is-json", "value": value}
    if kind == "cost_max" and isinstance(value, int | float):
        return {"type": "cost", "threshold": value}
    if kind == "latency_ms_max" and isinstance(value, int | float):
        return {"type": "latency", "threshold": value}
    if kind == "not" and isinstance(value, dict):
        inner = _promptfoo_one(value)
        if inner is not None and inner["type"] in ("contains", "icontains", "starts-with"):
            return {**inner, "type": "not-" + inner["type"]}
    return None


def promptfoo_asserts(assertions: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """promptfoo ``assert`` entries for one case, and whether any had no equivalent."""
    out = [_promptfoo_one(a) for a in assertions]
    return [a for a in out if a is not None], any(a is None for a in out)


def github_evaluators(cases: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """``evaluators`` for a file whose every case has the same ``icontains`` checks (gh
    models compares lower-cased text, and applies one list to every row), or None."""
    lists = [c.get("assert") or [] for c in cases]
    if not lists or not lists[0] or any(x != lists[0] for x in lists):
        return None
    out = []
    for i, assertion in enumerate(lists[0]):
        value = assertion.get("icontains") if len(assertion) == 1 else None
        if not isinstance(value, str) or not value or "{{" in value:
            return None
        out.append({"name": f"check-{i + 1}", "string": {"contains": value}})
    return out


def not_carried(fmt: str, cases: Sequence[dict[str, Any]]) -> bool:
    """Whether some assertion of these cases is lost when exported as ``fmt``."""
    if not any(c.get("assert") for c in cases):
        return False
    if fmt == "promptfoo":
        return any(promptfoo_asserts(c.get("assert") or [])[1] for c in cases)
    if fmt == "github-models":
        return github_evaluators(cases) is None
    return True

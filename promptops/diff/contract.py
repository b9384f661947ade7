"""A compiled prompt's contract: the tools it may call and the schemas of its inputs and
outputs. Widening any of these widens what the model may do or return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptops.diff.config import DiffConfig
from promptops.diff.schemas import loosenings
from promptops.diff.textdiff import structured_changes
from promptops.diff.tools import diff_tool
from promptops.diff.types import Change, Risk

__all__ = ["input_schema_changes", "output_schema_changes", "tool_changes"]

Compiled = Mapping[str, Any]


def tool_changes(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    b = {str(t.get("name")): t for t in base.get("tools", [])}
    h = {str(t.get("name")): t for t in head.get("tools", [])}
    out = []
    for name in sorted(h.keys() - b.keys()):
        risk = h[name].get("risk", "low")
        out.append(
            Change(
                "tools",
                f"tools.{name}",
                f"tool {name!r} added (risk {risk})",
                # As risky as the tool, never below medium: the model may now act.
                "high" if risk == "high" else "medium",
                "widened tool permission: the model may now call this tool",
                None,
                dict(h[name]),
            )
        )
    for name in sorted(b.keys() - h.keys()):
        out.append(
            Change(
                "tools",
                f"tools.{name}",
                f"tool {name!r} removed",
                "low",
                "narrowed tool permission",
                dict(b[name]),
                None,
            )
        )
    for name in sorted(b.keys() & h.keys()):
        if b[name] != h[name]:
            out += diff_tool(name, b[name], h[name], "tools", config)
    return out


def input_schema_changes(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    b, h = base.get("input_schema"), head.get("input_schema")
    if b == h:
        return []
    return [
        Change(
            "input_schema",
            "input_schema",
            "input schema changed",
            "medium",
            "callers may need to pass different inputs",
            b,
            h,
            "\n".join(structured_changes(b, h, config.max_structured_items)),
        )
    ]


def output_schema_changes(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    b, h = base.get("output_schema"), head.get("output_schema")
    if b == h:
        return []
    risk: Risk
    if h is None:
        summary, risk, reason = "output schema removed", "high", "outputs are no longer checked"
    elif b is None:
        summary, risk, reason = "output schema added", "medium", "outputs are now constrained"
    else:
        loose = loosenings(b, h)
        summary = "output schema changed"
        risk = "high" if loose else "medium"
        reason = (
            "output schema loosened: " + "; ".join(loose)
            if loose
            else "output schema changed without accepting more"
        )
    return [
        Change(
            "output_schema",
            "output_schema",
            summary,
            risk,
            reason,
            b,
            h,
            "\n".join(structured_changes(b, h, config.max_structured_items)),
        )
    ]

"""Risk of a change to one tool definition (policies/tools.yaml or a compiled prompt's tools)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptops.diff.config import DiffConfig
from promptops.diff.schemas import loosenings
from promptops.diff.textdiff import structured_changes
from promptops.diff.types import Change, Risk

__all__ = ["diff_tool", "needs_approval"]

_RISK_RANK = {"low": 1, "medium": 2, "high": 3}


def needs_approval(tool: Mapping[str, Any]) -> bool:
    """Effective approval: explicit ``requires_approval``, else high-risk tools need one."""
    explicit = tool.get("requires_approval")
    return bool(explicit) if explicit is not None else tool.get("risk", "low") == "high"


def diff_tool(
    name: str, base: Mapping[str, Any], head: Mapping[str, Any], area: str, config: DiffConfig
) -> list[Change]:
    """Changes between two definitions of tool ``name``, each with its risk."""
    changes: list[Change] = []
    path = f"tools.{name}"
    b_risk, h_risk = base.get("risk", "low"), head.get("risk", "low")
    if b_risk != h_risk:
        raised = _RISK_RANK.get(h_risk, 0) > _RISK_RANK.get(b_risk, 0)
        changes.append(
            Change(
                area,
                f"{path}.risk",
                f"tool {name!r} risk {b_risk} -> {h_risk}",
                "high" if raised else "medium",
                "the tool is declared more dangerous than before: check what it can now do"
                if raised
                else "the tool is declared less dangerous than before",
                b_risk,
                h_risk,
            )
        )
    b_appr, h_appr = needs_approval(base), needs_approval(head)
    if b_appr != h_appr:
        changes.append(
            Change(
                area,
                f"{path}.requires_approval",
                f"tool {name!r} {'no longer needs' if b_appr else 'now needs'} human approval",
                "high" if b_appr else "low",
                "widened tool permission: calls run without a human approval"
                if b_appr
                else "narrowed tool permission",
                b_appr,
                h_appr,
            )
        )
    b_params, h_params = base.get("parameters"), head.get("parameters")
    if b_params != h_params:
        loose = loosenings(b_params, h_params)
        # Wider arguments are as risky as the tool they reach (a refund limit raised is
        # not a search query allowed to be longer), never below medium.
        wider: Risk = "high" if head.get("risk", "low") == "high" else "medium"
        changes.append(
            Change(
                area,
                f"{path}.parameters",
                f"tool {name!r} argument schema changed",
                wider if loose else "medium",
                "widened tool permission: " + "; ".join(loose)
                if loose
                else "argument schema changed without accepting more",
                b_params,
                h_params,
                "\n".join(structured_changes(b_params, h_params, config.max_structured_items)),
            )
        )
    if base.get("description", "") != head.get("description", ""):
        changes.append(
            Change(
                area,
                f"{path}.description",
                f"tool {name!r} description changed",
                "medium",
                "the model reads tool descriptions when deciding to call a tool",
                base.get("description", ""),
                head.get("description", ""),
            )
        )
    return changes

from __future__ import annotations

from typing import Any

import pytest

from promptops.runtime.tools import ToolPolicy
from tests.runtime.fixtures import GREET

POLICY = ToolPolicy("greet", GREET["tools"])


@pytest.mark.parametrize(
    ("tool", "args", "verdict", "reason"),
    [
        ("lookup", {"user": "ada"}, "allowed", "tool 'lookup' is allowed for prompt 'greet'"),
        ("lookup", {}, "denied", "tool 'lookup': missing required property 'user'"),
        (
            "lookup",
            {"user": 3},
            "denied",
            "tool 'lookup' argument 'user': expected string, found 3 (int)",
        ),
        ("lookup", ["ada"], "denied", "tool 'lookup': arguments must be an object, found list"),
        (
            "refund",
            {"order": 7},
            "needs_approval",
            "tool 'refund' (high risk) requires a human approval before it runs",
        ),
        (
            "refund",
            {"order": "7"},
            "denied",
            "tool 'refund' argument 'order': expected integer, found '7' (str)",
        ),
        (
            "delete_all",
            {},
            "denied",
            "tool 'delete_all' is not allowed for prompt 'greet' (allowed: lookup, refund)",
        ),
    ],
)
def test_decisions(tool: str, args: Any, verdict: str, reason: str) -> None:
    decision = POLICY.check(tool, args)
    assert (decision.verdict, decision.reason) == (verdict, reason)
    assert decision.allowed == (verdict == "allowed")
    assert decision.denied == (verdict == "denied")
    assert decision.needs_approval == (verdict == "needs_approval")


def test_unset_approval_follows_risk() -> None:
    tools = [
        {"name": "wipe", "description": "", "risk": "high", "parameters": {}},
        {"name": "peek", "description": "", "risk": "low", "parameters": {}},
    ]
    policy = ToolPolicy("p", tools)
    assert policy.check("wipe", {}).needs_approval
    assert policy.check("peek", {}).allowed

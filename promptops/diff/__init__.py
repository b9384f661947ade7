"""Structural and behaviour diff between two git refs of a prompt repository: the PR gate."""

from promptops.diff.api import DiffOptions, diff_refs
from promptops.diff.config import DiffConfig
from promptops.diff.gate import FAIL_ON, FailOn, GateOutcome, evaluate_gate
from promptops.diff.markdown import MARKER, render_markdown
from promptops.diff.prompt import diff_prompt
from promptops.diff.render import Format, render, render_json, render_text
from promptops.diff.repository import diff_repository
from promptops.diff.schemas import loosenings
from promptops.diff.structural import Comparison, compare
from promptops.diff.types import (
    BehaviourResult,
    CaseFlip,
    Change,
    DiffResult,
    PromptBehaviour,
    PromptDiff,
    Risk,
    Totals,
)

__all__ = [
    "FAIL_ON",
    "MARKER",
    "BehaviourResult",
    "CaseFlip",
    "Change",
    "Comparison",
    "DiffConfig",
    "DiffOptions",
    "DiffResult",
    "FailOn",
    "Format",
    "GateOutcome",
    "PromptBehaviour",
    "PromptDiff",
    "Risk",
    "Totals",
    "compare",
    "diff_prompt",
    "diff_refs",
    "diff_repository",
    "evaluate_gate",
    "loosenings",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
]

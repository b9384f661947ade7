"""``policies/``: tools.yaml, rules.yaml, signers.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from promptops.spec._base import SpecModel

__all__ = [
    "EvalCoverageRule",
    "ForbiddenPattern",
    "Rules",
    "RulesFile",
    "Signer",
    "SignersFile",
    "Tool",
    "ToolsFile",
]

Risk = Literal["low", "medium", "high"]


class Tool(SpecModel):
    description: str = ""
    risk: Risk = "low"
    # None means "decided by risk": high-risk tools need a human approval at run time.
    requires_approval: bool | None = None
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object"}, description="JSON Schema of the arguments."
    )


class ToolsFile(SpecModel):
    tools: dict[str, Tool] = Field(default_factory=dict)


class ForbiddenPattern(SpecModel):
    pattern: str = Field(description="A Python regular expression.")
    message: str = "forbidden pattern"


class EvalCoverageRule(SpecModel):
    tags: list[str] = Field(default_factory=list)
    min_cases: int = Field(default=1, ge=1)


class Rules(SpecModel):
    require_owner: bool = False
    require_dated_model: bool = True
    default_forbidden_patterns: bool = True
    forbidden_patterns: list[ForbiddenPattern] = Field(default_factory=list)
    max_template_chars: int | None = Field(default=None, gt=0)
    eval_coverage: EvalCoverageRule | None = None


class RulesFile(SpecModel):
    rules: Rules = Field(default_factory=Rules)


class Signer(SpecModel):
    name: str
    keyid: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the raw public key.")
    public_key: str = Field(description="Base64 of the raw 32-byte Ed25519 public key.")
    scheme: Literal["ed25519"] = "ed25519"
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    revoked: bool = False


class SignersFile(SpecModel):
    threshold: int = Field(default=1, ge=1)
    signers: list[Signer] = Field(default_factory=list)

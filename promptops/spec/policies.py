"""``policies/``: tools.yaml, rules.yaml, signers.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from promptops.spec._base import Risk, SpecModel
from promptops.spec.prompts import JSON_SCHEMA_HINT

__all__ = [
    "LIMIT_CEILINGS",
    "EvalCoverageRule",
    "ForbiddenPattern",
    "RepositoryLimits",
    "RoleSpec",
    "Roles",
    "Rules",
    "RulesFile",
    "Signer",
    "SignersFile",
    "Tool",
    "ToolsFile",
]


class Tool(SpecModel):
    """A tool the model may call, its risk and its argument schema."""

    description: str = Field(default="", description="What the tool does, shown to the model.")
    risk: Risk = Field(
        default="low", description="low | medium | high; raising it is a high-risk change."
    )
    # None means "decided by risk": high-risk tools need a human approval at run time.
    requires_approval: bool | None = Field(
        default=None, description="Human approval before each call; unset means risk == high."
    )
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments: type object, arguments under properties.",
        json_schema_extra=JSON_SCHEMA_HINT,
    )


class ToolsFile(SpecModel):
    """policies/tools.yaml: every tool prompts may list."""

    tools: dict[str, Tool] = Field(default_factory=dict, description="Tool name -> definition.")


class ForbiddenPattern(SpecModel):
    pattern: str = Field(description="A Python regular expression searched in every template.")
    message: str = Field(default="forbidden pattern", description="Shown when it matches.")


class EvalCoverageRule(SpecModel):
    """Prompts carrying any of ``tags`` need at least ``min_cases`` eval cases."""

    tags: list[str] = Field(default_factory=list, description="Prompt tags that need evals.")
    min_cases: int = Field(default=1, ge=1, description="Minimum eval cases per such prompt.")


class Rules(SpecModel):
    require_owner: bool = Field(default=False, description="Every prompt file needs owner:.")
    require_dated_model: bool = Field(
        default=True, description="Model pins must name dated snapshots, not floating aliases."
    )
    default_forbidden_patterns: bool = Field(
        default=True, description="Also apply the built-in patterns (API keys, tokens)."
    )
    forbidden_patterns: list[ForbiddenPattern] = Field(
        default_factory=list, description="Extra patterns no template or instruction may match."
    )
    max_template_chars: int | None = Field(
        default=None, gt=0, description="Maximum characters of any one template or text."
    )
    eval_coverage: EvalCoverageRule | None = Field(
        default=None, description="Required eval coverage for prompts carrying given tags."
    )


# The most a repository may raise each limit to (ADR 0017): limits guard against hostile
# input, and a pull request can edit rules.yaml, so no file can lift them without bound.
# max_depth stops at libyaml's own cap (ADR 0005).
LIMIT_CEILINGS: dict[str, int] = {
    "max_files": 10_000_000,
    "max_file_bytes": 256 * 1024 * 1024,
    "max_depth": 1_000,
    "max_aliases": 100_000,
    "max_nodes": 100_000_000,
    "max_prompts": 10_000_000,
    "max_bundle_bytes": 16 * 1024 * 1024 * 1024,
    "max_include_depth": 256,
}


class RepositoryLimits(SpecModel):
    """Caps on what promptops reads and builds for this repository; unset ones keep their
    defaults. ``--limit NAME=N`` on the command line overrides them."""

    max_files: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_files"],
        description="Files under models.yaml, prompts/, policies/, evals/ (default 50000).",
    )  # fmt: skip
    max_file_bytes: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_file_bytes"],
        description="Bytes of any one file (default 1000000).",
    )  # fmt: skip
    max_depth: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_depth"],
        description="Nesting levels of a YAML document (default 64; at most 1000).",
    )  # fmt: skip
    max_aliases: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_aliases"],
        description="YAML alias references per document (default 100).",
    )  # fmt: skip
    max_nodes: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_nodes"],
        description="Nodes a document may expand to through aliases (default 100000).",
    )  # fmt: skip
    max_prompts: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_prompts"],
        description="Prompts in one bundle (default 100000).",
    )  # fmt: skip
    max_bundle_bytes: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_bundle_bytes"],
        description="Bytes of the built bundle.json (default 536870912).",
    )  # fmt: skip
    max_include_depth: int | None = Field(
        default=None, ge=1, le=LIMIT_CEILINGS["max_include_depth"],
        description="Nesting of {% include %} chains through partials (default 16).",
    )  # fmt: skip

    def settings(self) -> dict[str, int]:
        """The limits this file sets (name -> value), without the unset ones."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RulesFile(SpecModel):
    """policies/rules.yaml: lint rules and limits for this repository."""

    rules: Rules = Field(default_factory=Rules, description="The rules; unset ones use defaults.")
    limits: RepositoryLimits = Field(
        default_factory=RepositoryLimits,
        description="Caps on files read and bundles built; unset ones use defaults.",
    )


class Signer(SpecModel):
    """A public key trusted to sign releases."""

    name: str = Field(description="Who holds the key (person, team or CI system).")
    keyid: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the raw public key.")
    public_key: str = Field(description="Base64 of the raw 32-byte Ed25519 public key.")
    scheme: Literal["ed25519"] = Field(default="ed25519", description="Signature scheme.")
    not_before: dt.datetime | None = Field(default=None, description="Key valid from (UTC).")
    not_after: dt.datetime | None = Field(default=None, description="Key valid until (UTC).")
    revoked: bool = Field(default=False, description="Signatures by a revoked key never count.")


class RoleSpec(SpecModel):
    """Who holds a role, and how many of them must sign."""

    threshold: int = Field(default=1, ge=1, description="Distinct signatures the role needs.")
    signers: list[str] = Field(
        default_factory=list, description="Names of entries under signers: that hold the role."
    )


class Roles(SpecModel):
    """The three roles, as TUF separates them."""

    root: RoleSpec = Field(
        description="May change this policy: signs the next policies/trust/N.json."
    )
    release: RoleSpec = Field(description="Approves content: signs release manifests.")
    channel: RoleSpec = Field(
        description="The online key automation holds: signs channel pointers only."
    )


class SignersFile(SpecModel):
    """policies/signers.yaml: the trust policy. Keys, and the roles that use them (or, in
    the single-role form, one threshold for everything)."""

    version: int = Field(
        default=1, ge=1, description="Version in the trust chain; promptops trust rotate bumps it."
    )
    chain: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="The trust chain's identity (from version 2 on); written by promptops trust.",
    )
    threshold: int | None = Field(
        default=None,
        ge=1,
        description="Single-role form only: signatures needed for everything. Prefer roles.",
    )
    signers: list[Signer] = Field(
        default_factory=list, description="Trusted keys; may be empty until the first keygen."
    )
    roles: Roles | None = Field(
        default=None, description="root, release and channel: who may do what."
    )

    def document(self) -> dict[str, Any]:
        """The policy as plain data, the shape ``TrustRoot.from_dict`` reads."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

"""Pydantic models of every file kind in a prompt repository, and their JSON Schemas."""

from promptops.spec._base import PROVIDERS, RISKS, ROLES, Provider, Risk, Role
from promptops.spec.evals import (
    ASSERTION_TYPES,
    GRADED_ASSERTION_TYPES,
    EvalCase,
    EvalDefaults,
    EvalSet,
)
from promptops.spec.experiments import Arm, Experiment, Metric
from promptops.spec.export import SCHEMA_KINDS, export_schemas, kind_for_path, write_schemas
from promptops.spec.models_file import Lifecycle, ModelPin, ModelsFile, Pricing
from promptops.spec.policies import (
    EvalCoverageRule,
    ForbiddenPattern,
    Roles,
    RoleSpec,
    Rules,
    RulesFile,
    Signer,
    SignersFile,
    Tool,
    ToolsFile,
)
from promptops.spec.prompts import (
    ID_PATTERN,
    Instruction,
    Message,
    OutputSpec,
    Partial,
    Prompt,
    PromptFile,
)

__all__ = [
    "ASSERTION_TYPES",
    "GRADED_ASSERTION_TYPES",
    "ID_PATTERN",
    "PROVIDERS",
    "RISKS",
    "ROLES",
    "SCHEMA_KINDS",
    "Arm",
    "EvalCase",
    "EvalCoverageRule",
    "EvalDefaults",
    "EvalSet",
    "Experiment",
    "ForbiddenPattern",
    "Instruction",
    "Lifecycle",
    "Message",
    "Metric",
    "ModelPin",
    "ModelsFile",
    "OutputSpec",
    "Partial",
    "Pricing",
    "Prompt",
    "PromptFile",
    "Provider",
    "Risk",
    "Role",
    "RoleSpec",
    "Roles",
    "Rules",
    "RulesFile",
    "Signer",
    "SignersFile",
    "Tool",
    "ToolsFile",
    "export_schemas",
    "kind_for_path",
    "write_schemas",
]

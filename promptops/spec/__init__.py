"""Pydantic models of every file kind in a prompt repository, and their JSON Schemas."""

from promptops._lazy import lazy_names
from promptops.spec._base import PROVIDERS, RISKS, ROLES, Provider, Risk, Role
from promptops.spec.evals import (
    ASSERTION_TYPES,
    GRADED_ASSERTION_TYPES,
    EvalCase,
    EvalDefaults,
    EvalSet,
)
from promptops.spec.experiments import Arm, Experiment, Metric
from promptops.spec.models_file import MAX_FALLBACKS, Lifecycle, ModelPin, ModelsFile, Pricing
from promptops.spec.policies import (
    LIMIT_CEILINGS,
    EvalCoverageRule,
    ForbiddenPattern,
    RepositoryLimits,
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
    BASE_VARIANT,
    ID_PATTERN,
    VARIANT_PATTERN,
    Instruction,
    Message,
    OutputSpec,
    Partial,
    Prompt,
    PromptFile,
    Variant,
)

__all__ = [
    "ASSERTION_TYPES",
    "BASE_VARIANT",
    "GRADED_ASSERTION_TYPES",
    "ID_PATTERN",
    "LIMIT_CEILINGS",
    "MAX_FALLBACKS",
    "PROVIDERS",
    "RISKS",
    "ROLES",
    "SCHEMA_KINDS",
    "VARIANT_PATTERN",
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
    "RepositoryLimits",
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
    "Variant",
    "export_schemas",
    "kind_for_path",
    "write_schemas",
]

# The JSON Schema export (importlib.resources, the schema generator) loads on first use:
# every command reading a repository imports the models, only `promptops schema` and
# `init` write schemas (~6 ms of each start).
_EXPORTS = ("SCHEMA_KINDS", "export_schemas", "kind_for_path", "write_schemas")
__getattr__ = lazy_names(__name__, dict.fromkeys(_EXPORTS, "promptops.spec.export"), globals())

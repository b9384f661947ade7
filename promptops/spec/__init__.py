"""Pydantic models of every file kind in a prompt repository, and their JSON Schemas."""

from promptops.spec.evals import ASSERTION_TYPES, EvalCase, EvalSet
from promptops.spec.models_file import Lifecycle, ModelPin, ModelsFile, Pricing
from promptops.spec.policies import (
    EvalCoverageRule,
    ForbiddenPattern,
    Rules,
    RulesFile,
    Signer,
    SignersFile,
    Tool,
    ToolsFile,
)
from promptops.spec.prompts import ID_PATTERN, Instruction, Message, OutputSpec, Partial, Prompt

__all__ = [
    "ASSERTION_TYPES",
    "ID_PATTERN",
    "EvalCase",
    "EvalCoverageRule",
    "EvalSet",
    "ForbiddenPattern",
    "Instruction",
    "Lifecycle",
    "Message",
    "ModelPin",
    "ModelsFile",
    "OutputSpec",
    "Partial",
    "Pricing",
    "Prompt",
    "Rules",
    "RulesFile",
    "Signer",
    "SignersFile",
    "Tool",
    "ToolsFile",
]

"""Build Repository objects in memory from file texts (no loader, no git)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from promptops.repo.types import Repository, SourceInfo
from promptops.spec import Instruction, ModelsFile, Partial, Prompt, ToolsFile


def mem_repo(
    files: Mapping[str, str],
    *,
    root: Path = Path("/nonexistent/repo"),
    source: SourceInfo | None = None,
    digests: Mapping[str, str] | None = None,
) -> Repository:
    """A Repository parsed from ``files`` (path -> YAML text) with PyYAML and the spec models."""
    prompts: dict[str, Prompt] = {}
    instructions: dict[str, Instruction] = {}
    partials: dict[str, Partial] = {}
    paths: dict[str, str] = {}
    models = ModelsFile()
    tools = ToolsFile()
    for path, text in files.items():
        data: Any = yaml.safe_load(text)
        if path == "models.yaml":
            models = ModelsFile.model_validate(data)
        elif path == "policies/tools.yaml":
            tools = ToolsFile.model_validate(data)
        elif path.startswith("prompts/"):
            pid = path.removeprefix("prompts/").removesuffix(".yaml")
            paths[pid] = path
            kind = data["kind"]
            if kind == "prompt":
                prompts[pid] = Prompt.model_validate(data)
            elif kind == "instruction":
                instructions[pid] = Instruction.model_validate(data)
            else:
                partials[pid] = Partial.model_validate(data)
    return Repository(
        root=root,
        source=source or SourceInfo(commit=None, tree=None, dirty=True),
        models=models,
        prompts=prompts,
        instructions=instructions,
        partials=partials,
        tools=tools,
        paths=paths,
        digests=dict(digests or {}),
    )

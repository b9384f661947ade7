"""The repository an import writes into: what it already holds that the import reuses.

Pins, tools, instructions and rules come from the repository's own loader (cached by
content), so importing into a large repository costs what validating it costs. A
directory without ``models.yaml`` is a new repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promptops.compile.engine import strip_template
from promptops.errors import UsageError
from promptops.repo import load_repository
from promptops.repo.types import Repository

__all__ = ["Target", "open_target"]


@dataclass
class Target:
    root: Path
    repo: Repository | None  # None: a new repository
    pins: dict[str, dict[str, Any]] = field(default_factory=dict)
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    require_dated: bool = False
    require_owner: bool = False

    @property
    def exists(self) -> bool:
        return self.repo is not None

    def read(self, rel: str) -> bytes | None:
        """The current bytes of ``rel`` in the working tree, or None."""
        path = self.root / rel
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def prompt_data(self, pid: str) -> dict[str, Any] | None:
        """The existing prompt file of ``pid`` as plain data (for fields a format lacks)."""
        raw = self.read(f"prompts/{pid}.yaml")
        if raw is None:
            return None
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError:
            return None
        return data if isinstance(data, dict) and data.get("kind") == "prompt" else None


def open_target(root: Path) -> Target:
    """Read the repository at ``root`` (or note that it is new).

    Raises:
        UsageError: ``root`` is a file, or lies inside a repository rooted above it.
    """
    if root.exists() and not root.is_dir():
        raise UsageError(f"--into {root} is a file; expected a directory")
    if not (root / "models.yaml").is_file():
        for parent in root.resolve().parents:
            if (parent / "models.yaml").is_file():
                raise UsageError(
                    f"{root} is inside the prompt repository at {parent}; import into the "
                    f"repository root (--into {parent})"
                )
        return Target(root, None)
    repo = load_repository(root)
    pins = {
        name: pin.model_dump(mode="json", exclude_none=True, by_alias=True)
        for name, pin in repo.models.models.items()
    }
    tools = {
        name: tool.model_dump(mode="json", exclude_none=True, by_alias=True)
        for name, tool in repo.tools.tools.items()
    }
    return Target(
        root,
        repo,
        pins=pins,
        tools=tools,
        instructions={iid: strip_template(doc.text) for iid, doc in repo.instructions.items()},
        require_dated=repo.rules.rules.require_dated_model,
        require_owner=repo.rules.rules.require_owner,
    )

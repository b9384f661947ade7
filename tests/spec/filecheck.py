"""Check prompt repository files against the pydantic models and the exported JSON Schemas."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pydantic
import yaml

from promptops.spec import EvalSet, ModelsFile, PromptFile, RulesFile, SignersFile, ToolsFile
from promptops.spec.export import export_schemas, kind_for_path

MODELS: dict[str, Any] = {
    "prompt-file": pydantic.TypeAdapter(PromptFile),
    "models": pydantic.TypeAdapter(ModelsFile),
    "tools": pydantic.TypeAdapter(ToolsFile),
    "rules": pydantic.TypeAdapter(RulesFile),
    "signers": pydantic.TypeAdapter(SignersFile),
    "eval": pydantic.TypeAdapter(EvalSet),
}


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(export_schemas()[kind])


def _as_json(value: Any) -> Any:
    # Editors read YAML 1.2, where 2026-10-01 is a string; PyYAML (1.1) makes it a date.
    def default(o: Any) -> Any:
        if isinstance(o, dt.date | dt.datetime):
            return o.isoformat()
        raise TypeError(type(o).__name__)

    return json.loads(json.dumps(value, default=default))


def repo_files(root: Path, under: str = ".") -> list[str]:
    """Files below ``root/under`` that have a schema kind, as sorted paths relative to root."""
    found = (root / under).rglob("*.yaml")
    rels = (p.relative_to(root).as_posix() for p in found if p.is_file())
    return sorted(r for r in rels if kind_for_path(r) is not None)


def check_file(root: Path, rel: str) -> list[str]:
    """Problems with one file: pydantic errors, JSON Schema errors, bad $schema line."""
    kind = kind_for_path(rel)
    assert kind is not None, rel
    text = (root / rel).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    problems = []
    try:
        MODELS[kind].validate_python(data)
    except pydantic.ValidationError as exc:
        problems.append(f"{rel}: model: {exc}")
    for err in _validator(kind).iter_errors(_as_json(data)):
        problems.append(f"{rel}: schema: {err.json_path}: {err.message}")
    return problems


def schema_line_target(root: Path, rel: str) -> Path | None:
    """The file a ``# yaml-language-server: $schema=`` first line points at, if any."""
    first = (root / rel).read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    if not first.startswith(prefix):
        return None
    return ((root / rel).parent / first.removeprefix(prefix)).resolve()

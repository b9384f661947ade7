"""JSON Schemas of every file kind, exported from the models for editors and other tools.

The shipped copies live in ``promptops/spec/schemas/<kind>.schema.json``; a test fails when
they drift from a fresh export (regenerate with ``promptops schema --out promptops/spec/schemas``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from promptops.errors import PromptopsError
from promptops.fsutil import atomic_write_text
from promptops.spec.evals import EvalSet
from promptops.spec.experiments import Experiment
from promptops.spec.header import HEADER_KEY, HEADER_SCHEMA
from promptops.spec.models_file import ModelsFile
from promptops.spec.policies import RulesFile, SignersFile, ToolsFile
from promptops.spec.prompts import PromptFile

__all__ = [
    "SCHEMA_KINDS",
    "SCHEMA_VERSION",
    "export_schemas",
    "kind_for_path",
    "load_shipped_schemas",
    "render_schema",
    "schema_filename",
    "write_schemas",
]

SCHEMA_VERSION = "v1"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# kind -> (type, title). Prompts, instructions and partials share one schema (they share
# the prompts/ folder), discriminated by ``kind``.
SCHEMA_KINDS: dict[str, tuple[Any, str]] = {
    "prompt-file": (PromptFile, "promptops prompt, instruction or partial (prompts/**/*.yaml)"),
    "models": (ModelsFile, "promptops model pins (models.yaml)"),
    "tools": (ToolsFile, "promptops tools (policies/tools.yaml)"),
    "rules": (RulesFile, "promptops lint rules (policies/rules.yaml)"),
    "signers": (SignersFile, "promptops trusted signers (policies/signers.yaml)"),
    "eval": (EvalSet, "promptops eval set (evals/**/*.yaml)"),
    "experiment": (Experiment, "promptops experiment (experiments/*.yaml)"),
}


class _EditorSchema(GenerateJsonSchema):
    """Closes every model object (``additionalProperties: false``) so editors flag typos.

    The models forbid unknown keys too (``promptops validate`` reports them as errors with
    a did-you-mean). Free-form mappings (params, inputs, JSON Schemas) stay open: they are
    not models.
    """

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        if json_schema.get("additionalProperties") is True:
            json_schema["additionalProperties"] = False
        return json_schema


def schema_filename(kind: str) -> str:
    """The file name of a kind's schema, e.g. ``prompt-file.schema.json``."""
    return f"{kind}.schema.json"


def _with_header(body: dict[str, Any]) -> None:
    """Allow the ``promptops:`` version header at the top of every file kind (it is no
    part of the models: the reader strips it)."""
    tops = [body]
    for branch in body.get("oneOf", []):
        ref = str(branch.get("$ref", ""))
        if ref.startswith("#/$defs/"):
            tops.append(body["$defs"][ref[len("#/$defs/") :]])
    for top in tops:
        if "properties" in top:
            top["properties"] = {HEADER_KEY: HEADER_SCHEMA, **top["properties"]}


def _export_one(kind: str) -> dict[str, Any]:
    target, title = SCHEMA_KINDS[kind]
    if isinstance(target, type) and issubclass(target, BaseModel):
        body = target.model_json_schema(by_alias=True, schema_generator=_EditorSchema)
    else:
        body = TypeAdapter(target).json_schema(by_alias=True, schema_generator=_EditorSchema)
    body.pop("title", None)
    _with_header(body)
    return {
        "$schema": _DIALECT,
        "$id": f"urn:promptops:schema:{SCHEMA_VERSION}:{kind}",
        "title": title,
        **body,
    }


def export_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema (draft 2020-12) per file kind, keyed by kind (see ``SCHEMA_KINDS``)."""
    return {kind: _export_one(kind) for kind in SCHEMA_KINDS}


def render_schema(schema: dict[str, Any]) -> str:
    """Canonical text of a schema: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every exported schema into ``out_dir`` (created if needed), atomically.

    Returns the paths written, in ``SCHEMA_KINDS`` order.

    Raises:
        PromptopsError: if ``out_dir`` cannot be created or written.
    """
    written = []
    for kind, schema in export_schemas().items():
        path = out_dir / schema_filename(kind)
        try:
            atomic_write_text(path, render_schema(schema))
        except OSError as exc:
            raise PromptopsError(
                f"cannot write {path}: {exc.strerror or exc}; choose a writable directory"
            ) from exc
        written.append(path)
    return written


def load_shipped_schemas() -> dict[str, str]:
    """The schema texts shipped inside the package, keyed by kind (missing kinds absent)."""
    folder = resources.files("promptops.spec").joinpath("schemas")
    shipped = {}
    for kind in SCHEMA_KINDS:
        entry = folder.joinpath(schema_filename(kind))
        if entry.is_file():
            shipped[kind] = entry.read_text(encoding="utf-8")
    return shipped


def kind_for_path(relpath: str) -> str | None:
    """The schema kind of a repository-relative POSIX path, or None for other files."""
    if relpath.endswith(".yml"):  # .yml is .yaml to promptops
        relpath = relpath[: -len(".yml")] + ".yaml"
    if relpath == "models.yaml":
        return "models"
    if relpath.startswith("prompts/") and relpath.endswith(".yaml"):
        return "prompt-file"
    if relpath.startswith("evals/") and relpath.endswith(".yaml"):
        return "eval"
    if relpath.startswith("experiments/") and relpath.endswith(".yaml"):
        return "experiment"
    return {
        "policies/tools.yaml": "tools",
        "policies/rules.yaml": "rules",
        "policies/signers.yaml": "signers",
    }.get(relpath)

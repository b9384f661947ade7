"""Langfuse prompts, as its API returns them (``GET /api/public/v2/prompts/{name}``).

A JSON file holds one prompt object, a list of them, or ``{"data": [...]}``: ``name``,
``version``, ``type`` (``text``: one user message; ``chat``: messages, with
``placeholder`` entries for chat history, which become ``{history: NAME}`` messages),
``prompt``, ``config`` (the model and its
parameters, by convention), ``labels`` and ``tags``. Variables are ``{{var}}`` as the
Langfuse SDKs compile them (:mod:`translate.mustache`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from promptops.interop.common import REQUEST_PARAMS, as_mapping, read_source, shown_path
from promptops.interop.langfuse_messages import add_messages
from promptops.interop.types import (
    ImportResult,
    ModelRef,
    PromptDraft,
    Where,
    diag,
)
from promptops.repo.textpos import text_position
from promptops.repo.types import Diagnostic
from promptops.spec import PROVIDERS

__all__ = ["NAME", "PATTERN_TEXT", "matches", "read"]

NAME = "Langfuse"
PATTERN_TEXT = "*.json"
_PARAMS = REQUEST_PARAMS
_META = (
    "id",
    "createdAt",
    "updatedAt",
    "projectId",
    "createdBy",
    "commitMessage",
    "resolutionGraph",
    "isActive",
    "labels",
    "tags",
    "name",
    "version",
    "type",
    "prompt",
    "config",
)


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format."""
    return path.suffix == ".json"


def _near(text: str, shown: str, anchor: int, pattern: str, default: Where) -> Where:
    """Where the match of ``pattern`` closest to ``anchor`` (the prompt object's name) is:
    a file may hold several objects, in any key order."""
    found = [m.start() for m in re.finditer(pattern, text)]
    if anchor < 0 or not found:
        return default
    at = min(found, key=lambda offset: abs(offset - anchor))
    line, col = text_position(text, at)
    return Where(shown, line, col)


def _objects(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if isinstance(data, dict):
        data = [data]
    if (
        isinstance(data, list)
        and data
        and all(isinstance(d, dict) and "name" in d and "prompt" in d for d in data)
    ):
        return data
    return None


def _choose(
    objects: list[dict[str, Any]], where: Where, out: list[Diagnostic]
) -> list[dict[str, Any]]:
    """One version per prompt name: the one labelled production, else the newest."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_name.setdefault(str(obj["name"]), []).append(obj)
    chosen = []
    for name, versions in sorted(by_name.items()):
        prod = [v for v in versions if "production" in (v.get("labels") or [])]
        pick = prod[0] if prod else max(versions, key=lambda v: v.get("version") or 0)
        if len(versions) > 1:
            out.append(
                diag(
                    where,
                    "warning",
                    "versions",
                    f"'{name}': imported version {pick.get('version')} of {len(versions)}; "
                    "in promptops each version is a commit, so import the others as "
                    "earlier commits if you need their history",
                )
            )
        chosen.append(pick)
    return chosen


def _is_schema(value: Any) -> bool:
    """A JSON Schema (a type, or properties that are schemas), not a free-form mapping."""
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("schema"), dict):
        return _is_schema(value["schema"])
    props = value.get("properties")
    return isinstance(value.get("type"), str | list) or (
        isinstance(props, dict) and all(isinstance(p, dict) for p in props.values())
    )


def _model(config: dict[str, Any], where: Where) -> ModelRef | None:
    model = config.get("model")
    if not isinstance(model, str) or not model:
        return None
    provider = config.get("provider")
    if provider not in PROVIDERS:
        provider = "anthropic" if model.startswith("claude") else "openai"
    base_url = config.get("base_url") if isinstance(config.get("base_url"), str) else None
    return ModelRef(model, str(provider), model, where, base_url)


def _draft(obj: dict[str, Any], text: str, shown: str, out: list[Diagnostic]) -> PromptDraft | None:
    name = str(obj["name"])
    anchor = -1
    for m in re.finditer(r'"name"\s*:\s*' + re.escape(json.dumps(name)), text):
        anchor = m.start()
        break
    where = Where(shown, *text_position(text, anchor)) if anchor >= 0 else Where(shown)

    def at(key: str) -> Where:
        return _near(text, shown, anchor, '"' + re.escape(key) + r'"\s*:', where)

    pid = "/".join(
        "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in part.lower()).strip("-.")
        or "prompt"
        for part in name.split("/")
    )
    config = as_mapping(obj.get("config"))
    draft = PromptDraft(
        id=pid,
        where=where,
        messages=[],
        model=_model(config, at("model")),
        params={k: config[k] for k in _PARAMS if k in config},
        slots=frozenset({"model", "params", "output", "tools", "tags", "messages"}),
    )
    tags = obj.get("tags")
    draft.tags = [str(t) for t in tags] if isinstance(tags, list) else []
    # Langfuse's config is free-form: 'json_schema' is the output schema only when it is
    # one (applications also keep field notes under that name, to paste into the text).
    schema_key = "json_schema" if _is_schema(config.get("json_schema")) else None
    rest = sorted(k for k in config if k not in (*_PARAMS, "model", "response_format", schema_key))
    if rest:
        out.append(
            diag(
                at(rest[0]),
                "warning",
                "config",
                f"config {', '.join(rest)} of '{name}' is not a model parameter promptops "
                "knows; it was not imported",
            )
        )
    fmt = as_mapping(config.get("response_format"))
    schema = (config.get("json_schema") if schema_key else None) or as_mapping(
        fmt.get("json_schema")
    ).get("schema")
    if isinstance(schema, dict):
        draft.output_schema = (
            schema.get("schema") if isinstance(schema.get("schema"), dict) else schema
        )
    elif fmt.get("type") == "json_object":
        draft.params["response_format"] = {"type": "json_object"}
    labels = [str(x) for x in obj.get("labels") or [] if str(x) != "latest"]
    if labels:
        out.append(
            diag(
                at("labels"),
                "warning",
                "labels",
                f"labels {', '.join(labels)} of '{name}' point a deployment at a version; "
                "in promptops that is a release and its channel (promptops release / "
                "promote), so they were not imported",
            )
        )
    if not add_messages(
        draft, obj, name, lambda pattern: _near(text, shown, anchor, pattern, where), out
    ):
        return None
    return draft


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Read one JSON file of Langfuse prompt objects."""
    shown = shown_path(path, base)
    result = ImportResult()
    out = result.diagnostics
    text = read_source(path, shown, result)
    if text is None:
        return result
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        col = getattr(exc, "colno", 1)
        out.append(diag(Where(shown, line, col), "error", "json", f"not JSON: {exc}"))
        return result
    objects = _objects(data)
    if objects is None:
        out.append(
            diag(
                Where(shown),
                "error",
                "not-format",
                "not a Langfuse prompt: expected an object with 'name' and 'prompt' (or a "
                "list of them) as the Langfuse API returns",
            )
        )
        return result
    for obj in _choose(objects, Where(shown), out):
        draft = _draft(obj, text, shown, out)
        if draft is not None:
            result.documents.append(draft)
    return result

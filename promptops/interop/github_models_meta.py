"""The parts of a GitHub Models prompt file beside its messages: the model (served by the
GitHub Models endpoint), ``modelParameters``, ``responseFormat``/``jsonSchema`` and the
``evaluators`` as promptops assertions per test case."""

from __future__ import annotations

import json
import re
from typing import Any

from promptops.interop.export_common import schema_name
from promptops.interop.sources import Loaded
from promptops.interop.translate.mustache import render_mustache
from promptops.interop.types import ModelRef, diag
from promptops.repo.types import Diagnostic

__all__ = ["GITHUB_MODELS_URL", "PARAMS", "assertions", "model", "output_schema", "params"]

GITHUB_MODELS_URL = "https://models.github.ai/inference"
# What gh models and the actions/ai-inference action send (maxCompletionTokens is the
# action's newer spelling of maxTokens).
PARAMS = {
    "maxTokens": "max_tokens",
    "maxCompletionTokens": "max_completion_tokens",
    "temperature": "temperature",
    "topP": "top_p",
}


def model(loaded: Loaded, raw: Any, out: list[Diagnostic]) -> ModelRef | None:
    if not isinstance(raw, str) or not raw.strip():
        out.append(
            diag(
                loaded.where(("model",)),
                "error",
                "model",
                "expected 'model: publisher/name' (e.g. openai/gpt-4o-mini)",
            )
        )
        return None
    return ModelRef(raw, "openai-compatible", raw, loaded.where(("model",)), GITHUB_MODELS_URL)


def params(loaded: Loaded, raw: Any, out: list[Diagnostic]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if raw is None:
        return params
    if not isinstance(raw, dict):
        out.append(
            diag(
                loaded.where(("modelParameters",)),
                "error",
                "params",
                f"modelParameters must be a mapping ({', '.join(PARAMS)})",
            )
        )
        return params
    for key, value in raw.items():
        if key in PARAMS:
            params[PARAMS[key]] = value
        else:
            out.append(
                diag(
                    loaded.where(("modelParameters", key), key=True),
                    "warning",
                    "unknown-key",
                    f"modelParameters.{key} is not one GitHub Models sends "
                    f"({', '.join(PARAMS)}); it was not imported",
                )
            )
    return params


def output_schema(
    loaded: Loaded, data: dict[str, Any], pid: str, params: dict[str, Any], out: list[Diagnostic]
) -> dict[str, Any] | None:
    fmt = data.get("responseFormat")
    if fmt in (None, "text"):
        return None
    if fmt == "json_object":
        params["response_format"] = {"type": "json_object"}
        return None
    if fmt != "json_schema":
        out.append(
            diag(
                loaded.where(("responseFormat",)),
                "error",
                "response-format",
                f"responseFormat must be text, json_object or json_schema, found {fmt!r}",
            )
        )
        return None
    raw = data.get("jsonSchema")
    where = loaded.where(("jsonSchema",))
    try:
        spec = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        out.append(diag(where, "error", "json-schema", f"jsonSchema is not JSON: {exc}"))
        return None
    if isinstance(spec, dict) and "schema" not in spec and "type" in spec:
        # The older YAML form: the schema itself, with no name or strict flag.
        spec = {"schema": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        out.append(
            diag(
                where,
                "error",
                "json-schema",
                "jsonSchema must hold {name, schema}: a JSON string (as gh models writes "
                "it) or a YAML mapping",
            )
        )
        return None
    expected_name = schema_name(pid)
    if spec.get("name") not in (None, expected_name):
        out.append(
            diag(
                where,
                "warning",
                "schema-name",
                f"jsonSchema name '{spec.get('name')}' is not kept: promptops names the "
                f"response format after the prompt ('{expected_name}')",
            )
        )
    if spec.get("strict"):
        out.append(
            diag(
                where,
                "warning",
                "schema-strict",
                "jsonSchema 'strict: true' is not kept: promptops sends the schema "
                "without OpenAI's strict flag",
            )
        )
    schema: dict[str, Any] = spec["schema"]
    return schema


def assertions(
    loaded: Loaded, evaluators: Any, row: dict[str, Any], first: bool, out: list[Diagnostic]
) -> list[dict[str, Any]]:
    """promptops assertions for one test case (evaluator values are templated per case)."""
    asserts: list[dict[str, Any]] = []
    if not isinstance(evaluators, list):
        return asserts
    for i, ev in enumerate(evaluators):
        where = loaded.where(("evaluators", i))
        if not isinstance(ev, dict):
            continue
        if isinstance(ev.get("string"), dict):
            for kind, value in ev["string"].items():
                text = render_mustache(str(value), row, "github")
                if not text:
                    if first:
                        out.append(
                            diag(
                                where,
                                "warning",
                                "evaluator",
                                f"evaluator '{ev.get('name')}' checks an empty string, "
                                "which always passes; it was not imported",
                            )
                        )
                    continue
                if kind == "contains":
                    asserts.append({"icontains": text})  # gh models compares lower-cased
                elif kind == "equals":
                    asserts.append({"equals": text})
                elif kind == "startsWith":
                    asserts.append({"regex": "(?i)^" + re.escape(text)})
                elif kind == "endsWith":
                    asserts.append({"regex": "(?i)" + re.escape(text) + r"\Z"})
                elif first:
                    out.append(
                        diag(
                            where,
                            "warning",
                            "evaluator",
                            f"string evaluator '{kind}' is not one gh models knows; "
                            "it was not imported",
                        )
                    )
        elif first:
            uses = ev.get("uses")
            what = (
                f"the built-in judge '{uses}'"
                if isinstance(uses, str) and uses.startswith("github/")
                else "an LLM judge"
                if "llm" in ev
                else f"'{uses}'"
                if uses
                else "this evaluator"
            )
            out.append(
                diag(
                    where,
                    "warning",
                    "evaluator",
                    f"evaluator '{ev.get('name')}' uses {what}, which needs a judge model "
                    "promptops evals do not run yet; it was not imported: check that "
                    "quality in review, or replace it with string assertions",
                )
            )
    return asserts

"""Format writers: a compiled prompt (ADR 0002 object) and its eval cases -> files.

Each writer says the prompt as well as its format can and raises
:class:`Unexpressible` when the prompt needs something the format has no way to say.
Whether what was written comes back identical is checked by importing it again
(:mod:`export`), so a writer never has to be trusted on that.
"""

from __future__ import annotations

import json
from typing import Any

from promptops.interop.export_asserts import github_evaluators, promptfoo_asserts
from promptops.interop.export_common import (
    Files,
    Unexpressible,
    messages_of,
    model_of,
    mustache_text,
    params_of,
    schema_name,
    turns_of,
)
from promptops.interop.github_models import GITHUB_MODELS_URL
from promptops.interop.github_models_meta import PARAMS as GH_PARAMS
from promptops.interop.writers_dotprompt import dotprompt
from promptops.interop.writers_prompty import prompty
from promptops.interop.writers_python import python
from promptops.interop.yamlout import dump_yaml

__all__ = ["WRITERS", "Unexpressible"]

_GH_PARAMS = {ours: theirs for theirs, ours in GH_PARAMS.items()}


def _cases(evals: Any) -> list[dict[str, Any]]:
    return [] if evals is None else [c.model_dump(by_alias=True) for c in evals.cases]


def github_models(obj: dict[str, Any], evals: Any) -> Files:
    model = model_of(obj)
    if model["provider"] == "openai-compatible" and model.get("base_url") == GITHUB_MODELS_URL:
        model_id = model["model"]
    elif model["provider"] == "openai":
        model_id = "openai/" + model["model"]
    else:
        raise Unexpressible(f"GitHub Models serves no {model['provider']} model")
    data: dict[str, Any] = {"name": obj["id"]}
    if obj.get("description"):
        data["description"] = obj["description"]
    data["model"] = model_id
    params = params_of(obj)
    fmt = params.pop("response_format", None)
    extra = sorted(k for k in params if k not in _GH_PARAMS)
    if extra:
        raise Unexpressible(
            f"params {', '.join(extra)} (GitHub Models sends {', '.join(GH_PARAMS)})"
        )
    if params:
        data["modelParameters"] = {_GH_PARAMS[k]: v for k, v in params.items()}
    if obj.get("output_schema") is not None:
        name = schema_name(obj["id"])
        data["responseFormat"] = "json_schema"
        data["jsonSchema"] = json.dumps({"name": name, "schema": obj["output_schema"]}, indent=2)
    elif fmt == {"type": "json_object"}:
        data["responseFormat"] = "json_object"
    elif fmt is not None:
        raise Unexpressible("response_format")
    data["messages"] = [{"role": r, "content": mustache_text(t, e)} for r, t, e in messages_of(obj)]
    cases = _cases(evals)
    if cases:
        data["testData"] = [c.get("inputs") or {} for c in cases]
        evaluators = github_evaluators(cases)
        if evaluators:
            data["evaluators"] = evaluators
    return {f"{obj['id']}.prompt.yml": dump_yaml(data)}


def langfuse(obj: dict[str, Any], evals: Any) -> Files:
    messages: list[dict[str, str]] = []
    for t in turns_of(obj):
        if t.history is not None:
            # A chat placeholder: the messages given for it are spliced in there.
            messages.append({"type": "placeholder", "name": t.history})
        elif t.parts is not None:
            raise Unexpressible("content parts (images, files): Langfuse messages are text")
        else:
            messages.append({"role": t.role, "content": mustache_text(t.template, t.engine)})
    model = model_of(obj)
    config: dict[str, Any] = {"model": model["model"], **params_of(obj)}
    if model["provider"] not in ("openai", "anthropic") or model.get("base_url"):
        # Langfuse's config is free-form: name the provider and endpoint for the way back.
        config["provider"] = model["provider"]
        if model.get("base_url"):
            config["base_url"] = model["base_url"]
    if obj.get("output_schema") is not None:
        config["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema_name(obj["id"]), "schema": obj["output_schema"]},
        }
    data: dict[str, Any] = {"name": obj["id"], "version": 1}
    if len(messages) == 1 and messages[0].get("role") == "user":
        data["type"], data["prompt"] = "text", messages[0]["content"]
    else:
        data["type"], data["prompt"] = "chat", messages
    data.update({"config": config, "labels": [], "tags": list(obj.get("tags") or [])})
    return {f"{obj['id']}.json": json.dumps(data, indent=2, ensure_ascii=False) + "\n"}


def promptfoo(obj: dict[str, Any], evals: Any) -> Files:
    model = model_of(obj)
    config_extra: dict[str, Any] = {}
    if model["provider"] == "openai":
        provider = "openai:" + model["model"]
    elif model["provider"] == "anthropic":
        provider = "anthropic:messages:" + model["model"]
    elif model["provider"] == "openai-compatible" and model.get("base_url"):
        provider = "openai:chat:" + model["model"]
        config_extra["apiBaseUrl"] = model["base_url"]
    else:
        raise Unexpressible(f"no promptfoo provider id for a {model['provider']} pin")
    label = obj["id"].rsplit("/", 1)[-1]
    chat = [{"role": r, "content": t} for r, t, _ in messages_of(obj)]
    if obj.get("output_schema") is not None:
        name = schema_name(obj["id"])
        config_extra["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": obj["output_schema"]},
        }
    entry: dict[str, Any] = {"id": provider, "label": label, "prompts": [label]}
    if obj.get("params") or config_extra:
        entry["config"] = {**params_of(obj), **config_extra}
    config: dict[str, Any] = {}
    if obj.get("description"):
        config["description"] = obj["description"]
    config["prompts"] = [{"id": f"file://{label}.json", "label": label}]
    config["providers"] = [entry]
    cases = _cases(evals)
    if cases:
        config["tests"] = []
        for c in cases:
            test: dict[str, Any] = {"description": c["name"], "vars": c.get("inputs") or {}}
            asserts, _ = promptfoo_asserts(c.get("assert") or [])
            if asserts:
                test["assert"] = asserts
            config["tests"].append(test)
    folder = obj["id"].rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    return {
        f"{prefix}promptfooconfig.yaml": dump_yaml(config),
        f"{prefix}{label}.json": json.dumps(chat, indent=2, ensure_ascii=False) + "\n",
    }


WRITERS = {
    "github-models": github_models,
    "langfuse": langfuse,
    "prompty": prompty,
    "dotprompt": dotprompt,
    "promptfoo": promptfoo,
    "python": python,
}

"""Format writers: a compiled prompt (ADR 0002 object) and its eval cases -> files.

Each writer says the prompt as well as its format can and raises
:class:`Unexpressible` when the prompt needs something the format has no way to say.
Whether what was written comes back identical is checked by importing it again
(:mod:`export`), so a writer never has to be trusted on that.
"""

from __future__ import annotations

import json
from typing import Any

from promptops.interop.dotprompt_meta import GEMINI_OPENAI_URL
from promptops.interop.export_asserts import github_evaluators, promptfoo_asserts
from promptops.interop.export_common import (
    Unexpressible,
    messages_of,
    mustache_text,
    params_of,
    schema_name,
)
from promptops.interop.github_models import GITHUB_MODELS_URL
from promptops.interop.github_models_meta import PARAMS as GH_PARAMS
from promptops.interop.picoschema import to_picoschema
from promptops.interop.translate.jinja_hbs import jinja_to_handlebars
from promptops.interop.writers_python import python
from promptops.interop.yamlout import dump_yaml

__all__ = ["WRITERS", "Unexpressible"]

Files = dict[str, str]
_GH_PARAMS = {ours: theirs for theirs, ours in GH_PARAMS.items()}
_DP_CONFIG = {
    "temperature": "temperature",
    "max_tokens": "maxOutputTokens",
    "top_p": "topP",
    "top_k": "topK",
    "stop": "stopSequences",
    "seed": "seed",
}
_PTY_OPTIONS = {
    "temperature": "temperature",
    "max_tokens": "maxOutputTokens",
    "top_p": "topP",
    "top_k": "topK",
    "frequency_penalty": "frequencyPenalty",
    "presence_penalty": "presencePenalty",
    "seed": "seed",
    "stop": "stopSequences",
    "parallel_tool_calls": "allowMultipleToolCalls",
}
_KINDS = {
    "string": "string",
    "integer": "integer",
    "number": "float",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}


def _model(obj: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = obj["model"]
    return model


def _cases(evals: Any) -> list[dict[str, Any]]:
    return [] if evals is None else [c.model_dump(by_alias=True) for c in evals.cases]


def github_models(obj: dict[str, Any], evals: Any) -> Files:
    model = _model(obj)
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
    messages = [(r, mustache_text(t, e)) for r, t, e in messages_of(obj)]
    model = _model(obj)
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
    if len(messages) == 1 and messages[0][0] == "user":
        data["type"], data["prompt"] = "text", messages[0][1]
    else:
        data["type"], data["prompt"] = "chat", [{"role": r, "content": c} for r, c in messages]
    data.update({"config": config, "labels": [], "tags": list(obj.get("tags") or [])})
    return {f"{obj['id']}.json": json.dumps(data, indent=2, ensure_ascii=False) + "\n"}


def _property(name: str | None, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    kind = schema.get("type")
    prop: dict[str, Any] = {} if name is None else {"name": name}
    if isinstance(kind, str) and kind in _KINDS:
        prop["kind"] = _KINDS[kind]
    for src, dst in (
        ("description", "description"),
        ("enum", "enumValues"),
        ("default", "default"),
    ):
        if src in schema:
            prop[dst] = schema[src]
    if isinstance(schema.get("items"), dict):
        prop["items"] = _property(None, schema["items"], False)
    if kind == "object" and isinstance(schema.get("properties"), dict):
        needed = set(schema.get("required", []))
        prop["properties"] = [_property(n, s, n in needed) for n, s in schema["properties"].items()]
    if required:
        prop["required"] = True
    return prop


def prompty(obj: dict[str, Any], evals: Any) -> Files:
    model = _model(obj)
    front: dict[str, Any] = {"name": obj["id"]}
    if obj.get("description"):
        front["description"] = obj["description"]
    if obj.get("tags"):
        front["metadata"] = {"tags": list(obj["tags"])}
    provider = model["provider"]
    spec: dict[str, Any] = {"id": model["model"], "provider": provider}
    if model.get("base_url"):
        spec["connection"] = {"kind": "key", "endpoint": model["base_url"]}
    options: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in params_of(obj).items():
        if key in _PTY_OPTIONS:
            options[_PTY_OPTIONS[key]] = value
        else:
            extra[key] = value
    if extra:
        options["additionalProperties"] = extra
    if options:
        spec["options"] = options
    front["model"] = spec
    schema = obj["input_schema"]
    required = set(schema.get("required", []))
    props = schema.get("properties", {})
    if props:
        front["inputs"] = [_property(n, s, n in required) for n, s in props.items()]
    output = obj.get("output_schema")
    if isinstance(output, dict) and output.get("type") == "object" and output.get("properties"):
        needed = set(output.get("required", []))
        front["outputs"] = [_property(n, s, n in needed) for n, s in output["properties"].items()]
    if obj.get("tools"):
        front["tools"] = [
            {
                "name": t["name"],
                "kind": "function",
                "description": t["description"],
                "parameters": [
                    _property(n, s, n in set(t["parameters"].get("required", [])))
                    for n, s in (t["parameters"].get("properties") or {}).items()
                ],
            }
            for t in obj["tools"]
        ]
    body = []
    for role, template, _ in messages_of(obj):
        body.append(f"{role}:\n{template}\n")
    text = "---\n" + dump_yaml(front) + "---\n" + "\n".join(body)
    return {f"{obj['id']}.prompty": text}


def _dotprompt_model(model: dict[str, Any]) -> str:
    name = str(model["model"])
    if model["provider"] == "openai":
        return "openai/" + name
    if model["provider"] == "anthropic":
        return "anthropic/" + name
    if model.get("base_url") == GEMINI_OPENAI_URL:
        return "googleai/" + name
    raise Unexpressible(
        f"no Genkit model name for a {model['provider']} pin at {model.get('base_url')}"
    )


def dotprompt(obj: dict[str, Any], evals: Any) -> Files:
    front: dict[str, Any] = {}
    if obj.get("description"):
        front["description"] = obj["description"]
    front["model"] = _dotprompt_model(_model(obj))
    params = params_of(obj)
    fmt = params.pop("response_format", None)
    extra = sorted(k for k in params if k not in _DP_CONFIG)
    if extra:
        raise Unexpressible(f"params {', '.join(extra)}")
    if params:
        front["config"] = {_DP_CONFIG[k]: v for k, v in params.items()}
    schema = obj["input_schema"]
    if schema.get("properties"):
        # Dotprompt keeps defaults beside the schema ('input.default'), not in it.
        props = {k: dict(v) for k, v in schema["properties"].items()}
        defaults = {k: p.pop("default") for k, p in props.items() if "default" in p}
        inputs = {"type": "object", "properties": props, "additionalProperties": False}
        if schema.get("required"):
            inputs["required"] = schema["required"]
        pico = to_picoschema(inputs)
        front["input"] = {"schema": pico if pico is not None else inputs}
        if defaults:
            front["input"]["default"] = defaults
    if obj.get("output_schema") is not None:
        pico = to_picoschema(obj["output_schema"])
        front["output"] = {
            "format": "json",
            "schema": pico if pico is not None else obj["output_schema"],
        }
    elif fmt == {"type": "json_object"}:
        front["output"] = {"format": "json"}
    if obj.get("tools"):
        front["tools"] = [t["name"] for t in obj["tools"]]
    roles = {"system": "system", "user": "user", "assistant": "model"}
    body = "".join(
        '{{role "' + roles[r] + '"}}' + jinja_to_handlebars(t) for r, t, _ in messages_of(obj)
    )
    return {f"{obj['id']}.prompt": "---\n" + dump_yaml(front) + "---\n" + body}


def promptfoo(obj: dict[str, Any], evals: Any) -> Files:
    model = _model(obj)
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

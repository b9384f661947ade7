"""The Prompty writer: a compiled prompt as a Prompty 2.x file (``model: {id, provider,
connection, options}``, inputs and outputs as property lists, function tools), its messages
under ``system:``/``user:``/``assistant:`` lines. Chat history is a ``kind: thread`` input
placed on a line of its own, image and file parts ``kind: image``/``file`` inputs."""

from __future__ import annotations

from typing import Any

from promptops.interop.export_common import Files, model_of, params_of, schema_name, turns_of
from promptops.interop.prompty_meta import object_schema
from promptops.interop.yamlout import dump_yaml

__all__ = ["prompty"]

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


def _outputs(output: Any) -> list[dict[str, Any]] | None:
    """The output schema as a Prompty property list, when that reads back the same."""
    if not isinstance(output, dict) or output.get("type") != "object":
        return None
    if not output.get("properties"):
        return None
    needed = set(output.get("required", []))
    props = [_property(n, s, n in needed) for n, s in output["properties"].items()]
    return props if object_schema(props) == output else None


def prompty(obj: dict[str, Any], evals: Any) -> Files:
    model = model_of(obj)
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
    output = obj.get("output_schema")
    outputs = _outputs(output)
    if output is not None and outputs is None:
        # A schema the property list cannot hold exactly travels as the OpenAI response
        # format, which Prompty passes through (additionalProperties) as promptops sends it.
        extra["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema_name(obj["id"]), "schema": output},
        }
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
    turns = turns_of(obj)
    kinds = {t.history: "thread" for t in turns if t.history is not None}
    for t in turns:
        kinds.update({value: kind for kind, value, _ in t.parts or () if kind != "text"})
    schema = obj["input_schema"]
    required = set(schema.get("required", []))
    props = schema.get("properties", {})
    if props:
        front["inputs"] = [
            {"name": n, "kind": kinds[n]} if n in kinds else _property(n, s, n in required)
            for n, s in props.items()
        ]
    if outputs is not None:
        front["outputs"] = outputs
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
    for t in turns:
        if t.history is not None:
            # A thread input on a line of its own: Prompty splices the conversation there.
            body.append("{{" + t.history + "}}\n")
        elif t.parts is not None:
            lines = [v if k == "text" else "{{" + v + "}}" for k, v, _ in t.parts]
            body.append(f"{t.role}:\n" + "\n".join(lines) + "\n")
        else:
            body.append(f"{t.role}:\n{t.template}\n")
    text = "---\n" + dump_yaml(front) + "---\n" + "\n".join(body)
    return {f"{obj['id']}.prompty": text}

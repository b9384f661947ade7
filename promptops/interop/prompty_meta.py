"""Prompty front matter -> input and output schemas, tools, samples."""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import meta

from promptops.interop.prompty_body import Version
from promptops.interop.prompty_model import at
from promptops.interop.schema_infer import infer_schema
from promptops.interop.sources import Loaded
from promptops.interop.translate.njk_jinja import translate_nunjucks
from promptops.interop.types import Sample, ToolDraft, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["inputs_and_samples", "object_schema", "output_schema", "tools"]

_KINDS = {
    "string": "string",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
    "list": "array",
    "dict": "object",
}
_MEDIA = {"image", "file", "audio"}


def _property_schema(prop: Any) -> dict[str, Any]:
    """A 2.x Property (or a 1.x type mapping) as JSON Schema."""
    if not isinstance(prop, dict):
        return {"type": "string"} if isinstance(prop, str) else infer_schema([prop], None)
    out: dict[str, Any] = {}
    kind = prop.get("kind", prop.get("type"))
    if isinstance(kind, str) and kind in _KINDS:
        out["type"] = _KINDS[kind]
    if isinstance(prop.get("description"), str):
        out["description"] = prop["description"]
    enum = prop.get("enumValues", prop.get("enum"))
    if isinstance(enum, list):
        out["enum"] = enum
    if "items" in prop and isinstance(prop["items"], dict):
        out["items"] = _property_schema(prop["items"])
    props = prop.get("properties")
    if isinstance(props, list | dict):
        out.update(object_schema(props))
    return out


def object_schema(props: Any) -> dict[str, Any]:
    entries = (
        [(p.get("name"), p) for p in props if isinstance(p, dict)]
        if isinstance(props, list)
        else list(props.items())
        if isinstance(props, dict)
        else []
    )
    properties = {str(n): _property_schema(p) for n, p in entries if n is not None}
    required = sorted(str(n) for n, p in entries if isinstance(p, dict) and p.get("required"))
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


def output_schema(
    data: dict[str, Any], version: Version, loaded: Loaded | None, shown: str, out: list[Diagnostic]
) -> dict[str, Any] | None:
    """The structured output schema: ``outputs`` or a json_schema response format."""
    model = data.get("model")
    params = model.get("parameters", model.get("options")) if isinstance(model, dict) else None
    fmt = params.get("response_format") if isinstance(params, dict) else None
    passed = params.get("additionalProperties") if isinstance(params, dict) else None
    if fmt is None and isinstance(passed, dict):
        fmt = passed.get("response_format")  # 2.x: passed through to the API as it is
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            if spec.get("strict"):
                out.append(
                    diag(
                        at(loaded, shown, ("model", "parameters", "response_format")),
                        "warning",
                        "schema-strict",
                        "'strict: true' is not kept: promptops "
                        "sends the schema without OpenAI's strict flag",
                    )
                )
            schema: dict[str, Any] = spec["schema"]
            return schema
    outputs = data.get("outputs")
    if isinstance(outputs, list | dict) and outputs:
        return object_schema(outputs)
    return None


def tools(
    data: dict[str, Any], version: Version, loaded: Loaded | None, shown: str, out: list[Diagnostic]
) -> list[ToolDraft]:
    """Function tools (1.x: OpenAI format under model.parameters; 2.x: ``tools``)."""
    found: list[ToolDraft] = []
    model = data.get("model")
    params = model.get("parameters", model.get("options")) if isinstance(model, dict) else None
    raw = params.get("tools") if isinstance(params, dict) else None
    if isinstance(raw, list):
        for i, t in enumerate(raw):
            fn = t.get("function") if isinstance(t, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                raw_schema = fn.get("parameters")
                schema = raw_schema if isinstance(raw_schema, dict) else {}
                found.append(
                    ToolDraft(
                        fn["name"],
                        str(fn.get("description", "")),
                        schema,
                        at(loaded, shown, ("model", "parameters", "tools", i)),
                    )
                )
    raw = data.get("tools")
    if isinstance(raw, list):
        for i, t in enumerate(raw):
            where = at(loaded, shown, ("tools", i))
            if not isinstance(t, dict) or not isinstance(t.get("name"), str):
                continue
            if t.get("kind", "function") != "function":
                out.append(
                    diag(
                        where,
                        "warning",
                        "tool-kind",
                        f"tool '{t['name']}' of kind '{t.get('kind')}' has no promptops "
                        "equivalent (function tools only); it was not imported",
                    )
                )
                continue
            schema = object_schema(t.get("parameters") or [])
            if isinstance(t.get("parameters"), dict) and "properties" in t["parameters"]:
                schema = object_schema(t["parameters"]["properties"])
            raw_bound = t.get("bindings")
            bound: dict[str, Any] = raw_bound if isinstance(raw_bound, dict) else {}
            for name in bound:
                schema["properties"].pop(name, None)
                if name in schema.get("required", []):
                    schema["required"].remove(name)
            if bound:
                out.append(
                    diag(
                        where,
                        "warning",
                        "tool-bindings",
                        f"tool '{t['name']}' binds {', '.join(map(str, bound))}: the "
                        "parameter is left out of the schema as Prompty does, and your "
                        "application must supply it when it runs the tool",
                    )
                )
            if t.get("strict"):
                out.append(
                    diag(
                        where,
                        "warning",
                        "schema-strict",
                        f"tool '{t['name']}': 'strict' is not kept",
                    )
                )
            found.append(ToolDraft(t["name"], str(t.get("description", "")), schema, where))
    return found


# Keys of an input written out in full; anything else under an input's name is its value
# (the shorthand ``inputs: {firstName: Jane}`` of later 1.x runtimes).
_PROPERTY_KEYS = {
    "name",
    "kind",
    "type",
    "description",
    "default",
    "sample",
    "example",
    "required",
    "items",
    "properties",
    "enum",
    "enumValues",
    "internal",
    "strict",
}


def _is_property(prop: Any) -> bool:
    return isinstance(prop, dict) and bool(prop) and set(prop) <= _PROPERTY_KEYS


def _declared(data: dict[str, Any]) -> list[tuple[str, Any, tuple[object, ...]]]:
    raw = data.get("inputs")
    if isinstance(raw, list):
        return [
            (str(p["name"]), p, ("inputs", i))
            for i, p in enumerate(raw)
            if isinstance(p, dict) and "name" in p
        ]
    if isinstance(raw, dict):
        return [(str(k), v, ("inputs", k)) for k, v in raw.items()]
    return []


def inputs_and_samples(
    data: dict[str, Any],
    version: Version,
    body: str,
    loaded: Loaded | None,
    shown: str,
    out: list[Diagnostic],
) -> tuple[dict[str, dict[str, Any]], list[Sample], dict[str, str]]:
    """Input schemas, the samples to prove rendering with, and the inputs of kind thread,
    image, file or audio (name -> kind): the body places those, not Jinja."""
    try:
        used = sorted(meta.find_undeclared_variables(jinja2.Environment().parse(body)))
        usage = translate_nunjucks(jinja2.Environment().parse(body), body, {}).usage
    except jinja2.TemplateSyntaxError as exc:
        out.append(diag(Where(shown), "error", "template", f"the body is not Jinja: {exc.message}"))
        return {}, [], {}
    sample_raw = data.get("sample") if version == 1 else None
    sample = dict(sample_raw) if isinstance(sample_raw, dict) else {}
    inputs: dict[str, dict[str, Any]] = {}
    threads: dict[str, str] = {}
    proof: dict[str, Any] = {}
    for name, prop, loc in _declared(data):
        kind = prop.get("kind") if isinstance(prop, dict) else None
        if kind == "thread" or kind in _MEDIA:
            # Placed by prompty_turns: a history message or a content part where the
            # body prints it on a line of its own.
            threads[name] = str(kind)
            if kind == "audio":
                out.append(
                    diag(
                        at(loaded, shown, loc),
                        "warning",
                        "media",
                        f"'{name}' is an audio input, which promptops prompts cannot send "
                        "(content parts are text, images and files); it was left out of "
                        "the template: pass it from your application",
                    )
                )
            elif kind == "thread":
                inputs[name] = {"type": "array", "default": []}
            else:
                inputs[name] = {"type": "object"}
                if isinstance(prop, dict) and isinstance(prop.get("description"), str):
                    inputs[name]["description"] = prop["description"]
            continue
        if _is_property(prop):
            value = prop.get("example", prop.get("default", prop.get("sample")))
            has_value = any(k in prop for k in ("example", "default", "sample"))
            schema = _property_schema(prop)
            if not schema.get("type"):
                seen = [sample[name]] if name in sample else [value] if has_value else []
                schema = {**infer_schema(seen, usage.get(name)), **schema}
            if "default" in prop:
                schema["default"] = prop["default"]
            elif version == 2 and not prop.get("required") and schema.get("type") == "string":
                schema["default"] = ""  # optional in Prompty: renders as nothing when absent
        else:
            schema = {**infer_schema([prop], None), "default": prop}
            value, has_value = prop, True
        inputs[name] = schema
        if name in sample:
            proof[name] = sample[name]
        elif has_value:
            proof[name] = value
    for name in used:
        if name in inputs or name in threads:
            continue
        schema = infer_schema([sample[name]] if name in sample else [], usage.get(name))
        if name not in sample and schema.get("type") == "string":
            schema["default"] = ""  # Jinja renders an input nobody passes as nothing
        inputs[name] = schema
        if name in sample:
            proof[name] = sample[name]
    for name in sample:
        if name not in inputs and name not in threads:
            out.append(
                diag(
                    at(loaded, shown, ("sample", name)),
                    "warning",
                    "sample-unused",
                    f"sample value '{name}' is used by no template; it was not imported",
                )
            )
    samples: list[Sample] = []
    if sample or proof:
        where = at(loaded, shown, ("sample",) if sample else ("inputs",))
        samples.append(Sample("sample", {k: v for k, v in proof.items() if k in inputs}, where))
    return inputs, samples, threads

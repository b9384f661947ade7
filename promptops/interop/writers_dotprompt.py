"""The Dotprompt writer: a compiled prompt as a ``.prompt`` file (Picoschema input and
output schemas, ``input.default``, the model as Genkit names it) with a Handlebars body
whose ``{{role}}`` markers start the messages. Chat history is ``{{history}}``, an image
part ``{{media url=INPUT.url}}``. Each variant is a ``.VARIANT.prompt`` file beside it."""

from __future__ import annotations

from typing import Any

from promptops.interop.dotprompt_meta import GEMINI_OPENAI_URL
from promptops.interop.export_common import (
    Files,
    Turn,
    Unexpressible,
    model_of,
    params_of,
    turns_of,
)
from promptops.interop.picoschema import to_picoschema
from promptops.interop.translate.jinja_hbs import jinja_to_handlebars
from promptops.interop.yamlout import dump_yaml

__all__ = ["dotprompt"]

_DP_CONFIG = {
    "temperature": "temperature",
    "max_tokens": "maxOutputTokens",
    "top_p": "topP",
    "top_k": "topK",
    "stop": "stopSequences",
    "seed": "seed",
}


def _dotprompt_model(model: dict[str, Any]) -> str:
    name = str(model["model"])
    if model["provider"] == "openai":
        return "openai/" + name
    if model["provider"] == "anthropic":
        return "anthropic/" + name
    if model.get("base_url") == GEMINI_OPENAI_URL:
        return "googleai/" + name
    at = f" at {model['base_url']}" if model.get("base_url") else ""
    raise Unexpressible(f"no Genkit model name for {model['provider']} model {name!r}{at}")


def dotprompt(obj: dict[str, Any], evals: Any) -> Files:
    """``ID.prompt``, and ``ID.VARIANT.prompt`` for each variant (Genkit's variant files:
    each a whole prompt, the variant as the runtime serves it).

    Raises:
        Unexpressible: something of the prompt or of a variant has no Dotprompt form.
    """
    files = {f"{obj['id']}.prompt": _file(obj)}
    for name, overrides in (obj.get("variants") or {}).items():
        if "." in name:
            raise Unexpressible(
                f"variant {name!r} (Genkit reads a variant's name from its file name, up to "
                "the next '.')"
            )
        served = {k: v for k, v in obj.items() if k not in ("variants", "experiment")}
        try:
            files[f"{obj['id']}.{name}.prompt"] = _file({**served, **overrides})
        except Unexpressible as exc:
            raise Unexpressible(f"variant {name!r}: {exc}") from None
    return files


def _file(obj: dict[str, Any]) -> str:
    front: dict[str, Any] = {}
    if obj.get("description"):
        front["description"] = obj["description"]
    front["model"] = _dotprompt_model(model_of(obj))
    params = params_of(obj)
    fmt = params.pop("response_format", None)
    extra = sorted(k for k in params if k not in _DP_CONFIG)
    if extra:
        raise Unexpressible(f"params {', '.join(extra)}")
    if params:
        front["config"] = {_DP_CONFIG[k]: v for k, v in params.items()}
    turns = turns_of(obj)
    histories = [t.history for t in turns if t.history is not None]
    if len(histories) > 1:
        raise Unexpressible("two chat histories (Dotprompt has one {{history}})")
    schema = obj["input_schema"]
    # The history comes with the render call's messages, not as an input.
    props = {k: dict(v) for k, v in (schema.get("properties") or {}).items() if k not in histories}
    if props:
        # Dotprompt keeps defaults beside the schema ('input.default'), not in it.
        defaults = {k: p.pop("default") for k, p in props.items() if "default" in p}
        inputs = {"type": "object", "properties": props, "additionalProperties": False}
        required = [k for k in schema.get("required", []) if k in props]
        if required:
            inputs["required"] = required
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
    body = "".join(_turn(t) for t in turns)
    return "---\n" + dump_yaml(front) + "---\n" + body


_ROLES = {"system": "system", "user": "user", "assistant": "model"}


def _turn(t: Turn) -> str:
    """One message in Handlebars: a role marker and its text or parts, or the history."""
    if t.history is not None:
        return "{{history}}"
    if t.parts is None:
        return '{{role "' + _ROLES[t.role] + '"}}' + jinja_to_handlebars(t.template)
    out = '{{role "' + _ROLES[t.role] + '"}}'
    for kind, value, _ in t.parts:
        if kind == "text":
            out += jinja_to_handlebars(value)
        elif kind == "image":
            # Dotprompt's media takes a URL (a data: URL too); promptops' {url} value.
            out += "{{media url=" + value + ".url}}"
        else:
            raise Unexpressible(
                "file parts (Dotprompt's {{media}} takes a URL, not a file's data and name)"
            )
    return out

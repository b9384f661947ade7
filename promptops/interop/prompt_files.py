"""The prompt file and the eval set one imported prompt becomes (plain data, dumped by the
assembler): messages as ADR 0014 writes them, fields the source format cannot express
kept from the file being replaced, and an eval case per sample that gives every required
input."""

from __future__ import annotations

from typing import Any

from promptops.interop.types import MessageDraft, PromptDraft, diag
from promptops.interop.yamlout import template_text
from promptops.repo.types import Diagnostic

__all__ = ["VariantPin", "eval_file", "prompt_file"]

# A variant's pin when it is not the prompt's (None: the prompt's), and the params it sets
# over the prompt's, as the assembler decided them.
VariantPin = tuple[str | None, dict[str, Any]]


def _message(m: MessageDraft) -> dict[str, Any]:
    """A message as the prompt file says it (ADR 0014's history and content parts)."""
    if m.history is not None:
        return {"history": m.history}
    if m.parts is not None:
        parts = [
            {"text": template_text(p.value)} if p.kind == "text" else {p.kind: p.value}
            for p in m.parts
        ]
        return {"role": m.role, "content": parts}
    return {"role": m.role, "content": template_text(m.template)}


def _variants(
    draft: PromptDraft, system: list[str], pins: dict[str, VariantPin]
) -> dict[str, dict[str, Any]]:
    """Each variant as only what it changes (ADR 0018): its pin, params, messages."""
    skip = 1 if system else 0
    out: dict[str, dict[str, Any]] = {}
    for name, variant in draft.variants.items():
        entry: dict[str, Any] = {}
        if variant.description:
            entry["description"] = variant.description
        model, params = pins[name]
        if model is not None:
            entry["model"] = model
        if params:
            entry["params"] = params
        # The instructions open the variant's messages as they open the prompt's.
        own, base = variant.messages[skip:], draft.messages[skip:]
        if len(own) != len(base) or not all(a.same_as(b) for a, b in zip(own, base, strict=True)):
            entry["messages"] = [_message(m) for m in own]
        out[name] = entry
    return out


def prompt_file(
    draft: PromptDraft,
    pin: str,
    system: list[str],
    params: dict[str, Any],
    old: dict[str, Any] | None,
    owner: str | None,
    variant_pins: dict[str, VariantPin] | None = None,
) -> dict[str, Any]:
    """The prompt file of ``draft`` (``old``: the file it replaces, if any;
    ``variant_pins``: the pin and params of each of its variants)."""
    keep = old if old is not None else {}
    slots = draft.slots
    messages = draft.messages[1:] if system else draft.messages
    inputs = dict(draft.inputs)
    if "inputs" not in slots and isinstance(keep.get("inputs"), dict):
        # The format has no input schemas: keep the ones the repository refined.
        inputs = {k: keep["inputs"].get(k, v) for k, v in inputs.items()}
    data: dict[str, Any] = {"kind": "prompt"}
    description = (
        draft.description if "description" in slots else keep.get("description", draft.description)
    )
    if description:
        data["description"] = description
    who = draft.owner if "owner" in slots else keep.get("owner", owner)
    if who or owner:
        data["owner"] = who or owner
    data["model"] = pin
    if params:
        data["params"] = params
    if system:
        data["system"] = system
    if inputs:
        data["inputs"] = inputs
    data["messages"] = [_message(m) for m in messages]
    tools = [t.name for t in draft.tools] if "tools" in slots else keep.get("tools", [])
    if tools:
        data["tools"] = tools
    if draft.output_schema is not None:
        data["output"] = {"schema": draft.output_schema}
    elif "output" not in slots and keep.get("output"):
        data["output"] = keep["output"]
    tags = draft.tags if "tags" in slots else keep.get("tags", draft.tags)
    if tags:
        data["tags"] = tags
    variants = (
        _variants(draft, system, variant_pins or {})
        if "variants" in slots
        else keep.get("variants")
    )
    if variants:
        data["variants"] = variants
    return data


def eval_file(draft: PromptDraft, out: list[Diagnostic]) -> dict[str, Any] | None:
    """The eval set of ``draft``'s samples, or None when no sample makes a case."""
    cases = []
    names: set[str] = set()
    required = {k for k, s in draft.inputs.items() if "default" not in s}
    for sample in draft.samples:
        if not sample.is_case:
            continue
        missing = sorted(required - set(sample.inputs))
        if missing:
            out.append(
                diag(
                    sample.where,
                    "warning",
                    "case-incomplete",
                    f"{sample.name} gives no {', '.join(missing)}, which '{draft.id}' "
                    "requires; it was not made an eval case",
                )
            )
            continue
        name = sample.name
        n = 2
        while name in names:
            name = f"{sample.name}-{n}"
            n += 1
        names.add(name)
        case: dict[str, Any] = {"name": name}
        inputs = {k: v for k, v in sample.inputs.items() if k in draft.inputs}
        if inputs:
            case["inputs"] = inputs
        if sample.assertions:
            case["assert"] = sample.assertions
        cases.append(case)
    if not cases:
        return None
    return {"prompt": draft.id, "cases": cases}

"""Turn every draft of one import into repository files.

Pins go to ``models.yaml``, tools to ``policies/tools.yaml`` (risk ``medium``, to be
reviewed), shared system text to instructions, test data to eval sets under ``evals/``.
Into an existing repository, what it already holds is reused (a pin with the same model,
an instruction with the same text, a tool with the same definition) and the fields a
format cannot express are kept from the prompt file being replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from promptops.interop.instructions import plan_instructions
from promptops.interop.merge_files import merge_models, merge_rules, merge_tools
from promptops.interop.pins import PinTable
from promptops.interop.prompt_files import VariantPin, eval_file, prompt_file
from promptops.interop.target import Target
from promptops.interop.types import ModelRef, PartialDraft, PromptDraft, ToolDraft, Where, diag
from promptops.interop.yamlout import dump_many, dump_yaml, template_text
from promptops.repo.types import Diagnostic

__all__ = ["Assembly", "assemble"]

_MISSING = object()


@dataclass
class Assembly:
    """Repository-relative path -> new text, for every file the import writes."""

    files: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    prompts: dict[str, PromptDraft] = field(default_factory=dict)
    # Files whose content comes from the import (not merged shared files).
    generated: set[str] = field(default_factory=set)


def _tool_entry(tool: ToolDraft) -> dict[str, Any]:
    params = dict(tool.parameters) if isinstance(tool.parameters, dict) else {}
    # OpenAI and Anthropic require an object schema with properties.
    params.setdefault("type", "object")
    params.setdefault("properties", {})
    return {"description": tool.description, "risk": "medium", "parameters": params}


def _same_tool(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("description", "") == b.get("description", "") and a.get("parameters") == b.get(
        "parameters"
    )


def _tools(
    drafts: list[PromptDraft], target: Target, update: bool, out: list[Diagnostic]
) -> dict[str, dict[str, Any]]:
    """New or changed tool entries (name -> definition)."""
    chosen: dict[str, tuple[dict[str, Any], ToolDraft]] = {}
    references = {t.name: t for d in drafts for t in d.tools if t.reference_only}
    for draft in drafts:
        for tool in draft.tools:
            if tool.reference_only:
                continue
            entry = _tool_entry(tool)
            if tool.name in chosen and not _same_tool(chosen[tool.name][0], entry):
                out.append(
                    diag(
                        tool.where,
                        "error",
                        "tool-conflict",
                        f"tool '{tool.name}' is defined differently here and in "
                        f"{chosen[tool.name][1].where.path}; give one of them another "
                        "name",
                    )
                )
                continue
            chosen.setdefault(tool.name, (entry, tool))
    for name, tool in references.items():
        if name not in chosen and name not in target.tools:
            chosen[name] = (_tool_entry(tool), tool)
    changes: dict[str, dict[str, Any]] = {}
    for name, (entry, tool) in sorted(chosen.items()):
        old = target.tools.get(name)
        if old is not None and _same_tool(old, entry):
            continue
        if old is not None and not update:
            out.append(
                diag(
                    tool.where,
                    "error",
                    "tool-conflict",
                    f"tool '{name}' differs from the one policies/tools.yaml defines; "
                    "rerun with --update to replace its description and parameters "
                    "(its risk is kept)",
                )
            )
            continue
        if old is not None:
            entry = {**entry, "risk": old.get("risk", "medium")}
            if "requires_approval" in old:
                entry["requires_approval"] = old["requires_approval"]
        else:
            out.append(
                diag(
                    tool.where,
                    "warning",
                    "tool-risk",
                    f"tool '{name}' was added to policies/tools.yaml with risk 'medium': "
                    "review its risk and whether calls need approval before merging",
                )
            )
        changes[name] = entry
    return changes


def _pin_extras(
    pin: str, params: Mapping[str, Any], where: Where, pins: PinTable, out: list[Diagnostic]
) -> None:
    extra = sorted(k for k in pins.params_of(pin) if k not in params)
    if extra:
        out.append(
            diag(
                where,
                "warning",
                "pin-params",
                f"pin '{pin}' adds params the source does not set ({', '.join(extra)}); "
                "the imported prompt sends them",
            )
        )


def _params(draft: PromptDraft, pin: str, pins: PinTable, out: list[Diagnostic]) -> dict[str, Any]:
    pin_params = pins.params_of(pin)
    if draft.model is not None:
        _pin_extras(pin, draft.params, draft.where, pins, out)
    return {k: v for k, v in draft.params.items() if pin_params.get(k, _MISSING) != v}


def _same_model(a: ModelRef | None, b: ModelRef | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.provider, a.model, a.base_url) == (b.provider, b.model, b.base_url)


def _choose_pins(drafts: list[PromptDraft], pins: PinTable) -> dict[tuple[str, str], str]:
    """The pin of each prompt (key ``(id, "")``) and of each of its variants (``(id,
    name)``: the prompt's when the variant names the same model)."""
    chosen = {(d.id, ""): pins.pin_for(d.model, d.where) for d in drafts}
    for d in drafts:
        for name, variant in d.variants.items():
            same = _same_model(variant.model, d.model)
            chosen[d.id, name] = (
                chosen[d.id, ""] if same else pins.pin_for(variant.model, variant.where)
            )
    return chosen


def _variant_pins(
    draft: PromptDraft,
    params: dict[str, Any],
    chosen: Mapping[tuple[str, str], str],
    pins: PinTable,
    out: list[Diagnostic],
) -> dict[str, VariantPin]:
    """Each variant's own pin (None: the prompt's) and the params it must set so that it
    sends what its source sends: a variant's params go over the prompt's, which go over
    the variant's pin's (ADR 0018)."""
    pin = chosen[draft.id, ""]
    found: dict[str, VariantPin] = {}
    for name, variant in draft.variants.items():
        own = chosen[draft.id, name]
        own_params = pins.params_of(own)
        if own != pin and variant.model is not None:
            _pin_extras(own, variant.params, variant.where, pins, out)
        over = {
            k: v
            for k, v in variant.params.items()
            if params.get(k, own_params.get(k, _MISSING)) != v
        }
        found[name] = (None if own == pin else own, over)
    return found


def assemble(
    documents: list[PromptDraft | PartialDraft],
    target: Target,
    pin_map: Mapping[str, str],
    *,
    update: bool = False,
    owner: str | None = None,
    sources: Mapping[str, str] | None = None,
) -> Assembly:
    """Every file the import writes (shared files merged with the target's)."""
    out = Assembly()
    drafts = sorted((d for d in documents if isinstance(d, PromptDraft)), key=lambda d: d.id)
    partials = sorted((d for d in documents if isinstance(d, PartialDraft)), key=lambda d: d.id)
    seen: dict[str, str] = {}
    everything: list[PromptDraft | PartialDraft] = [*drafts, *partials]
    for doc in everything:
        if doc.id in seen:
            out.diagnostics.append(
                diag(
                    doc.where,
                    "error",
                    "duplicate-id",
                    f"prompt id '{doc.id}' also comes from {seen[doc.id]}; "
                    "rename one of the sources",
                )
            )
        seen.setdefault(doc.id, doc.where.path)
    pins = PinTable(target.pins, pin_map, target.require_dated)
    chosen = _choose_pins(drafts, pins)
    out.diagnostics.extend(pins.diagnostics)
    taken = set(seen) | set(target.instructions)
    uses, new_instructions = plan_instructions(drafts, target.instructions, taken)
    tool_changes = _tools(drafts, target, update, out.diagnostics)
    header = sources or {}
    for iid, text in sorted(new_instructions.items()):
        rel = f"prompts/{iid}.yaml"
        out.files[rel] = dump_yaml(
            {
                "kind": "instruction",
                "description": "System text shared by imported prompts.",
                "text": template_text(text),
            },
            "Imported by promptops import: shared system text.",
        )
        out.generated.add(rel)
    for partial in partials:
        rel = f"prompts/{partial.id}.yaml"
        out.files[rel] = dump_yaml(
            {"kind": "partial", "template": template_text(partial.template)},
            f"Imported from {partial.where.path} by promptops import.",
        )
        out.generated.add(rel)
    pending: dict[str, tuple[dict[str, Any], str]] = {}
    for draft in drafts:
        if (
            target.require_owner
            and owner is None
            and draft.owner is None
            and target.prompt_data(draft.id) is None
        ):
            out.diagnostics.append(
                diag(
                    draft.where,
                    "error",
                    "owner",
                    "this repository requires an owner on every prompt "
                    "(rules.require_owner): pass --owner TEAM",
                )
            )
        pin = chosen[draft.id, ""]
        params = _params(draft, pin, pins, out.diagnostics)
        data = prompt_file(
            draft,
            pin,
            uses.get(draft.id, []),
            params,
            target.prompt_data(draft.id),
            owner,
            _variant_pins(draft, params, chosen, pins, out.diagnostics),
        )
        rel = f"prompts/{draft.id}.yaml"
        origin = header.get(draft.id, draft.where.path)
        if draft.variants:
            # Variant files sit next to their base: their names say where they are.
            names = ", ".join(PurePath(v.where.path).name for v in draft.variants.values())
            origin += f" (variants: {names})"
        pending[rel] = (data, f"Imported from {origin} by promptops import.")
        out.prompts[draft.id] = draft
        evals = eval_file(draft, out.diagnostics)
        if evals is not None:
            pending[f"evals/{draft.id}.yaml"] = (evals, f"Eval cases imported from {origin}.")
    for rel, text in zip(pending, dump_many(list(pending.values())), strict=True):
        out.files[rel] = text
        out.generated.add(rel)
    if pins.added or not target.exists:
        out.files["models.yaml"] = merge_models(target.read("models.yaml"), pins.added)
    if tool_changes:
        out.files["policies/tools.yaml"] = merge_tools(
            target.read("policies/tools.yaml"), tool_changes
        )
    floating = not target.exists and any(
        d.code in ("import-floating-model", "import-no-model") for d in out.diagnostics
    )
    if floating:
        out.files["policies/rules.yaml"] = merge_rules(target.read("policies/rules.yaml"))
    return out

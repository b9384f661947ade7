"""Dotprompt variant files (``joke.pirate.prompt``) become variants of their prompt.

Genkit loads ``name.VARIANT.prompt`` as variant ``VARIANT`` of prompt ``name``
(``ai.prompt('name', {variant: 'VARIANT'})``), each file a whole prompt. A promptops
variant (ADR 0018) overrides messages, model and params only: the prompt's inputs, tools
and output are every variant's contract. So a variant file joins its base's ``variants``
when it differs from the base in those alone; otherwise, or when its base is not in the
import, it stays the prompt ``name.VARIANT`` it always was, with a warning that says why.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from promptops.interop.dotprompt_meta import CONFIG_KEYS
from promptops.interop.types import (
    ImportResult,
    PartialDraft,
    PromptDraft,
    VariantDraft,
    VariantOf,
    diag,
)
from promptops.spec import BASE_VARIANT, VARIANT_PATTERN

__all__ = ["fold_variants", "variant_of_name"]

_NAME = re.compile(VARIANT_PATTERN)
# promptops params -> the Dotprompt front matter that sets them.
_SOURCE_KEY = {v: f"config.{k}" for k, v in CONFIG_KEYS.items()} | {
    "response_format": "output.format"
}


def variant_of_name(stem: str) -> tuple[str, str] | None:
    """``(base name, variant)`` of a file name without ``.prompt``, as Genkit splits it
    (at the first '.'), or None when it names no variant."""
    base, dot, variant = stem.partition(".")
    return (base, variant) if dot and base and variant else None


def _contract(base: PromptDraft, variant: PromptDraft) -> list[str]:
    """The fields ``variant`` differs in from ``base`` that a promptops variant cannot
    override, named as the Dotprompt front matter names them."""
    out: list[str] = []
    names = sorted(
        n
        for n in {*base.inputs, *variant.inputs}
        if base.inputs.get(n, None) != variant.inputs.get(n, None)
    )
    if names:
        out.append(f"input.schema / input.default ({', '.join(names)})")
    if base.output_schema != variant.output_schema:
        out.append("output.schema")
    if [t.name for t in base.tools] != [t.name for t in variant.tools]:
        out.append("tools")
    unset = sorted(k for k in base.params if k not in variant.params)
    if unset:
        # A variant's params go over the prompt's: one the variant leaves out is still sent.
        keys = ", ".join(_SOURCE_KEY.get(k, k) for k in unset)
        out.append(f"{keys} (set by the base only; a variant cannot unset it)")
    return out


def _keep_apart(
    variant: PromptDraft, of: VariantOf, bases: dict[str, PromptDraft], failed: set[str]
) -> str | None:
    """Why ``variant`` stays a prompt of its own (None: it joins its base; empty: nothing
    to add, its base file has errors)."""
    file_name = PurePath(variant.where.path).name
    if "." in of.name:
        first = of.name.split(".", 1)[0]
        return (
            f"Genkit reads '{file_name}' as variant '{first}' of '{of.base_id}' and ignores "
            f"the rest of its name: imported as its own prompt '{variant.id}' (rename it "
            f"'{PurePath(of.base_file).stem}.{first}.prompt' "
            "to import it as that variant)"
        )
    if of.name == BASE_VARIANT:
        return (
            f"the variant name '{BASE_VARIANT}' is promptops' name for the prompt as "
            f"written: imported as its own prompt '{variant.id}' (rename the file to import "
            "it as a variant)"
        )
    if not _NAME.match(of.name):
        return (
            f"'{of.name}' cannot name a promptops variant (letters, digits, '_', '.' and "
            f"'-', starting with a letter or digit): imported as its own prompt '{variant.id}'"
        )
    base = bases.get(of.base_id)
    if base is None and of.base_file in failed:
        return ""  # the base's own error stops the import: that is what to fix
    if base is None:
        where = "not in this import" if of.base_exists else "missing (no such file next to it)"
        return (
            f"'{file_name}' is variant '{of.name}' of '{of.base_id}', but its base file "
            f"{of.base_file} is {where}: imported as its own prompt '{variant.id}' "
            "(import it with its base to make it a variant)"
        )
    if of.name in base.variants:
        return (
            f"variant '{of.name}' of '{of.base_id}' comes from another file too: imported "
            f"as its own prompt '{variant.id}'"
        )
    fields = _contract(base, variant)
    if fields:
        return (
            f"'{file_name}' is variant '{of.name}' of '{of.base_id}', but it differs from "
            f"{of.base_file} in {'; '.join(fields)}, which a promptops variant cannot "
            "override (a variant changes messages, model and params; inputs, tools and "
            f"output are the prompt's): imported as its own prompt '{variant.id}'"
        )
    return None


def fold_variants(result: ImportResult) -> None:
    """Move each variant draft into its base's ``variants`` where a promptops variant can
    say what it changes; the others stay prompts of their own, each with a warning."""
    bases = {
        d.id: d for d in result.documents if isinstance(d, PromptDraft) and d.variant_of is None
    }
    failed = {d.path for d in result.diagnostics if d.level == "error"}
    kept: list[PromptDraft | PartialDraft] = []
    for doc in result.documents:
        if not isinstance(doc, PromptDraft) or doc.variant_of is None:
            kept.append(doc)
            continue
        of = doc.variant_of
        why = _keep_apart(doc, of, bases, failed)
        if why is not None:
            if why:
                result.diagnostics.append(diag(doc.where, "warning", "variant", why))
            kept.append(doc)
            continue
        base = bases[of.base_id]
        base.variants[of.name] = VariantDraft(
            of.name,
            doc.where,
            doc.description if doc.description != base.description else "",
            doc.model,
            doc.params,
            doc.messages,
        )
        # Its samples prove the variant's rendering; eval cases run on every variant anyway.
        base.samples.extend(replace(s, variant=of.name, is_case=False) for s in doc.samples)
    result.documents = kept

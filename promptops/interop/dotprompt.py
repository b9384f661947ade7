"""Dotprompt files (``*.prompt``, as Genkit loads them): front matter and a Handlebars body.

``model``, ``config``, ``input.schema`` / ``output.schema`` in Picoschema, ``input.default``,
``output.format``, ``tools``, and a body whose top-level ``{{role "..."}}`` markers cut the
messages. A variant file (``joke.pirate.prompt``) is read like any other and then folded
into its base's variants (:mod:`dotprompt_variants`, :func:`combine`). Partials are
``_name.prompt`` files next to the prompt. The body is translated to Jinja
(:mod:`translate.hbs_jinja`) and proven against a Handlebars renderer with Dotprompt's
semantics (:mod:`translate.hbs_render`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.interop.common import (
    as_mapping,
    not_kept,
    prompt_id,
    read_source,
    shown_path,
    translation_diagnostics,
    unknown_keys,
)
from promptops.interop.dotprompt_meta import model_and_params, split_inputs, synthetic_sample
from promptops.interop.dotprompt_partials import load_partials, partial_id, read_partial
from promptops.interop.dotprompt_turns import add_messages, proof_inputs
from promptops.interop.dotprompt_variants import fold_variants, variant_of_name
from promptops.interop.picoschema import PicoschemaError, picoschema
from promptops.interop.sources import Loaded, SourceError, load_yaml
from promptops.interop.translate.dotprompt_messages import dotprompt_messages
from promptops.interop.translate.hbs_ast import TemplateSyntaxError
from promptops.interop.translate.hbs_jinja import translate_handlebars
from promptops.interop.translate.hbs_parse import parse_handlebars
from promptops.interop.translate.hbs_render import HandlebarsError, render_handlebars
from promptops.interop.translate.jsvalues import js_trim
from promptops.interop.types import (
    ImportResult,
    PartialDraft,
    PromptDraft,
    Sample,
    ToolDraft,
    VariantOf,
    Where,
    diag,
)
from promptops.repo.textpos import text_position

__all__ = ["NAME", "PATTERN_TEXT", "combine", "matches", "read"]

NAME = "Dotprompt"
PATTERN_TEXT = "*.prompt"
# Dotprompt's FRONTMATTER_AND_BODY_REGEX: comment lines may precede the opening '---'.
_FRONT = re.compile(
    r"^(?:(?:#[^\n]*|[ \t]*)\n)*---\s*(?:\r\n|\r|\n)([\s\S]*?)"
    r"(?:\r\n|\r|\n)---\s*(?:\r\n|\r|\n)([\s\S]*)$"
)
_OPENING = re.compile(r"^(?:(?:#[^\n]*|[ \t]*)\n)*---[ \t]*\r?\n")
_KEYS = (
    "name",
    "variant",
    "version",
    "description",
    "model",
    "tools",
    "toolDefs",
    "config",
    "input",
    "output",
    "raw",
    "ext",
    "metadata",
)


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format (partials come with their prompt)."""
    return path.suffix == ".prompt"


def _not_kept_reasons(data: dict[str, Any], path: Path, pid: str) -> dict[str, str]:
    """Front matter promptops has no place for (a name or variant the file name does not
    already give)."""
    name, _, variant = path.name.removesuffix(".prompt").partition(".")
    reasons = {
        "version": "promptops versions prompts with git history and signed releases",
        "metadata": "a promptops prompt has a description, an owner and tags only",
    }
    if data.get("name") not in (None, name):
        reasons["name"] = f"promptops names the prompt by its file ('{pid}')"
    if data.get("variant") not in (None, variant or None):
        reasons["variant"] = (
            f"Genkit and promptops take a variant from the file name only "
            f"('{name}.{data['variant']}.prompt' is variant '{data['variant']}' of '{name}')"
        )
    return reasons


def _variant_of(path: Path, root: Path, base: Path | None) -> VariantOf | None:
    split = variant_of_name(path.name.removesuffix(".prompt"))
    if split is None:
        return None
    base_path = path.with_name(split[0] + ".prompt")
    return VariantOf(
        prompt_id(base_path, root, (".prompt",)),
        split[1],
        shown_path(base_path, base),
        base_path.is_file(),
    )


def combine(result: ImportResult) -> None:
    """Fold the variant files of one import into their base prompts (after every file
    was read: a variant needs its base)."""
    fold_variants(result)


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Read one ``.prompt`` file (a ``_name.prompt`` partial on its own becomes a partial)."""
    shown = shown_path(path, base)
    result = ImportResult()
    out = result.diagnostics
    text = read_source(path, shown, result)
    if text is None:
        return result
    if path.name.startswith("_"):
        return read_partial(path, text, shown, result)
    m = _FRONT.match(text)
    loaded: Loaded | None = None
    data: dict[str, Any] = {}
    if m is None:
        opening = _OPENING.match(text)
        if opening is not None:
            line, col = text_position(text, text.index("---", opening.start()))
            out.append(
                diag(
                    Where(shown, line, col),
                    "error",
                    "front-matter",
                    "front matter opened with '---' is never closed: expected a line "
                    "'---' (and a line break) after the YAML (is the file truncated?)",
                )
            )
            return result
        body_text, body_offset = text, 0
    else:
        yaml_line = text[: m.start(1)].count("\n")
        try:
            loaded = load_yaml(m.group(1), shown, line_offset=yaml_line, core12=True)
        except SourceError as exc:
            out.append(exc.diagnostic)
            return result
        if loaded.data is not None and not isinstance(loaded.data, dict):
            out.append(
                diag(
                    Where(shown, yaml_line + 1),
                    "error",
                    "not-format",
                    "not a Dotprompt file: the front matter must be a YAML mapping",
                )
            )
            return result
        data = loaded.data or {}
        raw_body = m.group(2)
        body_text = js_trim(raw_body)
        body_offset = m.start(2) + (len(raw_body) - len(raw_body.lstrip()))
    if loaded is not None:
        out.extend(
            k
            for k in unknown_keys(loaded, data, (), _KEYS, "Dotprompt front matter")
            if "." not in k.message.split("'")[1]
        )
        for key in data:
            if "." in str(key):
                out.append(
                    diag(
                        loaded.where((key,), key=True),
                        "warning",
                        "extension",
                        f"extension field '{key}' is not imported",
                    )
                )

    def locate(offset: int) -> Where:
        line, col = text_position(text, body_offset + offset)
        return Where(shown, line, col)

    try:
        tree = parse_handlebars(body_text)
    except TemplateSyntaxError as exc:
        out.append(diag(locate(exc.offset), "error", "template-syntax", exc.message))
        return result
    partial_trees, partial_sources = load_partials(path.parent, tree, str(Path(shown).parent), out)
    pid = prompt_id(path, root or path.parent, (".prompt",))
    draft = PromptDraft(
        id=pid,
        where=Where(shown),
        messages=[],
        slots=frozenset(
            {"description", "model", "params", "inputs", "output", "tools", "messages", "variants"}
        ),
        variant_of=_variant_of(path, root or path.parent, base),
    )
    draft.description = str(data.get("description") or "")
    if loaded is not None:
        out.extend(not_kept(loaded, data, (), _not_kept_reasons(data, path, pid)))
    draft.model, draft.params = model_and_params(data, loaded, shown, out)
    if loaded is not None:
        for key, known in (("input", ("schema", "default")), ("output", ("format", "schema"))):
            if isinstance(data.get(key), dict):
                out.extend(unknown_keys(loaded, data[key], (key,), known, f"Dotprompt {key}"))
    inputs_raw = as_mapping(data.get("input"))
    try:
        input_schema = picoschema(inputs_raw.get("schema"))
        output_raw = as_mapping(data.get("output"))
        output_schema = picoschema(output_raw.get("schema"))
    except PicoschemaError as exc:
        where = loaded.where(("output",)) if loaded is not None else Where(shown)
        out.append(diag(where, "error", "picoschema", str(exc)))
        return result
    if output_schema is not None:
        draft.output_schema = output_schema
    elif output_raw.get("format") == "json":
        draft.params["response_format"] = {"type": "json_object"}
    defaults = as_mapping(inputs_raw.get("default"))
    draft.inputs = split_inputs(input_schema, defaults)
    tools = data.get("tools")
    if isinstance(tools, list):
        for i, name in enumerate(tools):
            where = loaded.where(("tools", i)) if loaded is not None else Where(shown)
            draft.tools.append(
                ToolDraft(str(name), "", {"type": "object", "properties": {}}, where, True)
            )
            out.append(
                diag(
                    where,
                    "warning",
                    "tool-definition",
                    f"tool '{name}' is defined in your Genkit code: its description "
                    "and parameters were left empty in policies/tools.yaml; copy them "
                    "from the code",
                )
            )
    partial_ids = {name: partial_id(name) for name in partial_trees}
    tr = translate_handlebars(tree, draft.inputs, partial_trees, partial_ids)
    out.extend(translation_diagnostics(tr.problems, locate))
    if any(p.level == "error" for p in tr.problems):
        return result
    undeclared = sorted(n for n in tr.usage if n not in draft.inputs and n not in tr.media)
    for name in undeclared:
        # Handlebars renders a name nobody passes as nothing; its type is unknown.
        draft.inputs[name] = {"default": None}
    if undeclared:
        where = loaded.where(("input",)) if loaded is not None else Where(shown)
        out.append(
            diag(
                where,
                "warning",
                "undeclared-input",
                f"{', '.join(undeclared)} not in the input schema: declared with no type "
                "(any value, null when absent); add their types to the prompt's inputs",
            )
        )
    media_at = locate(0) if loaded is None else loaded.where(("input",))
    if not add_messages(draft, tr, locate, media_at, out):
        return result
    if not draft.messages:
        out.append(
            diag(locate(0), "error", "empty", "the body has no message text; nothing to import")
        )
        return result
    jinja = "".join(
        s.jinja + "".join(v for k, v in s.parts or () if k == "text") for s in tr.segments
    )
    used = {n for n in partial_ids if f'"{partial_ids[n]}"' in jinja}
    for name in sorted(used):
        part_shown = partial_sources[name][1]
        ptr = translate_handlebars(partial_trees[name], draft.inputs, partial_trees, {})
        result.documents.append(
            PartialDraft(
                partial_ids[name], ptr.segments[0].jinja if ptr.segments else "", Where(part_shown)
            )
        )
    sample, source, history = proof_inputs(
        draft, tr, synthetic_sample(draft.inputs, defaults, tr.usage)
    )
    try:
        rendered = render_handlebars(tree, source, partial_trees)
        expected = dotprompt_messages(rendered, history)
    except HandlebarsError as exc:
        out.append(
            diag(
                locate(exc.offset),
                "warning",
                "render-failed",
                f"Dotprompt cannot render it: {exc.message}",
            )
        )
        expected = None
    draft.samples.append(
        Sample(
            "defaults" if defaults else "synthetic", sample, draft.where, expected, is_case=False
        )
    )
    result.documents.insert(0, draft)
    return result

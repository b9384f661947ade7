"""promptfoo configurations (``promptfooconfig.yaml`` and the files it references).

``prompts`` (inline text, chat JSON or YAML, ``file://`` files, ``---``-separated text
files), ``providers`` (the first becomes the prompts' pin), ``defaultTest`` and ``tests``
(``vars`` and ``assert``; test files; list-valued variables expanded as promptfoo does).
Templates are Nunjucks (:mod:`translate.njk_jinja`), proven against a renderer with
Nunjucks' semantics and promptfoo's own variable preparation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.interop.common import prompt_id, shown_path, unknown_keys
from promptops.interop.promptfoo_asserts import translate_assertion
from promptops.interop.promptfoo_prompts import (
    PromptText,
    config_prompts,
    prompt_messages,
    provider_for,
)
from promptops.interop.promptfoo_providers import output_schema, provider_model
from promptops.interop.promptfoo_render import render_original
from promptops.interop.promptfoo_vars import Row, load_tests, prepare_vars
from promptops.interop.schema_infer import infer_schema
from promptops.interop.sources import SourceError, load_yaml, read_text
from promptops.interop.translate.hbs_ast import TemplateSyntaxError
from promptops.interop.translate.njk_jinja import translate_nunjucks
from promptops.interop.translate.njk_parse import parse_nunjucks
from promptops.interop.translate.problems import Usage
from promptops.interop.types import ImportResult, MessageDraft, PromptDraft, Sample, Where, diag
from promptops.repo.textpos import text_position
from promptops.repo.types import Diagnostic

__all__ = ["NAME", "PATTERN_TEXT", "matches", "read"]

NAME = "promptfoo"
PATTERN_TEXT = "promptfooconfig.yaml, promptfooconfig.yml"
_KEYS = (
    "description",
    "prompts",
    "providers",
    "tests",
    "defaultTest",
    "scenarios",
    "env",
    "evaluateOptions",
    "outputPath",
    "sharing",
    "nunjucksFilters",
    "filters",
    "tags",
    "metadata",
    "extensions",
    "derivedMetrics",
    "writeLatestResults",
    "commandLineOptions",
    "redteam",
    "targets",
)
_RUNNER = (
    "env",
    "evaluateOptions",
    "outputPath",
    "sharing",
    "writeLatestResults",
    "commandLineOptions",
    "derivedMetrics",
    "tags",
    "metadata",
)
_ROLES = ("system", "user", "assistant")


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format."""
    return path.name in ("promptfooconfig.yaml", "promptfooconfig.yml")


def _translate(
    template: str, schemas: dict[str, Any], where: Where, out: list[Diagnostic]
) -> tuple[str | None, dict[str, Usage]]:
    try:
        tree = parse_nunjucks(template)
    except TemplateSyntaxError as exc:
        out.append(diag(where, "error", "template-syntax", exc.message))
        return None, {}
    tr = translate_nunjucks(tree, template, schemas)
    for p in tr.problems:
        line, col = text_position(template, p.offset)
        at = Where(where.path, where.line + line - 1, col if line > 1 else where.col)
        out.append(diag(at, p.level, p.code, p.message))
    return tr.segments[0].jinja, tr.usage


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Read one promptfoo configuration into a prompt draft per prompt."""
    shown = shown_path(path, base)
    result = ImportResult()
    out = result.diagnostics
    try:
        loaded = load_yaml(read_text(path, shown), shown)
    except SourceError as exc:
        out.append(exc.diagnostic)
        return result
    config = loaded.data
    if not isinstance(config, dict) or "prompts" not in config:
        out.append(
            diag(
                Where(shown),
                "error",
                "not-format",
                "not a promptfoo configuration: expected a mapping with 'prompts'",
            )
        )
        return result
    out.extend(unknown_keys(loaded, config, (), _KEYS, "promptfoo configuration"))
    for key in ("scenarios", "nunjucksFilters", "filters", "extensions", "redteam"):
        if key in config:
            out.append(
                diag(
                    loaded.where((key,), key=True),
                    "warning",
                    "unsupported",
                    f"'{key}' has no promptops equivalent; it was not imported",
                )
            )
    runner = [str(k) for k in config if k in _RUNNER]
    if runner:
        out.append(
            diag(
                loaded.where((runner[0],), key=True),
                "warning",
                "runner-settings",
                f"runner settings {', '.join(runner)} are not imported: they configure "
                "promptfoo's runs, not the prompts (promptops eval takes its own options)",
            )
        )
    folder = path.parent
    prompts = config_prompts(config, folder, loaded, out)
    rows = load_tests(config, folder, loaded.where, out)
    # 'targets' is promptfoo's newer name for 'providers'.
    providers = config.get("providers", config.get("targets"))
    providers = providers if isinstance(providers, list) else [providers] if providers else []
    model, params, tools, notes = (
        (None, {}, [], [])
        if not providers
        else provider_model(providers[0], loaded.where(("providers", 0)))
    )
    for note in notes:
        out.append(diag(loaded.where(("providers", 0)), "warning", "provider", note))
    if len(providers) > 1:
        out.append(
            diag(
                loaded.where(("providers", 1)),
                "warning",
                "providers",
                f"promptops pins one model per prompt: the prompts use the first of "
                f"{len(providers)} providers; compare others with a second pin and "
                "`promptops eval --provider` or `diff --behaviour`",
            )
        )
    namespace = prompt_id(path.parent / "x", root or path.parent, ()).rpartition("/")[0]
    prepared = [prepare_vars(r.vars, folder, r.where, out) for r in rows]
    warned: set[int] = set()
    for prompt in prompts:
        index = provider_for(prompt.label, providers)
        model, params, tools, notes = (
            (None, {}, [], [])
            if index is None
            else provider_model(providers[index], loaded.where(("providers", index)))
        )
        if index is not None and index not in warned:
            warned.add(index)
            for note in notes:
                out.append(diag(loaded.where(("providers", index)), "warning", "provider", note))
        draft = _draft(prompt, namespace, model, params, tools, rows, prepared, folder, out)
        if draft is not None and index is not None:
            draft.output_schema = output_schema(providers[index])
        if draft is not None:
            draft.description = str(config.get("description") or "")
            result.documents.append(draft)
    return result


def _draft(
    prompt: PromptText,
    namespace: str,
    model: Any,
    params: dict[str, Any],
    tools: list[Any],
    rows: list[Row],
    prepared: list[dict[str, Any]],
    folder: Path,
    out: list[Diagnostic],
) -> PromptDraft | None:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", prompt.label.lower()).strip("-.") or "prompt"
    pid = f"{namespace}/{slug}" if namespace else slug
    messages = prompt_messages(prompt, out)
    usage: dict[str, Usage] = {}
    for _role, template in messages:
        _, used = _translate(template, {}, prompt.where, [])
        for name, u in used.items():
            usage.setdefault(name, Usage()).attrs |= u.attrs
            usage[name].print |= u.print
            usage[name].iterate |= u.iterate
            usage[name].test |= u.test
    schemas: dict[str, dict[str, Any]] = {}
    for name, u in usage.items():
        values = [p[name] for p in prepared if name in p]
        schema = infer_schema(values, u)
        if len(values) < len(prepared) and schema.get("type") == "string":
            schema["default"] = ""  # Nunjucks renders a variable a test does not set as nothing
        schemas[name] = schema
    draft = PromptDraft(
        id=pid,
        where=prompt.where,
        messages=[],
        model=model,
        params=dict(params),
        inputs=schemas,
        tools=list(tools),
        slots=frozenset(
            {"description", "model", "params", "inputs", "tools", "output", "messages"}
        ),
    )
    for role, template in messages:
        if role not in _ROLES:
            out.append(
                diag(prompt.where, "error", "role", f"role '{role}' has no promptops equivalent")
            )
            return None
        jinja, _ = _translate(template, schemas, prompt.where, out)
        if jinja is None:
            return None
        draft.messages.append(MessageDraft(role, jinja, prompt.where))
    warned: set[str] = set()
    for row, variables in zip(rows, prepared, strict=True):
        asserts: list[dict[str, Any]] = []
        for spec in row.asserts:
            if not isinstance(spec, dict):
                continue
            found, problem = translate_assertion(spec, variables)
            asserts.extend(found)
            if problem and problem not in warned:
                warned.add(problem)
                out.append(
                    diag(
                        row.where,
                        "warning",
                        "assertion",
                        f"assertion {problem}: promptops has no exact equivalent, so it "
                        "was not imported; check that quality in review or replace it "
                        "with contains/regex/json assertions",
                    )
                )
        if row.options and "options" not in warned:
            warned.add("options")
            out.append(
                diag(
                    row.where,
                    "warning",
                    "test-options",
                    f"test options ({', '.join(sorted(row.options))}) are not imported",
                )
            )
        inputs = {k: v for k, v in variables.items() if k in schemas}
        try:
            expected = render_original(prompt.raw, variables)
        except ValueError as exc:
            out.append(
                diag(
                    row.where,
                    "warning",
                    "render-failed",
                    f"promptfoo cannot render {row.name} of '{pid}': {exc}",
                )
            )
            expected = None
        draft.samples.append(Sample(row.name, inputs, row.where, expected, asserts))
    return draft

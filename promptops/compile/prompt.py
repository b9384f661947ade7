"""Compile one prompt of a Repository into its ADR 0002 object (plain JSON values)."""

from __future__ import annotations

from typing import Any

from promptops.compile._json import NotJsonError, plain
from promptops.compile.config import CompileConfig
from promptops.compile.engine import TemplateInfo, analyse, strip_template
from promptops.compile.fallbacks import compile_fallbacks
from promptops.compile.shared import Resolver
from promptops.compile.variants import compile_experiment, compile_variants
from promptops.errors import ValidationError
from promptops.repo.types import Diagnostic, Repository
from promptops.spec import Message, Prompt

__all__ = ["compile_prompt_object", "reachable_partials"]


def _fail(repo: Repository, key: str, code: str, message: str) -> ValidationError:
    # Validation reports these with exact positions first; the compiler only meets them on a
    # Repository that skipped validation, so the file is the best position it has.
    path = repo.paths.get(key, f"prompts/{key}.yaml")
    diagnostic = Diagnostic(path, 1, 1, "error", code, message)
    return ValidationError(f"cannot compile {key!r}: {message}", [diagnostic])


def _info(repo: Repository, key: str, template: str) -> TemplateInfo:
    try:
        return analyse(template)
    except Exception as exc:
        # jinja2 is only imported by a template that needs its parser: so is its error.
        from jinja2 import TemplateSyntaxError

        if not isinstance(exc, TemplateSyntaxError):
            raise
        raise _fail(
            repo, key, "template-syntax", f"template does not parse: {exc.message}"
        ) from exc


def reachable_partials(
    resolver: Resolver,
    prompt_id: str,
    infos: list[TemplateInfo],
    config: CompileConfig,
) -> dict[str, str]:
    """Partials (id -> stripped template) reachable from templates whose ``infos`` are
    given, transitively.

    A reference Jinja cannot resolve statically (``{% include name_var %}``) makes every
    partial reachable: the runtime must be able to render whatever it picks.

    Raises:
        ValidationError: on an unknown partial, a syntax error or too deep a chain.
    """
    repo = resolver.repo
    found: dict[str, str] = {}
    pending = [(prompt_id, info, 0) for info in infos if info.refs or info.dynamic_refs]
    while pending:
        owner, info, depth = pending.pop()
        refs = set(info.refs)
        if info.dynamic_refs:
            refs |= set(repo.partials)
        for ref in sorted(refs - found.keys()):
            template = resolver.partial(ref)
            if template is None:
                raise _fail(
                    repo,
                    owner,
                    "unknown-partial",
                    f"unknown partial {ref!r}: expected a file prompts/{ref}.yaml "
                    "with kind: partial",
                )
            if depth >= config.max_include_depth:
                raise _fail(
                    repo,
                    owner,
                    "include-depth",
                    f"partials nest deeper than {config.max_include_depth} levels at {ref!r}",
                )
            found[ref] = template
            pending.append((ref, _info(repo, ref, template), depth + 1))
    return found


def _input_schema(prompt: Prompt) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": plain(prompt.inputs, "inputs"),
        # Sorted so reordering inputs in the YAML does not change the digest.
        "required": sorted(n for n, s in prompt.inputs.items() if "default" not in s),
        "additionalProperties": False,
    }


def _message(
    repo: Repository, prompt_id: str, message: Message, infos: list[TemplateInfo]
) -> dict[str, Any]:
    """One compiled message (ADR 0002, extended by ADR 0014): a templated message, a
    history placeholder ``{"history": INPUT}``, or ``{"role", "parts": [...]}`` whose parts
    are ``{"type": "text", "template", "engine"}`` or ``{"type": "image"|"file", "input"}``."""
    if message.history is not None:
        return {"history": message.history}
    if isinstance(message.content, str):
        template = strip_template(message.content)
        infos.append(_info(repo, prompt_id, template))
        return {"role": message.role, "template": template, "engine": infos[-1].engine}
    parts: list[dict[str, Any]] = []
    for part in message.content or []:
        if part.text is not None:
            template = strip_template(part.text)
            infos.append(_info(repo, prompt_id, template))
            parts.append({"type": "text", "template": template, "engine": infos[-1].engine})
        else:
            parts.append({"type": part.kind, "input": part.image or part.file})
    return {"role": message.role, "parts": parts}


def _messages(
    resolver: Resolver, prompt_id: str, prompt: Prompt
) -> tuple[list[dict[str, Any]], list[TemplateInfo]]:
    repo = resolver.repo
    messages: list[dict[str, Any]] = []
    if prompt.system:
        texts = []
        for iid in prompt.system:
            text = resolver.instruction(iid)
            if text is None:
                raise _fail(repo, prompt_id, "unknown-instruction", f"unknown instruction {iid!r}")
            texts.append(text)
        # ADR 0001: instructions are literal text joined by a blank line.
        messages.append({"role": "system", "template": "\n\n".join(texts), "engine": "text"})
    infos: list[TemplateInfo] = []
    messages.extend(_message(repo, prompt_id, m, infos) for m in prompt.messages)
    return messages, infos


def _model(resolver: Resolver, prompt_id: str, name: str) -> dict[str, Any]:
    model = resolver.model(name)
    if model is None:
        raise _fail(resolver.repo, prompt_id, "unknown-model", f"unknown model {name!r}")
    return model


def _add_variants(
    resolver: Resolver, prompt_id: str, prompt: Prompt, config: CompileConfig, obj: dict[str, Any]
) -> None:
    """``variants`` and ``experiment`` (ADR 0018), only when the prompt has them."""
    if prompt.variants:
        obj["variants"] = compile_variants(
            resolver.repo,
            prompt,
            lambda p: _messages(resolver, prompt_id, p),
            lambda infos: reachable_partials(resolver, prompt_id, infos, config),
            lambda name: _model(resolver, prompt_id, name),
        )
    found = resolver.experiment(prompt_id)
    if found is not None:
        experiment = compile_experiment(*found)
        for arm in experiment["arms"]:
            if arm["variant"] is not None and arm["variant"] not in prompt.variants:
                raise _fail(
                    resolver.repo,
                    prompt_id,
                    "unknown-variant",
                    f"arm {arm['name']!r} of experiment {found[0]!r} serves variant "
                    f"{arm['variant']!r}, which the prompt does not declare",
                )
        obj["experiment"] = experiment


def compile_prompt_object(
    resolver: Resolver,
    prompt_id: str,
    config: CompileConfig | None = None,
    prompt: Prompt | None = None,
) -> dict[str, Any]:
    """The compiled prompt object of ADR 0002 for ``prompt_id`` (its model ``prompt`` when
    the caller built it, else read from the repository).

    Raises:
        ValidationError: if a reference does not resolve or a value is not plain JSON.
        KeyError: if ``prompt_id`` is not a prompt of the repository.
    """
    config = config or CompileConfig()
    repo = resolver.repo
    prompt = repo.prompts[prompt_id] if prompt is None else prompt
    model = _model(resolver, prompt_id, prompt.model)
    pin_params = repo.models.models[prompt.model].params
    try:
        messages, infos = _messages(resolver, prompt_id, prompt)
        tools = []
        for name in prompt.tools:
            tool = resolver.tool(name)
            if tool is None:
                raise _fail(repo, prompt_id, "unknown-tool", f"unknown tool {name!r}")
            tools.append(tool)
        obj = {
            "id": prompt_id,
            "path": repo.paths.get(prompt_id, f"prompts/{prompt_id}.yaml"),
            "description": prompt.description,
            "owner": prompt.owner,
            "tags": list(prompt.tags),
            "model": model,
            "params": plain({**pin_params, **prompt.params}, "params"),
            "input_schema": _input_schema(prompt),
            "system": list(prompt.system),
            "messages": messages,
            "partials": reachable_partials(resolver, prompt_id, infos, config),
            "tools": tools,
            "output_schema": None
            if prompt.output is None
            else plain(prompt.output.schema_, "output.schema"),
        }
        fallbacks = compile_fallbacks(
            repo.models, prompt.model, prompt.params, lambda n: _model(resolver, prompt_id, n)
        )
        if fallbacks:
            obj["fallbacks"] = fallbacks
        _add_variants(resolver, prompt_id, prompt, config, obj)
        return obj
    except NotJsonError as exc:
        raise _fail(
            repo, prompt_id, "not-json", f"value is not representable in JSON: {exc}"
        ) from exc

"""Compile one prompt of a Repository into its ADR 0002 object (plain JSON values)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import jinja2

from promptops.compile.config import CompileConfig
from promptops.compile.engine import analyse, strip_template
from promptops.errors import ValidationError
from promptops.repo.types import Diagnostic, Repository
from promptops.spec import ModelPin, Prompt, Tool

__all__ = [
    "NotJsonError",
    "compile_model",
    "compile_prompt_object",
    "compile_tool",
    "plain",
    "reachable_partials",
]


def _fail(repo: Repository, key: str, code: str, message: str) -> ValidationError:
    # Validation reports these with exact positions first; the compiler only meets them on a
    # Repository that skipped validation, so the file is the best position it has.
    path = repo.paths.get(key, f"prompts/{key}.yaml")
    diagnostic = Diagnostic(path, 1, 1, "error", code, message)
    return ValidationError(f"cannot compile {key!r}: {message}", [diagnostic])


class NotJsonError(TypeError):
    """A free-form value that JSON cannot hold (NaN, a non-string key, an object)."""


class _NotJson(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = ""


def _plain(value: Any) -> Any:
    # Exact type checks first: this walks every free-form value of 10,000 prompts.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float or isinstance(value, float):
        if not math.isfinite(value):
            raise _NotJson(f"{value!r} is not a JSON number")
        return float(value)
    if kind is dict or isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotJson(f"key {k!r} must be a string")
            try:
                out[k] = _plain(v)
            except _NotJson as exc:
                exc.path = f".{k}{exc.path}"
                raise
        return out
    if kind is list or isinstance(value, list | tuple):
        items = []
        for i, v in enumerate(value):
            try:
                items.append(_plain(v))
            except _NotJson as exc:
                exc.path = f"[{i}]{exc.path}"
                raise
        return items
    if isinstance(value, str | int):  # subclasses (bool is caught above)
        return value
    if isinstance(value, dt.date):  # datetime is a date subclass
        return value.isoformat()
    raise _NotJson(f"{type(value).__name__} is not a JSON value")


def plain(value: Any, where: str = "") -> Any:
    """``value`` as plain JSON values: YAML dates become ISO strings (the user wrote text).

    Raises:
        NotJsonError: for a value JSON cannot hold (NaN, a non-string key, an arbitrary
            object), naming where it is below ``where``.
    """
    try:
        return _plain(value)
    except _NotJson as exc:
        raise NotJsonError(f"{where}{exc.path}: {exc.reason}") from None


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def compile_model(name: str, pin: ModelPin) -> dict[str, Any]:
    """The bundle's ``model`` object for pin ``name`` (extra keys are not carried)."""
    pricing = pin.pricing
    lifecycle = pin.lifecycle
    return {
        "name": name,
        "provider": pin.provider,
        "model": pin.model,
        "base_url": pin.base_url,
        "context_window": pin.context_window,
        "pricing": None
        if pricing is None
        else {
            "input_per_mtok": pricing.input_per_mtok,
            "output_per_mtok": pricing.output_per_mtok,
        },
        "lifecycle": None
        if lifecycle is None
        else {
            "deprecated": None
            if lifecycle.deprecated is None
            else lifecycle.deprecated.isoformat(),
            "retires": None if lifecycle.retires is None else lifecycle.retires.isoformat(),
            "replacement": lifecycle.replacement,
        },
    }


def compile_tool(name: str, tool: Tool) -> dict[str, Any]:
    """The bundle's tool object: ``requires_approval`` unset means "high risk needs approval"."""
    approval = tool.requires_approval
    return {
        "name": name,
        "description": tool.description,
        "risk": tool.risk,
        "requires_approval": tool.risk == "high" if approval is None else approval,
        "parameters": plain(tool.parameters, f"tools.{name}.parameters"),
    }


def _info(repo: Repository, key: str, template: str) -> Any:
    try:
        return analyse(template)
    except jinja2.TemplateSyntaxError as exc:
        raise _fail(
            repo, key, "template-syntax", f"template does not parse: {exc.message}"
        ) from exc


def reachable_partials(
    repo: Repository, prompt_id: str, templates: list[str], config: CompileConfig
) -> dict[str, str]:
    """Partials (id -> stripped template) reachable from ``templates``, transitively.

    A reference Jinja cannot resolve statically (``{% include name_var %}``) makes every
    partial reachable: the runtime must be able to render whatever it picks.

    Raises:
        ValidationError: on an unknown partial, a syntax error or too deep a chain.
    """
    found: dict[str, str] = {}
    pending = [(prompt_id, t, 0) for t in templates]
    while pending:
        owner, template, depth = pending.pop()
        info = _info(repo, owner, template)
        refs = set(info.refs)
        if info.dynamic_refs:
            refs |= set(repo.partials)
        for ref in sorted(refs - found.keys()):
            partial = repo.partials.get(ref)
            if partial is None:
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
            found[ref] = strip_template(partial.template)
            pending.append((ref, found[ref], depth + 1))
    return found


def _input_schema(prompt: Prompt, where: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": plain(prompt.inputs, where),
        # Sorted so reordering inputs in the YAML does not change the digest.
        "required": sorted(n for n, s in prompt.inputs.items() if "default" not in s),
        "additionalProperties": False,
    }


def compile_prompt_object(
    repo: Repository,
    prompt_id: str,
    *,
    config: CompileConfig | None = None,
    models: Mapping[str, dict[str, Any]] | None = None,
    tools: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The compiled prompt object of ADR 0002 for ``prompt_id``.

    ``models``/``tools`` are precompiled pins and tools (shared across a whole build).

    Raises:
        ValidationError: if a reference does not resolve or a template does not parse.
        KeyError: if ``prompt_id`` is not a prompt of ``repo``.
    """
    config = config or CompileConfig()
    prompt = repo.prompts[prompt_id]
    pin = repo.models.models.get(prompt.model)
    if pin is None:
        raise _fail(repo, prompt_id, "unknown-model", f"unknown model {prompt.model!r}")
    model = models[prompt.model] if models else compile_model(prompt.model, pin)
    try:
        messages: list[dict[str, Any]] = []
        if prompt.system:
            texts = []
            for iid in prompt.system:
                instruction = repo.instructions.get(iid)
                if instruction is None:
                    raise _fail(
                        repo, prompt_id, "unknown-instruction", f"unknown instruction {iid!r}"
                    )
                texts.append(strip_template(instruction.text))
            # ADR 0001: instructions are literal text joined by a blank line.
            messages.append({"role": "system", "template": "\n\n".join(texts), "engine": "text"})
        templates = [strip_template(m.content) for m in prompt.messages]
        for message, template in zip(prompt.messages, templates, strict=True):
            info = _info(repo, prompt_id, template)
            messages.append({"role": message.role, "template": template, "engine": info.engine})
        tool_objects = []
        for name in prompt.tools:
            if tools and name in tools:
                tool_objects.append(tools[name])
            elif name in repo.tools.tools:
                tool_objects.append(compile_tool(name, repo.tools.tools[name]))
            else:
                raise _fail(repo, prompt_id, "unknown-tool", f"unknown tool {name!r}")
        return {
            "id": prompt_id,
            "path": repo.paths.get(prompt_id, f"prompts/{prompt_id}.yaml"),
            "description": prompt.description,
            "owner": prompt.owner,
            "tags": list(prompt.tags),
            "model": model,
            "params": plain({**pin.params, **prompt.params}, "params"),
            "input_schema": _input_schema(prompt, "inputs"),
            "system": list(prompt.system),
            "messages": messages,
            "partials": reachable_partials(repo, prompt_id, templates, config),
            "tools": tool_objects,
            "output_schema": None
            if prompt.output is None
            else plain(prompt.output.schema_, "output.schema"),
        }
    except NotJsonError as exc:
        raise _fail(
            repo, prompt_id, "not-json", f"value is not representable in JSON: {exc}"
        ) from exc

"""Prompty files (``*.prompty``): the 1.x front matter and the 2.x specification.

1.x: ``model: {api, configuration, parameters}``, ``inputs`` as JSON-Schema-like types,
``sample``, ``authors``; later 1.x runtimes also write ``model: {api, connection, options}``,
``metadata: {authors}`` and ``inputs`` as ``name: sample value`` or ``name: {sample, ...}``.
2.x: ``model: {id, provider, apiType, connection, options}`` (or a plain id),
``inputs``/``outputs`` as property lists with ``kind``, ``tools`` with ``kind``,
``metadata``. Both: a Jinja body cut into messages at ``system:``/``user:``
lines (:mod:`prompty_body`), ``${env:...}`` and ``${file:...}`` references.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from promptops.interop.common import not_kept, prompt_id, shown_path, unknown_keys
from promptops.interop.prompty_body import Version, message_template, render_original, split_body
from promptops.interop.prompty_meta import inputs_and_samples, output_schema, tools
from promptops.interop.prompty_model import model_and_params
from promptops.interop.prompty_refs import resolve_refs
from promptops.interop.prompty_turns import history_loops, history_samples, place_turns
from promptops.interop.sources import Loaded, SourceError, front_matter, load_yaml, read_text
from promptops.interop.types import ImportResult, PromptDraft, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["NAME", "PATTERN_TEXT", "matches", "read"]

NAME = "Prompty"
PATTERN_TEXT = "*.prompty"
_KEYS_1 = {
    "name",
    "description",
    "authors",
    "version",
    "tags",
    "model",
    "inputs",
    "outputs",
    "sample",
    "template",
    "base",
    "metadata",
}
_KEYS_2 = {
    "name",
    "displayName",
    "description",
    "metadata",
    "model",
    "inputs",
    "outputs",
    "tools",
    "template",
    "kind",
    "id",
    "version",
}
_V1_HINTS = ("sample", "authors", "base")
_V1_MODEL = ("api", "configuration", "parameters")  # 2.x says apiType, connection, options
_ROLES = {"system": "system", "user": "user", "assistant": "assistant"}
_REFERENCE = re.compile(r"\{%-?\s*(extends|include|import|from)\b")


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format."""
    return path.suffix == ".prompty"


def _version(data: dict[str, Any]) -> Version:
    model = data.get("model")
    if any(k in data for k in _V1_HINTS) or (
        isinstance(model, dict) and any(k in model for k in _V1_MODEL)
    ):
        return 1
    inputs = data.get("inputs")
    if isinstance(inputs, dict) and any(
        isinstance(v, dict) and "type" in v for v in inputs.values()
    ):
        return 1
    return 2


def _not_kept(
    loaded: Loaded, data: dict[str, Any], meta: dict[str, Any], pid: str
) -> list[Diagnostic]:
    """Warnings for the metadata promptops has no place for."""
    named = f"promptops names the prompt by its file ('{pid}')"
    used = data.get("description") or data.get("displayName") or data.get("name")
    last = pid.rpartition("/")[2]
    reasons = {
        "version": "promptops versions prompts with git history and signed releases",
        "authors": "a promptops prompt has one owner: set it with --owner or 'owner:'",
        "id": named,
    }
    for key in ("name", "displayName"):
        if data.get(key) not in (None, last, used):
            reasons[key] = named
    out = not_kept(loaded, data, (), reasons)
    rest = {k: "a promptops prompt has a description, an owner and tags only" for k in meta}
    rest.pop("tags", None)
    return out + not_kept(loaded, meta, ("metadata",), rest)


def _positions(shown: str, first: int) -> Callable[[int], Where]:
    """Where line ``n`` of a role section starting at body line ``first`` is."""
    return lambda n: Where(shown, first + n - 1)


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Read one ``.prompty`` file into a prompt draft."""
    shown = shown_path(path, base)
    result = ImportResult()
    out = result.diagnostics
    try:
        text = read_text(path, shown)
        fm = front_matter(text, shown)
        if fm is None:
            loaded_data: dict[str, Any] = {}
            body, body_line = text, 1
            loaded = None
        else:
            yaml_text, yaml_line, body, body_offset = fm
            loaded = load_yaml(yaml_text, shown, line_offset=yaml_line, core12=False)
            if loaded.data is not None and not isinstance(loaded.data, dict):
                raise SourceError(
                    diag(
                        Where(shown, yaml_line + 1),
                        "error",
                        "not-format",
                        "not a Prompty file: the front matter must be a YAML mapping",
                    )
                )
            loaded_data = loaded.data or {}
            body_line = text[:body_offset].count("\n") + 1
            # Prompty's loader drops the whitespace that follows the front matter.
            stripped = body.lstrip()
            body_line += body[: len(body) - len(stripped)].count("\n")
            body = stripped
    except SourceError as exc:
        out.append(exc.diagnostic)
        return result
    data = resolve_refs(loaded_data, path, loaded, out)
    version = _version(data)
    if loaded is not None:
        out.extend(
            unknown_keys(
                loaded,
                data,
                (),
                _KEYS_1 if version == 1 else _KEYS_2,
                f"Prompty {version}.x front matter",
            )
        )
    fmt = data.get("template")
    kind = fmt if isinstance(fmt, str) else (fmt.get("format") if isinstance(fmt, dict) else None)
    kind = kind.get("kind") if isinstance(kind, dict) else kind
    if kind not in (None, "jinja2", "jinja"):
        where = loaded.where(("template",)) if loaded else Where(shown)
        out.append(
            diag(
                where,
                "error",
                "template-engine",
                f"template engine '{kind}' is not supported by the import; only Jinja "
                "bodies translate (rewrite this file's body in Jinja)",
            )
        )
        return result
    reference = _REFERENCE.search(body)
    if reference is not None:
        line = body_line + body[: reference.start()].count("\n")
        out.append(
            diag(
                Where(shown, line),
                "error",
                "template-reference",
                f"'{{% {reference.group(1)} %}}' loads another Prompty file; the import "
                "cannot follow it: inline the base template (or make it a partial) "
                "and import again",
            )
        )
        return result
    where = Where(shown)
    pid = prompt_id(path, root or path.parent, (".prompty",))
    draft = PromptDraft(
        id=pid,
        where=where,
        messages=[],
        slots=frozenset(
            {"description", "model", "params", "inputs", "output", "tools", "tags", "messages"}
        ),
    )
    # A name stands in for a missing description, unless it is only the id (what export
    # writes as the required 'name').
    ids = (None, pid, pid.rpartition("/")[2])
    named = [data.get(k) for k in ("displayName", "name") if data.get(k) not in ids]
    draft.description = str(data.get("description") or (named[0] if named else ""))
    raw_meta = data.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    if loaded is not None:
        out.extend(_not_kept(loaded, data, meta, pid))
    tags = data.get("tags", meta.get("tags", []))
    draft.tags = [str(t) for t in tags] if isinstance(tags, list) else []
    draft.model, draft.params = model_and_params(data, version, loaded, shown, out)
    draft.output_schema = output_schema(data, version, loaded, shown, out)
    draft.tools = tools(data, version, loaded, shown, out)
    body_jinja, loops = history_loops(body)
    draft.inputs, samples, specials = inputs_and_samples(
        data, version, body_jinja, loaded, shown, out
    )
    for name in loops:
        specials[name] = "thread"
        draft.inputs[name] = {"type": "array", "default": []}
    chunks, notes = split_body(body_jinja, version)
    for line, what in notes:
        at = Where(shown, body_line + line - 1)
        if what == "nested":
            out.append(
                diag(
                    at,
                    "warning",
                    "nested-role",
                    "a role marker inside a Jinja block makes messages depend on the "
                    "inputs; promptops messages are fixed, so this text stays inside the "
                    "enclosing message",
                )
            )
        else:
            out.append(
                diag(
                    at,
                    "warning",
                    "dynamic-role",
                    "this line writes a role marker at render time; promptops keeps the "
                    "rendered text inside one message (a loop over chat history "
                    "written as '{% for m in NAME %}', '{{m.role}}:', '{{m.content}}', "
                    "'{% endfor %}' on lines of their own becomes a history message)",
                )
            )
    for chunk in chunks:
        role = _ROLES.get(chunk.role)
        first = body_line + chunk.line - 1
        if role is None:
            out.append(
                diag(
                    Where(shown, first),
                    "warning" if chunk.role == "developer" else "error",
                    "role",
                    f"role '{chunk.role}' has no promptops equivalent"
                    + ("; imported as system" if chunk.role == "developer" else ""),
                )
            )
            if chunk.role != "developer" or message_template(chunk.text, version) is None:
                continue
            role = "system"
        draft.messages.extend(
            place_turns(role, chunk.text, specials, version, _positions(shown, first), out)
        )
    if not draft.messages:
        out.append(
            diag(
                Where(shown, body_line),
                "error",
                "empty",
                "the body has no message text; nothing to import",
            )
        )
        return result
    placed = {m.history for m in draft.messages} | {
        p.value for m in draft.messages for p in m.parts or () if p.kind != "text"
    }
    for name in specials:
        if name not in placed:
            # Left out of every message (each use was a warning): not an input either.
            draft.inputs.pop(name, None)
            for sample in samples:
                sample.inputs.pop(name, None)
    # What was left out is proven absent (its warning says so); the rest must match.
    original = {n: k for n, k in specials.items() if n not in loops and n in placed}
    if draft.messages:
        samples.extend(history_samples(samples, specials, Where(shown)))
    for sample in samples:
        try:
            sample.expected = render_original(body, sample.inputs, version, original)
        except ValueError as exc:
            out.append(
                diag(
                    sample.where,
                    "warning",
                    "render-failed",
                    f"Prompty itself cannot render this sample: {exc}",
                )
            )
        draft.samples.append(sample)
    result.documents.append(draft)
    return result

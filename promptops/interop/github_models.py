"""GitHub Models prompt files (``*.prompt.yml``, as ``gh models run`` and ``eval`` read them).

``name``/``description``, ``model`` (``publisher/model``, served by the GitHub Models
endpoint), ``modelParameters``, ``messages`` with ``{{var}}`` placeholders, ``responseFormat``
with ``jsonSchema`` (a JSON string, or the YAML mapping older versions read), ``testData``
and ``evaluators``. Variables, test data and evaluator values follow gh-models' own rules
(:mod:`translate.mustache`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.interop import github_models_meta as meta
from promptops.interop.common import (
    prompt_id,
    shown_path,
    translation_diagnostics,
    unknown_keys,
)
from promptops.interop.github_models_meta import GITHUB_MODELS_URL
from promptops.interop.schema_infer import infer_schema
from promptops.interop.sources import SourceError, load_yaml, read_text
from promptops.interop.translate.mustache import placeholders, render_mustache, translate_mustache
from promptops.interop.types import (
    ImportResult,
    MessageDraft,
    PromptDraft,
    Sample,
    Where,
    diag,
)

__all__ = ["GITHUB_MODELS_URL", "SUFFIXES", "read"]

SUFFIXES = (".prompt.yml", ".prompt.yaml", ".yml", ".yaml")
_KEYS = (
    "name",
    "description",
    "model",
    "modelParameters",
    "responseFormat",
    "jsonSchema",
    "messages",
    "testData",
    "evaluators",
)
_ROLES = ("system", "user", "assistant")
_VAR = re.compile(r"^[A-Za-z_][\w.-]*$")


def read(path: Path, *, root: Path | None = None, base: Path | None = None) -> ImportResult:
    """Read one ``.prompt.yml`` file into a prompt draft with its eval cases."""
    shown = shown_path(path, base)
    result = ImportResult()
    out = result.diagnostics
    try:
        text = read_text(path, shown)
        if text.startswith(("---\n", "---\r\n")) and "\n---" in text[3:]:
            out.append(
                diag(
                    Where(shown),
                    "error",
                    "not-format",
                    "not a GitHub Models prompt file: it starts with a '---' front "
                    "matter (a Prompty or Dotprompt file? import it with that format)",
                )
            )
            return result
        loaded = load_yaml(text, shown)
    except SourceError as exc:
        out.append(exc.diagnostic)
        return result
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        found = "a mapping without 'messages'" if isinstance(data, dict) else type(data).__name__
        out.append(
            diag(
                Where(shown),
                "error",
                "not-format",
                f"not a GitHub Models prompt file: expected a mapping with 'messages' "
                f"(and 'model'), found {found}",
            )
        )
        return result
    out.extend(unknown_keys(loaded, data, (), _KEYS, "GitHub Models prompt file"))
    pid = prompt_id(path, root or path.parent, SUFFIXES)
    rows = data.get("testData") or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        out.append(
            diag(
                loaded.where(("testData",)),
                "error",
                "test-data",
                "testData must be a list of mappings (variable -> value)",
            )
        )
        rows = []
    keys = {str(k) for r in rows for k in r}
    # A display name stands in for a missing description, unless it is only the id
    # (what export writes as the required 'name').
    name = data.get("name") if data.get("name") != pid else None
    description = data.get("description") or name or ""
    if data.get("name") and data.get("description") and data.get("name") != pid:
        out.append(
            diag(
                loaded.where(("name",)),
                "warning",
                "name",
                f"display name '{data['name']}' is not kept: promptops names the prompt "
                f"by its file ('{pid}')",
            )
        )
    params = meta.params(loaded, data.get("modelParameters"), out)
    draft = PromptDraft(
        id=pid,
        where=Where(shown),
        messages=[],
        description=str(description),
        model=meta.model(loaded, data.get("model"), out),
        params=params,
        slots=frozenset({"description", "model", "params", "output", "messages"}),
    )
    draft.output_schema = meta.output_schema(loaded, data, pid, params, out)
    wanted: set[str] = set()
    for msg in data["messages"]:
        if isinstance(msg, dict) and isinstance(msg.get("content"), str):
            used = {p.name for p in placeholders(msg["content"], "github")}
            wanted |= {n for n in used if _VAR.match(n) or n in keys}
    schemas = {k: infer_schema([r[k] for r in rows if k in r], None) for k in wanted}
    names: set[str] = set()
    renames: dict[str, str] = {}
    for i, msg in enumerate(data["messages"]):
        where = loaded.where(("messages", i))
        if not isinstance(msg, dict) or not isinstance(msg.get("content"), str):
            out.append(
                diag(where, "error", "message", "each message needs 'role' and text 'content'")
            )
            continue
        role = str(msg.get("role", "")).lower()
        if role not in _ROLES:
            out.append(
                diag(
                    loaded.where(("messages", i, "role")),
                    "error",
                    "message",
                    f"unknown role {msg.get('role')!r}; expected system, user or assistant",
                )
            )
            continue
        content = msg["content"]
        tr = translate_mustache(content, "github", wanted, schemas)
        names |= set(tr.usage)
        renames.update(tr.renames)
        locate = loaded.template_where(("messages", i, "content"), content)
        out.extend(translation_diagnostics(tr.problems, locate))
        draft.messages.append(MessageDraft(role, tr.segments[0].jinja, where))
    sources = {v: k for k, v in renames.items()}
    draft.inputs = {name: schemas[sources.get(name, name)] for name in sorted(names)}
    evaluators = data.get("evaluators")
    for n, row in enumerate(rows):
        inputs: dict[str, Any] = {}
        for name in sorted(names):
            key = sources.get(name, name)
            if key in row:
                inputs[name] = row[key]
            else:
                # gh models leaves '{{key}}' as written when the row has no such key.
                inputs[name] = "{{" + key + "}}"
                out.append(
                    diag(
                        loaded.where(("testData", n)),
                        "warning",
                        "sample-missing",
                        f"test {n + 1} gives no '{key}': gh models sends '{{{{{key}}}}}' "
                        "as written, and so does the imported case",
                    )
                )
        expected = [
            (m.role, render_mustache(data["messages"][i]["content"], row, "github"))
            for i, m in enumerate(draft.messages)
        ]
        draft.samples.append(
            Sample(
                name=f"test-{n + 1}",
                inputs=inputs,
                where=loaded.where(("testData", n)),
                expected=expected,
                assertions=meta.assertions(loaded, evaluators, row, n == 0, out),
            )
        )
    if not rows and evaluators:
        out.append(
            diag(
                loaded.where(("evaluators",)),
                "warning",
                "evaluator",
                "evaluators without testData check nothing; they were not imported",
            )
        )
    result.documents.append(draft)
    return result


NAME = "GitHub Models"
PATTERN_TEXT = "*.prompt.yml, *.prompt.yaml"


def matches(path: Path) -> bool:
    """Files a directory scan picks up for this format."""
    return path.name.endswith((".prompt.yml", ".prompt.yaml"))

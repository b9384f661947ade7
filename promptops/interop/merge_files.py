"""Add entries to the repository's shared files without disturbing what is there.

``models.yaml``, ``policies/tools.yaml`` and ``policies/rules.yaml`` belong to the whole
repository: an import adds pins and tools to them through ruamel's round-trip loader, so
every comment, key order and quoting style the team wrote survives.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from promptops.interop.yamlout import dump_yaml

__all__ = ["merge_models", "merge_rules", "merge_tools"]

_MODELS_HEADER = (
    "Model pins: prompts name a pin, never a raw model id.\n"
    "Written by promptops import: check each pin (provider, dated model, params) before merging."
)
_TOOLS_HEADER = (
    "Tools prompts may call, their argument schemas and their risk.\n"
    "Written by promptops import with risk 'medium': review every risk before merging."
)
_RULES_HEADER = (
    "Lint rules for this repository.\n"
    "The imported sources name floating model aliases (or none): until every pin in\n"
    "models.yaml names a dated snapshot, validate warns instead of failing. Pin dated\n"
    "snapshots, then set require_dated_model back to true."
)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _merge(existing: bytes, section: str, entries: dict[str, Any]) -> str:
    y = _yaml()
    doc = y.load(existing.decode("utf-8"))
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    block = doc.get(section)
    if not isinstance(block, CommentedMap):
        block = CommentedMap()
        doc[section] = block
    for name, entry in entries.items():
        block[name] = entry
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def merge_models(existing: bytes | None, added: dict[str, dict[str, Any]]) -> str:
    """``models.yaml`` with ``added`` pins (a new file when there is none)."""
    if existing is None:
        return dump_yaml({"models": added}, _MODELS_HEADER, flow=False)
    return _merge(existing, "models", added) if added else existing.decode("utf-8")


def merge_tools(existing: bytes | None, changes: dict[str, dict[str, Any]]) -> str:
    """``policies/tools.yaml`` with new or replaced tools."""
    if existing is None:
        return dump_yaml({"tools": changes}, _TOOLS_HEADER, flow=False)
    return _merge(existing, "tools", changes)


def merge_rules(existing: bytes | None) -> str:
    """``policies/rules.yaml`` letting floating pins through validation (as warnings)."""
    if existing is None:
        return dump_yaml({"rules": {"require_dated_model": False}}, _RULES_HEADER, flow=False)
    y = _yaml()
    doc = y.load(existing.decode("utf-8"))
    rules = doc.get("rules") if isinstance(doc, CommentedMap) else None
    if isinstance(rules, CommentedMap):
        rules["require_dated_model"] = False
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()

"""Cache keys: the digest of every input that shapes one compiled prompt.

A key changes exactly when the compiled bytes may change, so after editing 50 files a
rebuild recompiles about 50 prompts and reuses the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from promptops import __version__
from promptops.canonical import canonical_bytes
from promptops.compile.engine import REFERENCE_WORDS
from promptops.repo.types import Repository
from promptops.spec import Prompt

__all__ = ["KEY_VERSION", "Digests", "document_digest", "prompt_key"]

# Bump when the compiled prompt object changes shape, so stale entries are never reused.
KEY_VERSION = "compile/1"


def _digest(value: Any) -> str:
    # Lenient encoding: a key only has to change when its input does; values that are not
    # JSON (YAML dates) are reported by the compiler itself, not here.
    text = json.dumps(value, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_digest(repo: Repository, key: str, document: Any) -> str:
    """The content digest of a document: the loader's (git blob id or sha256) when it
    recorded one, else a sha256 of the parsed model (Repositories built in memory)."""
    known = repo.digests.get(key)
    if known:
        return known
    return _digest(document.model_dump(mode="json", by_alias=True))


class Digests:
    """Per-build digests of shared inputs, each computed once however many prompts use it."""

    def __init__(
        self,
        repo: Repository,
        models: Mapping[str, dict[str, Any]],
        tools: Mapping[str, dict[str, Any]],
    ) -> None:
        self.repo = repo
        # Models and tools are digested from their compiled objects (with the merged pin
        # params for models), not from the whole file: editing one pin only invalidates
        # the prompts that use it.
        self.models = {
            name: _digest([obj, repo.models.models[name].params]) for name, obj in models.items()
        }
        self.tools = {name: _digest(obj) for name, obj in tools.items()}
        partials = sorted((pid, document_digest(repo, pid, p)) for pid, p in repo.partials.items())
        self.partials = hashlib.sha256(canonical_bytes(partials)).hexdigest()
        self._instructions: dict[str, str] = {}

    def instruction(self, iid: str) -> str:
        if iid not in self._instructions:
            doc = self.repo.instructions.get(iid)
            self._instructions[iid] = "" if doc is None else document_digest(self.repo, iid, doc)
        return self._instructions[iid]


def _may_reference(prompt: Prompt) -> bool:
    return any(w in m.content for m in prompt.messages for w in REFERENCE_WORDS)


def prompt_key(digests: Digests, prompt_id: str, prompt: Prompt) -> str:
    """The cache key of ``prompt_id``: sha256 over its id and path, its own content digest,
    its model pin, instructions, tools, the partials it may reach and the promptops version.
    """
    repo = digests.repo
    # Fields joined by NUL (which none of them can hold), hashed once: this runs for every
    # prompt on every build, so it stays a few microseconds.
    instructions = "\x01".join(f"{iid}={digests.instruction(iid)}" for iid in prompt.system)
    tools = "\x01".join(f"{name}={digests.tools.get(name)}" for name in prompt.tools)
    fields = (
        KEY_VERSION,
        __version__,
        prompt_id,
        repo.paths.get(prompt_id) or "",
        document_digest(repo, prompt_id, prompt),
        digests.models.get(prompt.model) or "",
        instructions,
        tools,
        # All partials, not only the reachable ones: which are reachable is only known after
        # parsing, and partials are few next to prompts.
        digests.partials if _may_reference(prompt) else "",
    )
    return hashlib.sha256("\x00".join(fields).encode("utf-8")).hexdigest()

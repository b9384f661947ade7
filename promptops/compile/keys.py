"""Cache keys: the digest of every input that shapes one compiled prompt.

A key changes exactly when the compiled bytes may change, so after editing 50 files a
rebuild recompiles about 50 prompts and reuses the rest. Keys are computed in two steps so
that an unchanged prompt is never parsed: its *own* key (id, path, content digest) finds
its recorded dependencies (model, instructions, tools, whether it may include partials),
and the *full* key adds the digests of those dependencies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from promptops import __version__
from promptops.canonical import canonical_bytes
from promptops.compile._json import NotJsonError
from promptops.compile.engine import REFERENCE_WORDS
from promptops.compile.shared import Resolver
from promptops.repo.types import Repository
from promptops.spec import Prompt

__all__ = [
    "KEY_VERSION",
    "Deps",
    "Digests",
    "document_digest",
    "experiment_digests",
    "full_key",
    "own_key",
]

# Bump when the compiled prompt object changes shape, so stale entries are never reused.
KEY_VERSION = "compile/3"

# Separators that no id, name or hex digest can contain.
_FIELD, _ITEM = "\x1e", "\x1f"


def _digest(value: Any) -> str:
    # Lenient encoding: a key only has to change when its input does; values that are not
    # JSON (YAML dates) are reported by the compiler itself, not here.
    text = json.dumps(value, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_digest(repo: Repository, key: str, documents: Mapping[str, Any]) -> str:
    """The content digest of document ``key`` ("" if absent): the loader's (git blob id or
    sha256) when it recorded one, else a sha256 of the parsed model (Repositories built in
    memory). Reading the digest first keeps lazily loaded documents unparsed."""
    known = repo.digests.get(key)
    if known:
        return known
    document = documents.get(key)
    return "" if document is None else _digest(document.model_dump(mode="json", by_alias=True))


@dataclass(frozen=True)
class Deps:
    """What a prompt's compiled object depends on besides its own file."""

    model: str
    # Pins its variants name besides ``model`` (ADR 0018).
    models: tuple[str, ...]
    system: tuple[str, ...]
    tools: tuple[str, ...]
    # Whether a template mentions include/import/extends, i.e. may reach a partial.
    refs: bool

    @classmethod
    def of(cls, prompt: Prompt) -> Deps:
        messages = [*prompt.messages]
        for variant in prompt.variants.values():
            messages.extend(variant.messages or ())
        return cls(
            model=prompt.model,
            models=tuple(
                sorted({v.model for v in prompt.variants.values() if v.model} - {prompt.model})
            ),
            system=tuple(prompt.system),
            tools=tuple(prompt.tools),
            refs=any(w in t for m in messages for t in m.templates() for w in REFERENCE_WORDS),
        )

    def encode(self) -> str:
        return _FIELD.join(
            [self.model, _ITEM.join(self.system), _ITEM.join(self.tools), "1" if self.refs else "",
             _ITEM.join(self.models)]
        )  # fmt: skip

    @classmethod
    def decode(cls, text: str) -> Deps | None:
        parts = text.split(_FIELD)
        if len(parts) != 5:
            return None
        system = tuple(parts[1].split(_ITEM)) if parts[1] else ()
        tools = tuple(parts[2].split(_ITEM)) if parts[2] else ()
        models = tuple(parts[4].split(_ITEM)) if parts[4] else ()
        return cls(parts[0], models, system, tools, parts[3] == "1")


class Digests:
    """Per-build digests of shared inputs, each computed once however many prompts use it."""

    def __init__(self, resolver: Resolver) -> None:
        repo = self.repo = resolver.repo
        # Models and tools are digested from their compiled objects (with the pin params for
        # models), not from the whole file: editing one pin only invalidates the prompts
        # that use it. A tool that does not compile gets no digest (its prompts fail).
        # A pin's fallback chain is part of it: every prompt on it carries the chain.
        self.models = {
            name: _digest(
                [[resolver.model(n), repo.models.models[n].params]
                 for n in (name, *repo.models.fallbacks(name))]
            )
            for name in repo.models.models
        }  # fmt: skip
        self.tools: dict[str, str] = {}
        for name in repo.tools.tools:
            with contextlib.suppress(NotJsonError):
                self.tools[name] = _digest(resolver.tool(name))
        partials = sorted((pid, document_digest(repo, pid, repo.partials)) for pid in repo.partials)
        self.partials = hashlib.sha256(canonical_bytes(partials)).hexdigest()
        self._instructions: dict[str, str] = {}

    def prefetch(self) -> None:
        """Digest every instruction now (before worker processes fork)."""
        for iid in self.repo.instructions:
            self.instruction(iid)

    def instruction(self, iid: str) -> str:
        if iid not in self._instructions:
            self._instructions[iid] = document_digest(self.repo, iid, self.repo.instructions)
        return self._instructions[iid]


def experiment_digests(repo: Repository) -> dict[str, str]:
    """Prompt id -> the digest of the experiments on it (name=content digest; validate
    allows one), built once per build: an experiment's arms live in its prompt's entry
    (ADR 0018), so they are part of that prompt's own key."""
    names: dict[str, list[str]] = {}
    for name in sorted(repo.experiments):
        names.setdefault(repo.experiments[name].prompt, []).append(name)
    return {
        pid: _ITEM.join(f"{n}={document_digest(repo, n, repo.experiments)}" for n in found)
        for pid, found in names.items()
    }


def own_key(repo: Repository, prompt_id: str, experiment: str) -> str:
    """The key of a prompt's own file: id, path, content digest and the compiler version,
    and ``experiment``, the digest of the experiment on it (:func:`experiment_digests`)."""
    fields = (
        KEY_VERSION,
        __version__,
        prompt_id,
        repo.paths.get(prompt_id) or "",
        document_digest(repo, prompt_id, repo.prompts),
        experiment,
    )
    return hashlib.sha256("\x00".join(fields).encode("utf-8")).hexdigest()


def full_key(digests: Digests, own: str, deps: Deps) -> str:
    """The cache key of a compiled prompt: its own key plus the digests of its model pin,
    instructions and tools, and of all partials when it may include one."""
    fields = (
        own,
        deps.model,
        digests.models.get(deps.model) or "",
        _ITEM.join(f"{name}={digests.models.get(name) or ''}" for name in deps.models),
        _ITEM.join(f"{iid}={digests.instruction(iid)}" for iid in deps.system),
        _ITEM.join(f"{name}={digests.tools.get(name) or ''}" for name in deps.tools),
        # All partials, not only the reachable ones: which are reachable is only known after
        # parsing, and partials are few next to prompts.
        digests.partials if deps.refs else "",
    )
    return hashlib.sha256("\x00".join(fields).encode("utf-8")).hexdigest()

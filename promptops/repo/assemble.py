"""Turn a load's state into a Repository: the findings, then the document mappings.

Documents are listed, not built: each mapping entry is (path, blob id), and a model is built
on first access from the document store's data (``store.py``), never by parsing the file
again unless the store has lost it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from promptops.repo.codes import POLICY_CODES
from promptops.repo.config import Limits
from promptops.repo.kinds import usual_kind
from promptops.repo.lazy import Deferred, LazyModels
from promptops.repo.reading import Snapshot
from promptops.repo.state import Kinds, State, diagnostics
from promptops.repo.store import Store, decode_data
from promptops.repo.types import Diagnostic, Repository
from promptops.repo.update import Update
from promptops.spec import (
    EvalSet,
    Experiment,
    Instruction,
    ModelsFile,
    Partial,
    Prompt,
    RulesFile,
    SignersFile,
    ToolsFile,
)
from promptops.spec.header import split_header

__all__ = ["assemble"]

_FIXED_KEYS = {
    "models.yaml": "models",
    "policies/tools.yaml": "tools",
    "policies/rules.yaml": "rules",
    "policies/signers.yaml": "signers",
}
_TABLES = ("prompt", "instruction", "partial", "eval", "experiment")


def _data_loader(snap: Snapshot, store: Store, limits: Limits) -> Any:
    """paths -> plain data: the document store first, the files themselves for the rest."""

    def load(paths: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        blobs = {p: snap.files[p] for p in paths if p in snap.files}
        stored = store.documents(blobs.values())
        missing: list[str] = []
        for path, blob in blobs.items():
            found = stored.get(blob)
            try:
                if found is not None:
                    out[path] = decode_data(found)
                    continue
            except ValueError:
                pass
            missing.append(path)
        if missing:  # parsed only where the store has no data (PyYAML loads only then)
            from promptops.repo.yamlload import YamlProblem, parse_yaml
        for path, data in snap.read(missing).items():
            try:
                out[path] = split_header(parse_yaml(data, limits).data)[1]
            except YamlProblem:
                continue
        return out

    return load


class _Listing:
    """The document mappings of a load, built together on first use."""

    def __init__(self, state: State, snap: Snapshot, failed: set[str]) -> None:
        self._state = state
        self._snap = snap
        self._failed = failed
        self._built: tuple[dict[str, Any], dict[str, str], dict[str, str]] | None = None

    def _build(self) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        if self._built is not None:
            return self._built
        real, files, failed = self._snap.actual, self._snap.files, self._failed
        entries: dict[str, dict[str, tuple[str, str, Any]]] = {k: {} for k in _TABLES}
        paths: dict[str, str] = {}
        digests: dict[str, str] = {}
        exceptions = self._state.kinds
        for path in sorted(files):
            # Kinds.__getitem__ inlined: this walks every file of the repository.
            kind = exceptions[path] if path in exceptions else usual_kind(path)
            if not kind or path in failed:
                continue
            if path in _FIXED_KEYS:
                key = _FIXED_KEYS[path]
            elif kind == "eval":
                key = real.get(path, path)  # eval sets are keyed by path: the real one
            elif kind == "experiment":
                key = path[len("experiments/") : -len(".yaml")]
            else:
                key = path[len("prompts/") : -len(".yaml")]
            paths[key] = real.get(path, path)
            digests[key] = files[path]
            if kind in entries:
                entries[kind][key] = (path, files[path], None)
        self._built = (entries, paths, digests)
        return self._built

    def entries(self, kind: str) -> Deferred[tuple[str, str, Any]]:
        return Deferred(lambda: self._build()[0][kind])

    def paths(self) -> Deferred[str]:
        state, files = self._state, self._snap.files
        kinds = Kinds(files, state.kinds)
        # Every usable document but those with errors: counted without listing them.
        usable = len(files) - len(state.stray) - list(state.kinds.values()).count(None)
        size = usable - sum(1 for p in self._failed if kinds[p])
        return Deferred(lambda: self._build()[1], size)

    def digests(self) -> Deferred[str]:
        return Deferred(lambda: self._build()[2])


def assemble(
    root: Path,
    snap: Snapshot,
    outcome: Update,
    extra: list[Diagnostic],
    store: Store,
    limits: Limits,
    settings: dict[str, int],
) -> Repository:
    """The Repository of ``snap`` as ``outcome`` found it (documents with errors left out)."""
    state: State = outcome.state
    diags = [*extra, *diagnostics(state.own, state.pairs, state.cross)]
    # Documents with errors are left out, unless the errors are only the repository's
    # policy (rules, lifecycle): a prompt that lacks evals can still be rendered.
    failed = {d.path for d in diags if d.level == "error" and d.code not in POLICY_CODES}
    # Checks ran on canonical paths; users see their files' real names (names.py).
    real = snap.actual
    if real:
        diags = [dataclasses.replace(d, path=real.get(d.path, d.path)) for d in diags]
    fixed: dict[str, Any] = {}
    for path, res in outcome.fixed.items():
        if res.kind is not None and path not in failed:
            fixed[_FIXED_KEYS[path]] = res.data
    listing = _Listing(state, snap, failed)
    load = _data_loader(snap, store, limits)

    def encoded(paths: list[str]) -> dict[str, bytes]:
        blobs = {p: snap.files[p] for p in paths if p in snap.files}
        found = store.documents(blobs.values())
        return {p: found[b] for p, b in blobs.items() if b in found}

    return Repository(
        root=root,
        source=snap.source,
        models=ModelsFile.model_validate(fixed["models"]) if "models" in fixed else ModelsFile(),
        prompts=LazyModels(Prompt, listing.entries("prompt"), load, encoded),
        instructions=LazyModels(Instruction, listing.entries("instruction"), load),
        partials=LazyModels(Partial, listing.entries("partial"), load),
        tools=ToolsFile.model_validate(fixed["tools"]) if "tools" in fixed else ToolsFile(),
        rules=RulesFile.model_validate(fixed["rules"]) if "rules" in fixed else RulesFile(),
        signers=SignersFile.model_validate(fixed["signers"]) if "signers" in fixed else None,
        evals=LazyModels(EvalSet, listing.entries("eval"), load),
        experiments=LazyModels(Experiment, listing.entries("experiment"), load),
        eval_targets=Deferred(
            lambda: {real.get(p, p): target for p, (target, _) in state.evals.items()}
        ),
        paths=listing.paths(),
        digests=listing.digests(),
        diagnostics=tuple(sorted(set(diags))),
        limits=settings,
    )

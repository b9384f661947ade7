"""Bring a repository's state up to date with a snapshot: file checks, eval-case checks and
cross-file checks, all of them on a first load, only what a change reaches after one.

After a change to a few documents, a load re-checks those files (or finds them in the result
store by blob id), and re-runs the cross-file checks only for the documents the change can
affect: the changed ones, the eval sets and experiments that target a changed prompt, the
prompts whose eval-case count changed, and, when the set of prompt ids changed, every file
that names an unknown prompt (its suggestion may change). Every other finding is the stored
state's. A change to a file whose reach is wide (models.yaml, tools, rules, signers, a
partial, an instruction appearing or disappearing) or a different context (promptops
version, limits, rules, the day a pin retires) runs everything, as a first load does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from promptops.repo.context import CheckContext
from promptops.repo.crosscheck import Facts, cross_check
from promptops.repo.evalcases import has_errors, pair_diagnostics
from promptops.repo.kinds import classify
from promptops.repo.locator import Locator
from promptops.repo.pins import check_pins
from promptops.repo.reading import Snapshot
from promptops.repo.result import FileResult
from promptops.repo.state import DiagMap, Kinds, State, group
from promptops.repo.store import Record, Store, decode_data
from promptops.repo.tables import FactTable, Summary
from promptops.repo.types import Diagnostic
from promptops.spec import ModelsFile, Rules, ToolsFile

__all__ = ["Update", "update"]

_TABLES = ("prompt", "instruction", "partial", "eval", "experiment")
# Beyond this share of changed files, checking everything costs no more than the bookkeeping.
_INCREMENTAL_MAX = 0.25


@dataclass
class Update:
    """What a load found: the new state and the fixed files' results (their data parsed)."""

    state: State
    fixed: dict[str, FileResult]
    # How many files were checked afresh, and whether cross-file checks ran on everything.
    checked: int = 0
    full: bool = True


def _key(path: str, kind: str | None) -> str:
    if kind == "experiment":
        return path[len("experiments/") : -len(".yaml")]
    if kind == "eval":
        return path
    return path[len("prompts/") : -len(".yaml")]


@dataclass
class _Run:
    """One update: the snapshot, the check context and the stores it reads and writes."""

    snap: Snapshot
    ctx: CheckContext
    store: Store
    rules: Rules
    today: dt.date
    where: Locator
    fixed: dict[str, FileResult]
    checked: int = 0  # files checked afresh (not found in the store)

    def results(self, paths: Iterable[str]) -> dict[str, Record]:
        """Results of ``paths`` (canonical): from the store by blob id, else checked now."""
        files, key = self.snap.files, self.ctx.key
        wanted = [p for p in paths if p in files]
        found = self.store.results(key, [(p, files[p]) for p in wanted])
        out: dict[str, Record] = {}
        missing: list[str] = []
        for p in wanted:
            hit = found.get((key, p, files[p]))
            if hit is None:
                missing.append(p)
            else:
                out[p] = hit
        if missing:
            snap = self.snap
            if snap.local_root is not None:
                items: list[tuple[str, bytes | None]] = [(p, snap.contents.get(p)) for p in missing]
            else:
                contents = snap.read(missing)
                items = [(p, contents.get(p, b"")) for p in missing]
            # The checkers (PyYAML, every check) load only when a file must be checked.
            from promptops.repo.parallel import check_many

            fresh = check_many(items, self.ctx, snap.local_root, snap.actual)
            self.checked += len(fresh)
            for p, (record, data) in zip(missing, fresh, strict=True):
                if data is not None:
                    self.store.put_document(files[p], data)
                self.store.put_result((key, p, files[p]), record)
                out[p] = record
        return out

    def data(self, path: str) -> Any:
        """A document's plain data: from the document store, else parsed once more."""
        blob = self.snap.files[path]
        found = self.store.documents([blob]).get(blob)
        if found is not None:
            try:
                return decode_data(found)
            except ValueError:
                pass
        parsed = self.where.parsed(path)
        if parsed is None:
            return None
        from promptops.spec.header import split_header

        return split_header(parsed.data)[1]

    def pairs(self, evals: Mapping[str, str], prompts: Mapping[str, Record]) -> DiagMap:
        """Eval-case diagnostics of each usable eval set (path -> target prompt id) against
        its usable target."""
        out: list[Diagnostic] = []
        files, key = self.snap.files, self.ctx.key
        todo: list[tuple[str, str, str, tuple[str, str, str]]] = []
        for path, target in evals.items():
            prompt_path = f"prompts/{target}.yaml"
            record = prompts.get(prompt_path)
            if record is None or record.kind != "prompt":
                continue  # unknown or broken targets are reported on their own
            prompt = record.result
            if has_errors(prompt):
                continue
            # By the prompt's contract (inputs, tools, media inputs), not its blob: a change
            # to its wording leaves every eval set targeting it as it was.
            contract = prompt.facts.get("contract", files[prompt_path])
            pair = (key, f"{path}\0{prompt_path}", f"{files[path]}:{contract}")
            todo.append((path, target, prompt_path, pair))
        cached = self.store.results(key, [(pair[1], pair[2]) for *_, pair in todo])
        for path, target, prompt_path, pair in todo:
            hit = cached.get(pair)
            if hit is None:
                found = pair_diagnostics(
                    path, target, self.data(path), self.data(prompt_path), self.where
                )
                result = FileResult("pair", None, tuple(found))
                self.store.put_result(pair, Record.of(result))
                out.extend(found)
            else:
                out.extend(hit.result.diagnostics)
        return group(out)

    def facts(
        self, results: Mapping[str, Record], ids: Mapping[str, Collection[str]] | None
    ) -> Facts:
        tables = {kind: FactTable() for kind in _TABLES}
        broken: set[str] = set()
        for path, record in results.items():
            if record.kind in tables:
                tables[record.kind].add(_key(path, record.kind), path, record)
            elif record.kind is None and path.startswith("prompts/"):
                broken.add(_key(path, "prompt"))
        facts = Facts(
            prompts=tables["prompt"],
            instructions=tables["instruction"],
            partials=tables["partial"],
            evals=tables["eval"],
            experiments=tables["experiment"],
            broken=broken,
            ids=ids,
        )
        models, tools = self.fixed.get("models.yaml"), self.fixed.get("policies/tools.yaml")
        facts.models_ok = models is None or models.kind is not None
        facts.tools_ok = tools is None or tools.kind is not None
        if models is not None and models.kind is not None:
            facts.models = ModelsFile.model_validate(models.data)
        if tools is not None and tools.kind is not None:
            facts.tools = set(ToolsFile.model_validate(tools.data).tools)
        return facts

    def cross(self, facts: Facts, counts: dict[str, int] | None) -> DiagMap:
        return group(cross_check(facts, self.rules, self.today, self.where, counts))

    def pins(self, facts: Facts) -> DiagMap:
        models = self.fixed.get("models.yaml")
        if models is None or models.kind is None:
            return {}
        return group(check_pins(facts.models, self.where, self.rules.require_dated_model))


def _full(run: _Run, context: str) -> State:
    paths: list[str] = []
    stray: list[str] = []
    for p in run.snap.files:
        family = classify(p)
        if family is None:
            stray.append(p)
        elif family != "trust":  # the trust chain is walked by the loader on every load
            paths.append(p)
    records = {p: Record.of(r) for p, r in run.fixed.items()}
    records.update(run.results([p for p in paths if p not in run.fixed]))
    summary = Summary(records)
    facts = run.facts(records, None)
    cross = {**run.pins(facts), **run.cross(facts, None)}
    usable = {p: target for p, (target, cases) in summary.evals.items() if cases >= 0}
    snap = run.snap
    return State(
        snap.tree,
        snap.overrides,
        {},
        context,
        summary.kinds,
        summary.own,
        run.pairs(usable, records),
        cross,
        summary.evals,
        summary.experiments,
        stray,
    )


_DOCUMENTS = ("prompts/", "evals/", "experiments/")
_GONE = ""  # the kind of a path that has no file


def _paths(table: Mapping[str, tuple[str, Any]]) -> list[str]:
    if isinstance(table, FactTable):
        return table.paths()
    return [path for path, _ in table.values()]


def _wide(path: str, before: str | None, after: str | None) -> bool:
    """Whether a change to ``path`` (its kind before -> after, ``None`` when the file did not
    load, ``""`` when there is none) may reach documents no table says refer to it."""
    if "partial" in (before, after):
        return True  # variables and includes flow into every prompt including it
    if before == after or not path.startswith("prompts/"):
        return False
    # An instruction appearing or going, or a file under prompts/ that does not load
    # appearing, going or loading again (references to it are not reported twice).
    return "instruction" in (before, after) or None in (before, after)


def _incremental(run: _Run, base: State, changed: set[str], context: str) -> State | None:
    """The new state from ``base`` and the ``changed`` paths, or None if the change reaches
    too far to be worth tracking (then everything is checked)."""
    snap = run.snap
    families = {p: classify(p) for p in changed}
    stray = [p for p in base.stray if p not in changed]
    stray += sorted(p for p, f in families.items() if f is None and p in snap.files)
    changed = {p for p, f in families.items() if f not in (None, "trust")}
    if any(not p.startswith(_DOCUMENTS) for p in changed):
        return None  # models.yaml or policies/: any prompt may use them
    was = Kinds(base.files, base.kinds)
    before = {p: was[p] for p in changed}
    fresh = run.results(sorted(changed))
    after: dict[str, str | None] = {p: fresh[p].kind if p in fresh else _GONE for p in changed}
    if any(_wide(p, before[p], after[p]) for p in changed):
        return None
    exceptions, own = dict(base.kinds), dict(base.own)
    pairs, cross = dict(base.pairs), dict(base.cross)
    evals, experiments = dict(base.evals), dict(base.experiments)
    targets_before = {base.evals[p][0] for p in changed if p in base.evals}
    for p in changed:
        for table in (exceptions, own, pairs, cross, evals, experiments):
            table.pop(p, None)
    summary = Summary(fresh)
    exceptions.update(summary.kinds)
    kinds = Kinds(snap.files, exceptions)
    own.update(summary.own)
    evals.update(summary.evals)
    experiments.update(summary.experiments)
    # Prompt ids whose document changed, appeared or went: what refers to them is re-checked.
    touched_ids = {
        _key(p, "prompt")
        for p in changed
        if p.startswith("prompts/") and "prompt" in (before[p], after[p])
    }
    id_set_changed = any(
        p.startswith("prompts/") and (before[p] == "prompt") != (after[p] == "prompt")
        for p in changed
    )
    targets_after = {evals[p][0] for p in changed if p in evals}
    subjects = {p for p in changed if after[p] in _TABLES}
    subjects |= {p for p, (target, _) in evals.items() if target in touched_ids}
    subjects |= {p for p, target in experiments.items() if target in touched_ids}
    # An experiment is checked against its prompt's variants and against every other
    # experiment on that prompt (one experiment per prompt): a changed experiment brings them.
    x_targets = {base.experiments[p] for p in changed if p in base.experiments}
    x_targets |= {experiments[p] for p in changed if p in experiments}
    subjects |= {p for p, target in experiments.items() if target in x_targets}
    subjects |= {f"prompts/{t}.yaml" for t in targets_before | targets_after}
    if id_set_changed:
        subjects |= {
            p for p, items in cross.items() if any(d[4] == "unknown-prompt" for d in items)
        }
    subjects = {p for p in subjects if kinds[p] in _TABLES}
    eval_targets = {f"prompts/{evals[p][0]}.yaml" for p in subjects if kinds[p] == "eval"}
    x_prompts = {f"prompts/{experiments[p]}.yaml" for p in subjects if p in experiments}
    partials = {p for p, k in exceptions.items() if k == "partial"}
    loaded = run.results(subjects | eval_targets | x_prompts | partials)
    ids = {k: kinds.ids(k) for k in ("prompt", "instruction", "partial")}
    facts = run.facts({p: loaded[p] for p in subjects | partials if p in loaded}, ids)
    facts.broken = kinds.ids(None)
    # Eval sets and experiments whose target prompt must be looked at need its facts.
    for p in eval_targets | x_prompts:
        key = _key(p, "prompt")
        if p in loaded and loaded[p].kind == "prompt" and key not in facts.prompts:
            facts.prompts[key] = (p, loaded[p].result.facts)
    counts: dict[str, int] = {}
    for target, cases in evals.values():
        if cases >= 0 and kinds[f"prompts/{target}.yaml"] == "prompt":
            counts[target] = counts.get(target, 0) + cases
    checked = {path for table in (facts.prompts, facts.partials, facts.evals, facts.experiments)
               for path in _paths(table)}  # fmt: skip
    for p in checked:
        cross.pop(p, None)
    cross.update(run.cross(facts, counts))
    pair_evals = {p: evals[p][0] for p in subjects if kinds[p] == "eval" and p in evals}
    for p in pair_evals:
        pairs.pop(p, None)
    pairs.update(run.pairs(pair_evals, {p: loaded[p] for p in eval_targets if p in loaded}))
    return State(
        snap.tree,
        snap.overrides,
        {},
        context,
        exceptions,
        own,
        pairs,
        cross,
        evals,
        experiments,
        stray,
        base.yml,
    )


def update(
    snap: Snapshot,
    ctx: CheckContext,
    store: Store,
    rules: Rules,
    today: dt.date,
    where: Locator,
    fixed: dict[str, FileResult],
    context: str,
    incremental: bool,
) -> Update:
    """The state of ``snap``, derived from ``snap.base`` when ``incremental`` and the base
    was made under the same ``context``, else from every file."""
    run = _Run(snap, ctx, store, rules, today, where, fixed)
    base = snap.base
    if (
        incremental
        and base is not None
        and snap.changed is not None
        and base.context == context
        and not any(p.endswith(".yml") for p in snap.changed)
        and len(snap.changed) <= max(1_000, _INCREMENTAL_MAX * len(base.files))
    ):
        state = _incremental(run, base, set(snap.changed), context)
        if state is not None:
            return Update(state, fixed, run.checked, full=False)
    return Update(_full(run, context), fixed, run.checked, full=True)

"""``export_prompts``: write compiled prompts in another tool's format, and say exactly
what does not come back.

Every exported file is imported again, into a scratch repository holding the source's
model pins, tools and instructions, and each prompt's compiled object is compared with
the original: equal means the export then import gives back the same bundle digest;
otherwise the differing fields are listed. Nothing is written here; the CLI writes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.compile import compile_repository
from promptops.errors import UsageError, ValidationError
from promptops.fsutil import atomic_write_text
from promptops.interop.export_asserts import not_carried
from promptops.interop.export_common import Unexpressible
from promptops.interop.importer import plan_import
from promptops.interop.writers import WRITERS
from promptops.interop.yamlout import dump_yaml
from promptops.repo import load_repository
from promptops.repo.types import Repository

__all__ = ["ExportResult", "export_prompts"]

_FIELDS = {
    "description": "description",
    "owner": "owner",
    "tags": "tags",
    "model": "model pin",
    "params": "params",
    "input_schema": "input schemas",
    "system": "instruction ids",
    "messages": "messages",
    "partials": "partials",
    "tools": "tools",
    "output_schema": "output schema",
    "id": "id",
    "path": "file path",
    "variants": "variants",
    "experiment": "experiment (experiments/*.yaml)",
    "fallbacks": "model pin fallbacks",
}


@dataclass
class ExportResult:
    files: dict[str, str] = field(default_factory=dict)
    # Prompt id -> digest equality after export and import (True: comes back the same).
    same: dict[str, bool] = field(default_factory=dict)
    # Prompt id -> why it was not written / which fields do not come back.
    skipped: dict[str, str] = field(default_factory=dict)
    lost: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _scratch(root: Path, repo: Repository) -> None:
    for rel in ("models.yaml", "policies/tools.yaml"):
        path = repo.root / rel
        if path.is_file():
            atomic_write_text(root / rel, path.read_text(encoding="utf-8"))
    rules = {"require_dated_model": repo.rules.rules.require_dated_model, "require_owner": False}
    atomic_write_text(root / "policies/rules.yaml", yaml.safe_dump({"rules": rules}))
    for iid in repo.instructions:
        rel = repo.paths[iid]
        atomic_write_text(root / rel, (repo.root / rel).read_text(encoding="utf-8"))


def _compare(original: dict[str, Any], back: dict[str, Any] | None) -> list[str]:
    if back is None:
        return ["the prompt itself (it does not import back)"]
    return [_FIELDS.get(k, k) for k in sorted(original) if original.get(k) != back.get(k)]


def _verify(
    fmt: str,
    files: dict[str, str],
    repo: Repository,
    objects: dict[str, dict[str, Any]],
    result: ExportResult,
) -> None:
    with tempfile.TemporaryDirectory(prefix="promptops-export-") as tmp:
        src, scratch = Path(tmp) / "src", Path(tmp) / "repo"
        for rel, text in files.items():
            atomic_write_text(src / rel, text)
        _scratch(scratch, repo)
        # update: a tool the format cannot fully describe replaces the scratch copy, so the
        # loss shows on the prompts that use it instead of stopping the whole check.
        plan = plan_import(fmt, [src], into=scratch, base=src, update=True)
        if plan.errors:
            for pid in objects:
                result.lost[pid] = [f"the prompt does not import back: {plan.errors[0]}"]
            return
        for change in plan.writes:
            atomic_write_text(scratch / change.path, change.new)
        back_repo = load_repository(scratch, cache=False)
        try:
            back = compile_repository(back_repo, cache=False) if back_repo.ok else None
        except ValidationError:
            back = None
        for pid, obj in objects.items():
            again = back.prompt(pid) if back is not None and pid in back.prompts else None
            lost = _compare(obj, again)
            result.same[pid] = not lost
            if lost:
                result.lost[pid] = lost


def export_prompts(
    fmt: str, repo_path: Path, prompt_ids: Sequence[str] = (), *, verify: bool = True
) -> ExportResult:
    """Files of format ``fmt`` for ``prompt_ids`` (all prompts when empty) of the
    repository at ``repo_path``, and what each loses.

    Raises:
        UsageError: unknown format or prompt id.
        ValidationError: the repository does not validate.
    """
    if fmt not in WRITERS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(WRITERS)}")
    repo = load_repository(repo_path)
    bundle = compile_repository(repo)
    ids = list(prompt_ids) or sorted(bundle.prompts)
    unknown = [p for p in ids if p not in bundle.prompts]
    if unknown:
        raise UsageError(f"no prompt {unknown[0]!r} in {repo_path}")
    evals = {e.prompt: e for e in repo.evals.values()}
    result = ExportResult()
    objects: dict[str, dict[str, Any]] = {}
    for pid in ids:
        obj = bundle.prompt(pid)
        try:
            files = WRITERS[fmt](obj, evals.get(pid))
        except Unexpressible as exc:
            result.skipped[pid] = str(exc)
            continue
        objects[pid] = obj
        for rel, text in files.items():
            if rel in result.files and rel.endswith(".py"):
                result.files[rel] += "\n\n" + text
            elif rel in result.files and rel.endswith("promptfooconfig.yaml"):
                result.files[rel] = _merge_promptfoo(result.files[rel], text, result)
            elif rel in result.files:
                result.skipped[pid] = f"{rel} is written by another prompt too"
                objects.pop(pid)
            else:
                result.files[rel] = text
    if verify and objects:
        _verify(fmt, result.files, repo, objects, result)
    result.notes.append(
        "signed provenance (release signatures, serials and digests stay in promptops)"
    )
    if any(o.get("tools") for o in objects.values()):
        result.notes.append(
            "tool risk and approval: tools come back with risk 'medium' in a "
            "repository whose policies/tools.yaml does not define them"
        )
    lost = [
        pid
        for pid in objects
        if pid in evals
        and not_carried(fmt, [c.model_dump(by_alias=True) for c in evals[pid].cases])
    ]
    if lost:
        result.notes.append(
            f"eval assertions of {', '.join(lost)} (the cases' inputs travel as test data; "
            "assertions only where the format has the same check)"
        )
    return result


def _merge_promptfoo(old: str, new: str, result: ExportResult) -> str:
    """One promptfoo configuration per directory: prompts and their providers add up; tests
    apply to every prompt of a configuration, so they stay only while it has one prompt."""
    a, b = yaml.safe_load(old), yaml.safe_load(new)
    merged: dict[str, Any] = {k: v for k, v in a.items() if k == "description"}
    merged["prompts"] = [*a["prompts"], *b["prompts"]]
    merged["providers"] = [*a["providers"], *b["providers"]]
    if "tests" in a or "tests" in b:
        note = (
            "eval cases of prompts that share a promptfoo configuration (promptfoo runs "
            "every test against every prompt of a configuration)"
        )
        if note not in result.notes:
            result.notes.append(note)
    return dump_yaml(merged)


def digest_of(obj: dict[str, Any]) -> str:
    """The bundle digest of one compiled prompt object."""
    return sha256_hex(canonical_bytes(obj))

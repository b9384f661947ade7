"""``plan_import``: read sources of one format, assemble repository files, prove them.

Nothing is written here: the plan says, per file, whether it is new, changed or
unchanged, with the diagnostics; the CLI writes it (atomically) only when the plan has
no error. Re-running an import on the same sources plans no change.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Literal

from promptops.errors import UsageError
from promptops.interop.assemble import assemble
from promptops.interop.common import shown_path
from promptops.interop.proof import prove
from promptops.interop.registry import format_module
from promptops.interop.target import open_target
from promptops.interop.types import ImportResult, PartialDraft, Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["FileChange", "ImportPlan", "plan_import"]

Status = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the repository root
    status: Status
    old: str | None
    new: str

    def diff(self) -> str:
        """A unified diff from the current file (or nothing) to the new one."""
        old = [] if self.old is None else self.old.splitlines(keepends=True)
        lines = difflib.unified_diff(
            old,
            self.new.splitlines(keepends=True),
            "/dev/null" if self.old is None else f"a/{self.path}",
            f"b/{self.path}",
        )
        return "".join(
            ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines
        )


@dataclass
class ImportPlan:
    root: Path
    changes: list[FileChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    # Each imported variant as ``prompt@variant`` (the notation of eval reports).
    variants: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # The directory source paths (and so prompt ids) are relative to.
    source_root: Path | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def writes(self) -> list[FileChange]:
        """The files to write: new and changed, never when the plan has errors."""
        return [] if self.errors else [c for c in self.changes if c.status != "unchanged"]


def _expand(paths: list[Path], module: ModuleType) -> tuple[list[Path], Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and module.matches(p.relative_to(path))
            ]
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    if not files:
        raise UsageError(
            f"no {module.NAME} files under {', '.join(str(p) for p in paths)} "
            f"(looked for {module.PATTERN_TEXT})"
        )
    dirs = [p if p.is_dir() else p.parent for p in paths]
    root = Path(os.path.commonpath([str(d.resolve()) for d in dirs]))
    return files, root


def _dedupe_partials(result: ImportResult) -> None:
    # A partial comes once per prompt that includes it (and once more from a directory
    # scan): keep one of each id, a prompt's translation over a standalone one.
    chosen: dict[str, PartialDraft] = {}
    for doc in result.documents:
        if isinstance(doc, PartialDraft):
            old = chosen.get(doc.id)
            if old is None or (not old.from_prompt and doc.from_prompt):
                chosen[doc.id] = doc
            elif old.from_prompt == doc.from_prompt and old.template != doc.template:
                result.diagnostics.append(
                    diag(
                        doc.where,
                        "error",
                        "partial-conflict",
                        f"partial '{doc.id}' translates differently for "
                        "two prompts (their inputs differ in type); "
                        "inline it in one of them",
                    )
                )
    others = [d for d in result.documents if not isinstance(d, PartialDraft)]
    result.documents = [*others, *chosen.values()]


def plan_import(
    fmt: str,
    paths: list[Path],
    *,
    into: Path,
    pin_map: Mapping[str, str] | None = None,
    strict: bool = False,
    update: bool = False,
    owner: str | None = None,
    base: Path | None = None,
) -> ImportPlan:
    """Plan importing ``paths`` (files or directories) of format ``fmt`` into ``into``.

    ``strict`` turns every warning into an error; ``update`` allows replacing files that
    differ (their diffs are in the plan); ``base`` is the directory source paths are shown
    relative to (default: the current directory).

    Raises:
        UsageError: unknown format, missing paths, no source files, or ``into`` inside
            another repository.
    """
    module = format_module(fmt)
    files, root = _expand(paths, module)
    result = ImportResult()
    for path in files:
        result.extend(module.read(path, root=root, base=base))
    # A format whose files depend on each other (Dotprompt's variant files) joins them
    # once every file is read.
    combine = getattr(module, "combine", None)
    if combine is not None:
        combine(result)
    _dedupe_partials(result)
    plan = ImportPlan(root=into, sources=[str(f) for f in files], source_root=root)
    plan.diagnostics.extend(result.diagnostics)
    plan.diagnostics.extend(_inside_prompts(files, into, base))
    if not result.failed:
        target = open_target(into)
        assembly = assemble(result.documents, target, pin_map or {}, update=update, owner=owner)
        plan.diagnostics.extend(assembly.diagnostics)
        plan.prompts = sorted(assembly.prompts)
        plan.variants = sorted(f"{p}@{v}" for p, d in assembly.prompts.items() for v in d.variants)
        if not any(d.level == "error" for d in assembly.diagnostics):
            plan.diagnostics.extend(prove(assembly, target))
        for rel in sorted(assembly.files):
            new = assembly.files[rel]
            raw = target.read(rel)
            old = raw.decode("utf-8", errors="replace") if raw is not None else None
            status: Status = "new" if old is None else "unchanged" if old == new else "changed"
            plan.changes.append(FileChange(rel, status, old, new))
        for change in plan.changes:
            if change.status == "changed" and not update and rel_is_generated(change.path):
                plan.diagnostics.append(
                    Diagnostic(
                        change.path,
                        1,
                        1,
                        "error",
                        "import-would-overwrite",
                        f"refusing to overwrite {change.path}: it differs from what this import "
                        "makes; rerun with --update to replace it (the diff is printed)",
                    )
                )
    if strict:
        plan.diagnostics = [
            replace(d, level="error") if d.level == "warning" else d for d in plan.diagnostics
        ]
    plan.diagnostics.sort()
    return plan


def _inside_prompts(files: list[Path], into: Path, base: Path | None) -> list[Diagnostic]:
    """A warning per source kept under the target's prompts/ or evals/ folder: promptops
    reads every file there, so a source left in place becomes a file of the repository."""
    out = []
    for path in files:
        for folder in ("prompts", "evals"):
            if path.resolve().is_relative_to((into / folder).resolve()):
                out.append(
                    diag(
                        Where(shown_path(path, base)),
                        "warning",
                        "source-inside",
                        f"this source sits in the repository's {folder}/ folder, where "
                        "promptops reads every file: move it out once imported (git mv)",
                    )
                )
    return out


def rel_is_generated(path: str) -> bool:
    """Files an import owns outright (shared files are merged, never refused)."""
    return path.startswith(("prompts/", "evals/"))

"""``promptops import FORMAT PATH...``: migrate prompts from another tool, proven equal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from promptops.fsutil import atomic_write_many
from promptops.interop import FORMATS, ImportPlan, plan_import, read_pin_map


def _write(plan: ImportPlan) -> None:
    # Every file is complete (and synced) before any is replaced.
    atomic_write_many({plan.root / c.path: c.new.encode("utf-8") for c in plan.writes})


def _summary(plan: ImportPlan, dry_run: bool) -> str:
    counts = {s: sum(c.status == s for c in plan.changes) for s in ("new", "changed", "unchanged")}
    warnings = sum(d.level == "warning" for d in plan.diagnostics)
    files = f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
    variants = f" and {len(plan.variants)} variant(s)" if plan.variants else ""
    head = f"{len(plan.prompts)} prompt(s){variants} from {len(plan.sources)} file(s)"
    if plan.errors:
        return f"failed: {len(plan.errors)} error(s), {warnings} warning(s); nothing written"
    verb = "would write" if dry_run else "wrote"
    return f"ok: {head} into {plan.root} ({verb}: {files}); {warnings} warning(s)"


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--into",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The prompt repository to import into (created when it has no models.yaml).",
)
@click.option(
    "--pin-map",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="File of 'MODEL-ID=PIN' lines mapping source model ids to existing pins ('*' for "
    "sources naming no model).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the diff of what would be written; write nothing."
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@click.option("--update", is_flag=True, help="Replace files that differ (their diffs are printed).")
@click.option("--owner", help="Owner of the imported prompts (needed when rules.require_owner).")
@click.option(
    "--rewrite",
    is_flag=True,
    help="python: print a patch replacing each call site's literal with reg.prompt(ID).render().",
)
@click.option(
    "--registry",
    default="promptops_registry:reg",
    show_default=True,
    metavar="MODULE:NAME",
    help="python --rewrite: where the application's Registry comes from.",
)
def command(
    fmt: str,
    paths: tuple[Path, ...],
    into: Path,
    pin_map: Path | None,
    dry_run: bool,
    strict: bool,
    update: bool,
    owner: str | None,
    rewrite: bool,
    registry: str,
) -> None:
    """Import prompts from FORMAT files (or directories) into a prompt repository.

    Writes prompts, instructions, model pins, tools and eval sets, renders every sample of
    the sources with promptops and with the source tool's own semantics, and reports each
    difference and each construct without an exact equivalent as
    SOURCE:line:col: warning: ... [import-CODE]. Nothing is written when there is an error
    (--strict: a warning). Re-running on the same sources changes nothing; a file that
    differs is replaced only with --update.

    Exit status: 0 imported (or nothing to change), 1 errors (nothing written), 2 usage.
    """
    if rewrite and fmt != "python":
        raise click.UsageError("--rewrite applies to the python format only")
    plan = plan_import(
        fmt,
        list(paths),
        into=into,
        pin_map=read_pin_map(pin_map) if pin_map else None,
        strict=strict,
        update=update,
        owner=owner,
    )
    for diagnostic in plan.diagnostics:
        click.echo(str(diagnostic), err=True)
    shown = plan.changes if dry_run else [c for c in plan.changes if c.status == "changed"]
    if not plan.errors:
        for change in shown:
            if change.status != "unchanged":
                click.echo(change.diff(), nl=False)
        if not dry_run:
            _write(plan)
    if rewrite and not plan.errors:
        from promptops.interop.python_source import rewrite_patch

        patch = rewrite_patch([Path(p) for p in plan.sources], registry, root=plan.source_root)
        click.echo(patch, nl=False)
    click.echo(_summary(plan, dry_run), err=True)
    sys.exit(1 if plan.errors else 0)

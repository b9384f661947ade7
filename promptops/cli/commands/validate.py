"""``promptops validate [PATH] [--ref REF] [--format text|json]``."""

from __future__ import annotations

import dataclasses
import json
import sys

import click

from promptops.cli.limits import limit_option, parse_limits
from promptops.repo import validate_repository

EXIT_OK = 0
EXIT_ERRORS = 1


@click.command(name="validate")
@click.argument("path", default=None, required=False, type=click.Path(file_okay=False))
@click.option(
    "--root",
    "root",
    default=None,
    type=click.Path(file_okay=False),
    help="The prompt repository (the directory holding models.yaml), e.g. a subdirectory of "
    "a monorepo; same as PATH.",
)
@click.option(
    "--ref",
    default=None,
    help="Validate this git commit, branch or tag instead of the working tree (no checkout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the result cache.")
@limit_option
def command(
    path: str | None,
    root: str | None,
    ref: str | None,
    fmt: str,
    no_cache: bool,
    limits: tuple[str, ...],
) -> None:
    """Check a prompt repository: schemas, references, templates, model pins and rules.

    Exit status: 0 without errors, 1 with errors, 2 on usage errors.
    """
    if path is not None and root is not None and path != root:
        raise click.UsageError("give the repository once: PATH or --root, not both")
    overrides = parse_limits(limits)
    repo = validate_repository(root or path or ".", ref, cache=not no_cache, overrides=overrides)
    # Only a repository with recordings pays for importing the eval machinery.
    if repo.ok and (repo.root / "evals" / "recordings").is_dir():
        from promptops.evals.prune import stale_recordings

        stale = stale_recordings(repo)
        if stale:
            repo = dataclasses.replace(repo, diagnostics=(*repo.diagnostics, *stale))
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in repo.diagnostics], indent=2))
    else:
        for diagnostic in repo.diagnostics:
            click.echo(str(diagnostic))
        errors = len(repo.errors)
        warnings = len(repo.diagnostics) - errors
        files = len(repo.paths)
        verdict = "ok" if repo.ok else "failed"
        click.echo(
            f"{verdict}: {errors} error(s), {warnings} warning(s), {files} valid document(s)"
        )
    sys.exit(EXIT_OK if repo.ok else EXIT_ERRORS)

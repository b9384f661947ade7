"""``promptops rollback TO``: restore release TO's content as a new commit."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.release import rollback


@click.command("rollback")
@click.argument("to")
@click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)
def command(to: str, repo: Path) -> None:
    """Commit the content (prompts/, models.yaml, policies/tools.yaml,
    policies/rules.yaml, evals/) of release TO. The trust policy stays as it is now.

    Rollback moves forward: release the result under a new name and it gets a higher
    serial with the old content, which clients on the channel accept.
    """
    result = rollback(repo, to)
    click.echo(f"committed {result.commit[:12]}: {result.message}")
    click.echo("  the trust policy (signers.yaml, trust/) was left as it is: content only")
    click.echo("  next: promptops release <NEW-NAME> to ship it with a higher serial")

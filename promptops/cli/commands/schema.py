"""``promptops schema``: print or write the JSON Schemas of the repository file kinds."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.spec.export import SCHEMA_KINDS, export_schemas, render_schema, write_schemas


@click.command("schema")
@click.argument("kind", required=False, type=click.Choice(sorted(SCHEMA_KINDS)))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this directory as <kind>.schema.json.",
)
def command(kind: str | None, out_dir: Path | None) -> None:
    """Print the JSON Schema of one file KIND, or write them all with --out.

    Editors use them through a first line such as
    `# yaml-language-server: $schema=<path>/prompt-file.schema.json`.
    Refresh the copies shipped in the package with
    `promptops schema --out promptops/spec/schemas`.
    """
    if out_dir is not None:
        if kind is not None:
            raise click.UsageError("give either KIND (print one schema) or --out DIR, not both")
        for path in write_schemas(out_dir):
            click.echo(f"wrote {path}")
        return
    if kind is None:
        raise click.UsageError(
            f"give a KIND to print ({', '.join(SCHEMA_KINDS)}) or --out DIR to write them all"
        )
    click.echo(render_schema(export_schemas()[kind]), nl=False)

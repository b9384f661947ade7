"""``promptops build``: compile the working tree or a git ref into ``bundle.json``."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.limits import limit_option, parse_limits
from promptops.compile import BUNDLE_NAME, Bundle, build


def _source_line(bundle: Bundle) -> str:
    source = bundle.source
    if source.commit is None:
        return "source:  working tree (no commit)"
    state = "dirty working tree" if source.dirty else "clean"
    return f"source:  commit {source.commit} tree {source.tree} ({state})"


@click.command("build")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--ref", help="Build this commit, tag or branch instead of the working tree.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write bundle.json into (default: PATH/dist).",
)
@limit_option
def command(path: Path, ref: str | None, out_dir: Path | None, limits: tuple[str, ...]) -> None:
    """Compile the prompt repository at PATH into one canonical bundle.json.

    The same content always gives byte-identical bytes, on any machine, from the working
    tree or from --ref. A repository that does not validate is not built: its diagnostics
    are printed and the exit code is 1.
    """
    out = out_dir if out_dir is not None else path / "dist"
    bundle = build(path, ref, out=out, overrides=parse_limits(limits))
    click.echo(f"wrote {out / BUNDLE_NAME} ({bundle.size} bytes)")
    click.echo(f"digest:  sha256:{bundle.sha256}")
    click.echo(f"prompts: {len(bundle.prompts)}")
    click.echo(_source_line(bundle))

"""``promptops explain sha256:DIGEST``: the reviewed change behind a digest or release."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from promptops.release import Explanation, explain


def _text(e: Explanation) -> str:
    what = {"prompt": f"prompt {e.prompt_id}", "bundle": "bundle", "release": "release"}[e.kind]
    lines = [f"{what}  sha256:{e.digest}" if e.digest else what]
    if e.releases:
        shipped = ", ".join(f"{n} (serial {s}, commit {c[:12]})" for n, s, c in e.releases)
        lines.append(f"released in  {shipped}")
    c = e.commit
    label = "introduced by" if e.kind == "prompt" else "commit"
    lines.append(f"{label}  commit {c.sha}")
    lines.append(f"  author   {c.author}")
    lines.append(f"  date     {c.date}")
    lines.append(textwrap.indent(c.subject + ("\n\n" + c.body if c.body else ""), "    "))
    if e.merge is not None:
        lines.append(f"merged by  commit {e.merge.sha[:12]}  {e.merge.subject}")
    if e.pull_request:
        lines.append(f"pull request  {e.pull_request}")
    if e.files:
        lines.append(f"files at {c.sha[:12]}:")
        for f in e.files:
            if f.text is None:
                lines.append(f"  {f.path}")
            else:
                lines.append(f"  --- {f.path}")
                lines.append(textwrap.indent(f.text.rstrip("\n"), "  | ", lambda _: True))
    return "\n".join(lines)


@click.command("explain")
@click.argument("query", metavar="sha256:DIGEST|RELEASE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)
def command(query: str, fmt: str, repo: Path) -> None:
    """Answer "which reviewed change produced this?" for a prompt digest (the
    promptops.prompt.sha256 of a trace), a bundle digest or a release name: the releases
    that shipped it, the commit that introduced it (author, date, message), the merge and
    pull-request reference that brought it in, and the prompt's files at that commit."""
    explanation = explain(repo, query)
    if fmt == "json":
        click.echo(json.dumps(explanation.to_dict(), indent=2))
    else:
        click.echo(_text(explanation))

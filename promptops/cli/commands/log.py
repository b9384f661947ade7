"""``promptops log [PROMPT_ID]``: a prompt's history across commits and releases."""

from __future__ import annotations

import json
from pathlib import Path

import click

from promptops.release import LogEntry, prompt_log


def _line(entry: LogEntry, prompt_id: str | None) -> str:
    merge = " (merge)" if entry.merge else ""
    head = f"{entry.commit[:12]} {entry.date[:10]} {entry.subject}{merge}"
    if entry.releases:
        head += f"  [release {', '.join(entry.releases)}]"
    if entry.invalid:
        return head + "\n    (does not validate: no bundle)"
    details = []
    for label, ids in (("added", entry.added), ("changed", entry.changed)):
        for pid in ids:
            details.append(f"    {label:8} {pid}  sha256:{entry.digests[pid][:16]}")
    details += [
        f"    renamed  {old} -> {new}  sha256:{entry.digests[new][:16]}"
        for old, new in entry.renamed
    ]
    details += [f"    removed  {pid}" for pid in entry.removed]
    if not details and prompt_id is not None and prompt_id in entry.digests:
        details.append(f"    shipped  {prompt_id}  sha256:{entry.digests[prompt_id][:16]}")
    return "\n".join([head, *details])


@click.command("log")
@click.argument("prompt_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("-n", "limit", default=50, show_default=True, help="Commits to look back.")
@click.option(
    "--all-parents",
    is_flag=True,
    help="Walk every parent (side branches' own commits), not only first parents.",
)
@click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)
def command(prompt_id: str | None, fmt: str, limit: int, all_parents: bool, repo: Path) -> None:
    """Show how PROMPT_ID (or every prompt) changed, commit by commit, newest first, and
    which release shipped which digest.

    Each commit is compared with its parent. By default only first parents are walked (a
    merge shows what it brought in); --all-parents lists the side branches' commits too.
    """
    entries = prompt_log(repo, prompt_id, limit=limit, all_parents=all_parents)
    if fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in entries], indent=2))
        return
    for entry in entries:
        click.echo(_line(entry, prompt_id))

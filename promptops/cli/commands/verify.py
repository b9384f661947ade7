"""``promptops verify PATH_OR_URL``: full verification of a release or a channel."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from promptops.errors import PromptopsError

# Straight from their modules, never through promptops.release or the signing options:
# verify imports neither pydantic, the compiler nor the repository reader (issue 16).
from promptops.release.trustfile import SIGNERS_PATH, load_trust
from promptops.release.verify import VerifyReport, verify_target

SIGNERS_FILE = Path(SIGNERS_PATH)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(report: VerifyReport) -> str:
    d = report.to_dict()
    lines = [
        f"verified release {d['release']} (serial {d['serial']})",
        f"  commit   {d['commit']}",
        f"  tree     {d['tree']}",
        f"  bundle   sha256:{d['bundle']['sha256']} ({d['bundle']['size']} bytes, "
        f"{d['prompts']} prompt{'' if d['prompts'] == 1 else 's'})",
        f"  signers  {', '.join(d['signers'])}",
        f"  created  {d['created']}",
        f"  expires  {d['expires']}",
        f"  trust    version {d['trust_version']}",
    ]
    if report.channel:
        lines.append(f"  channel  {report.channel} (pointer expires {d['channel_expires']})")
    canary = d["canary"]
    if canary is not None:
        share = f"{canary['weight'] / 100:g}%"
        lines.append(
            f"  canary   {canary['release']} (serial {canary['serial']}) at {share}, bundle "
            f"sha256:{canary['bundle']['sha256']}, expires {canary['expires']}"
        )
    return "\n".join(lines)


@click.command("verify")
@click.argument("target")
@click.option(
    "--trust",
    default=SIGNERS_FILE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The trust root: a signers.yaml, the same as JSON, or a signed trust/N.json; the "
    "target's trust chain is walked from it.",
)
@click.option("--channel", help="TARGET is a published root: verify this channel's release.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def command(target: str, trust: Path, channel: str | None, fmt: str) -> None:
    """Verify TARGET: a release directory (releases/NAME), or a published root with
    --channel; either as a local path or an http(s):// URL. Or an OCI registry:
    oci://HOST/REPOSITORY with --channel, or one release as oci://HOST/REPOSITORY:release-NAME.

    Prints what was verified (release, serial, commit, signers, expiry) or exactly why
    verification failed, and exits non-zero on failure.
    """
    if fmt == "text":
        report = verify_target(target, load_trust(trust), now=utc_now(), channel=channel)
        click.echo(_text(report))
        return
    try:
        report = verify_target(target, load_trust(trust), now=utc_now(), channel=channel)
    except PromptopsError as exc:
        click.echo(json.dumps({"ok": False, "target": target, "error": str(exc)}, indent=2))
        sys.exit(1)
    click.echo(json.dumps(report.to_dict(), indent=2))

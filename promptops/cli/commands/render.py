"""``promptops render ID``: render one prompt the way an application would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from promptops.cli.scope import report_scope
from promptops.runtime.request import Request

_FORMATS = ["text", "json", "openai", "openai-responses", "anthropic", "provider"]


def _vars(pairs: tuple[str, ...], as_json: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    option = "--var-json" if as_json else "--var"
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, found {pair!r}", param_hint=option)
        try:
            out[name] = json.loads(value) if as_json else value
        except ValueError as exc:
            raise click.BadParameter(f"{name}: not JSON ({exc})", param_hint=option) from None
    return out


def _text(content: Any) -> str:
    """A message's content for a terminal: text, and a line per image or file part."""
    if isinstance(content, str):
        return content
    lines = []
    for part in content:
        if part["type"] == "text":
            lines.append(part["text"])
        else:
            what = part.get("url") or part.get("name") or part.get("media_type")
            lines.append(f"[{part['type']}: {what}]")
    return "\n".join(lines)


def _show(req: Request, fmt: str) -> str:
    if fmt == "text":
        return "\n\n".join(f"[{m['role']}]\n{_text(m['content'])}" for m in req.messages)
    payload = {
        "json": req.to_dict,
        "openai": req.to_openai_chat,
        "openai-responses": req.to_openai_responses,
        "anthropic": req.to_anthropic,
        "provider": req.to_provider,
    }[fmt]()
    return json.dumps(payload, indent=2, ensure_ascii=False)


@click.command("render")
@click.argument("prompt_id")
@click.option("--var", "vars_", multiple=True, metavar="NAME=VALUE", help="A string input.")
@click.option("--var-json", "json_vars", multiple=True, metavar="NAME=JSON", help="A JSON input.")
@click.option("--release", "source", help="A published root or releases/NAME (path or URL).")
@click.option("--channel", help="With --release: the channel to follow.")
@click.option("--pin", help="With --release: load exactly this bundle (sha256:HEX).")
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --release: trusted signers (default: policies/signers.yaml).",
)
@click.option(
    "--repo",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Without --release: the repository whose working tree is built.",
)
@click.option(
    "--variant", help="Render this variant of the prompt ('base': the prompt as written)."
)
@click.option(
    "--key", help="With --release: the assignment key (a user id) for canary and experiment."
)
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
def command(
    prompt_id: str,
    vars_: tuple[str, ...],
    json_vars: tuple[str, ...],
    source: str | None,
    channel: str | None,
    pin: str | None,
    trust: Path | None,
    repo: Path,
    variant: str | None,
    key: str | None,
    fmt: str,
) -> None:
    """Render PROMPT_ID with inputs and print the messages or a provider request.

    With --release the prompt comes from a signed release, verified exactly as the runtime
    does in an application. Without it the working tree is built in memory and rendered
    unsigned (a note on stderr says so).
    """
    inputs = {**_vars(vars_, as_json=False), **_vars(json_vars, as_json=True)}
    if source is not None:
        from promptops.cli.commands._signing import SIGNERS_FILE
        from promptops.release import load_trust
        from promptops.runtime import Registry

        registry = Registry.open(
            source, trust=load_trust(trust or SIGNERS_FILE), channel=channel, pin=pin
        )
        prompt = registry.prompt(prompt_id, key=key, variant=variant)
    else:
        if channel or pin or key:
            raise click.UsageError("--channel, --pin and --key need --release")
        from promptops.compile import preview_bundle
        from promptops.runtime.preview import unverified_prompt

        preview = preview_bundle(repo, prompt_id)
        prompt = unverified_prompt(preview.data, prompt_id, variant=variant)
        report_scope(preview.selection, prompt_id)
        click.echo(
            f"note: rendered from the working tree of {repo}, built in memory: "
            "not a signed release, nothing verified",
            err=True,
        )
    click.echo(_show(prompt.render(**inputs), fmt))

"""``promptops models check``: model retirement data from the providers' feeds."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click


@click.group("models")
def command() -> None:
    """Model pins over time: retirement data from the providers."""


@command.command("check")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--openai",
    "openai_url",
    metavar="BASE_URL",
    is_flag=False,
    flag_value="https://api.openai.com/v1",
    help="OpenAI-style GET BASE_URL/models (shutdown_date); OPENAI_API_KEY.",
)
@click.option(
    "--azure",
    "azure_url",
    metavar="ENDPOINT",
    help="Azure OpenAI model list (deprecation.inference); AZURE_OPENAI_API_KEY.",
)
@click.option(
    "--litellm",
    metavar="FILE|URL",
    help="LiteLLM's model_prices_and_context_window.json (deprecation_date).",
)
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="FILE",
    help="A lifecycle file the repository keeps (repeatable).",
)
@click.option("--update", is_flag=True, help="Write lifecycle: entries into models.yaml.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Check as of this date.")
def check(
    path: Path,
    openai_url: str | None,
    azure_url: str | None,
    litellm: str | None,
    files: tuple[str, ...],
    update: bool,
    today: dt.datetime | None,
) -> None:
    """Print, per pin, what is deprecated or retiring and when, from the providers' feeds
    and models.yaml; --update writes lifecycle: entries for review (validate then warns
    and fails offline from what is stored). Exits 1 if a pin is already retired.
    """
    from promptops.models.check import FeedSource, check_models

    sources = [FeedSource(k, w) for k, w in (("openai", openai_url), ("azure", azure_url),
                                             ("litellm", litellm)) if w]  # fmt: skip
    sources += [FeedSource("file", f) for f in files]
    result = check_models(path, sources, update=update, env=dict(os.environ),
                          today=today.date() if today else None)  # fmt: skip
    width = max((len(s.pin) for s in result.statuses), default=0)
    for s in result.statuses:
        where = f" [{', '.join(s.sources)}]" if s.sources else ""
        repl = f"; replacement {s.replacement}" if s.replacement else ""
        click.echo(f"{s.pin.ljust(width)}  {s.model}: {s.describe(result.today)}{repl}{where}")
    for pin in result.updated:
        click.echo(f"updated lifecycle of {pin} in models.yaml", err=True)
    sys.exit(1 if result.retired else 0)

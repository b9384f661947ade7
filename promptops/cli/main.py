"""Entry point: a click group whose commands are imported only when used."""

from __future__ import annotations

import importlib
import os

import click

from promptops import __version__
from promptops.cli.errors import error_boundary

# name -> module under promptops.cli.commands exposing a click command called ``command``.
# Importing lazily keeps `promptops --help` and each command's start-up cheap.
COMMANDS: dict[str, str] = {
    "init": "init",
    "validate": "validate",
    "schema": "schema",
    "build": "build",
    "keygen": "keygen",
    "release": "release",
    "publish": "publish",
    "promote": "promote",
    "verify": "verify",
    "rollback": "rollback",
    "trust": "trust",
    "log": "log",
    "explain": "explain",
    "experiment": "experiment",
    "render": "render",
    "eval": "eval",
    "diff": "diff",
    "migrate": "migrate",
    "models": "models",
    "import": "import_",
    "export": "export",
}


def _module_name(name: str) -> str:
    return f"promptops.cli.commands.{COMMANDS[name]}"


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        import importlib.util  # for --help and a mistyped command only: ~1 ms of every run

        return sorted(n for n in COMMANDS if importlib.util.find_spec(_module_name(n)) is not None)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests a close name from self.commands, which a lazy group leaves empty:
        # suggest from the commands it lists, in click's words (as the subgroups do).
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib  # only for a mistyped command: ~2 ms of every run

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f"Did you mean {close[0]!r}?" if close else "See 'promptops --help'."
            ctx.fail(f"No such command {name!r}. {hint}")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)


def load_command(name: str) -> click.Command | None:
    """The command called ``name``, its module imported; None if there is no such command.

    Raises:
        ImportError: if a module the command needs is missing (a bug, not "no such command").
    """
    if name not in COMMANDS:
        return None
    module = _module_name(name)
    try:
        command = importlib.import_module(module).command
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    assert isinstance(command, click.Command)
    return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="promptops")
def cli() -> None:
    """Prompts, tools and model pins as reviewed, signed releases from git."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes a message and an exit code, never a traceback."""
    # pydantic looks for plugins (entry points of every installed distribution) the first
    # time a model builds its validator: 10-20 ms of every command that reads a repository,
    # for plugins a command-line run has no use for. Unless the user asks otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    with error_boundary():
        cli.main(args=argv, prog_name="promptops", standalone_mode=False)

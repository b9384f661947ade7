"""The one error boundary: user errors exit 1 with a message, usage errors 2,
Ctrl-C 130, bugs 3 with the traceback written to a log file (never to the terminal)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import click

from promptops.errors import PromptopsError, UsageError, ValidationError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Map every exception escaping a command to a message and an exit code."""
    try:
        yield
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("Aborted.", EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except KeyboardInterrupt:
        _fail("Interrupted.", EXIT_INTERRUPTED)
    except UsageError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except ValidationError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        _fail(f"error: {exc}", EXIT_FAILURE)
    except PromptopsError as exc:
        _fail(f"error: {exc}", EXIT_FAILURE)
    except BrokenPipeError:
        # Output piped into `head`: not a bug. Silence the interpreter's flush error.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILURE)
    except Exception:
        # Imported here: every command starts faster without them (~5 ms, issue 16).
        import tempfile
        import traceback

        fd, log = tempfile.mkstemp(prefix="promptops-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        _fail(f"internal error: this is a bug in promptops; details in {log}", EXIT_BUG)

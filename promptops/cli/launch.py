"""The console entry point: start what a command can do before the CLI has loaded.

Loading click, PyYAML, ``cryptography`` and the runtime takes most of a ``promptops
verify`` run (about 50 ms). Reading and hashing the bundle needs none of them and lets go
of the GIL, so it starts first, on another thread, and the verification takes its result
(:func:`promptops.runtime.blob.hash_ahead`). Only the argument that names a local release
directory is looked at here; click parses the command line as always, and anything this
does not recognise starts nothing.

Every command imports its own module with the cyclic garbage collector paused, and what
is loaded is then frozen (:func:`promptops.cli.heap.lean_collector`): none of it is garbage,
and a collector rescanning it while a command works cost 25-40 ms of a warm ``validate``,
``build`` or ``diff`` (6% of a cold ``validate`` + ``build`` + ``diff`` of 10,000 prompts).

A ``verify`` process also ends without tearing the interpreter down (module teardown and
OpenSSL's own exit handlers take ~11 ms, a seventh of the run): it leaves nothing to clean
up (no cache, no temporary files, no exporters), so once its output is flushed the process
exits with its code. Every other command exits as usual.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

__all__ = ["main"]

# verify's options that take a value (a channel means the bundle's name is not known yet).
_VERIFY_VALUES = ("--trust", "--format")


def release_dir_arg(argv: list[str]) -> str | None:
    """The local release directory ``promptops verify`` will read, from ``argv`` (the
    arguments after ``verify``), or None when it is not a plain local directory."""
    target: str | None = None
    args = iter(argv)
    for arg in args:
        if arg in _VERIFY_VALUES:
            next(args, None)
        elif arg.startswith(tuple(f"{o}=" for o in _VERIFY_VALUES)):
            continue
        elif arg.startswith("-") or target is not None:
            return None  # --channel, --help, an unknown option, a second argument
        else:
            target = arg
    if target is None or ":" in target:
        return None  # missing, or a URL (http, https, oci, file)
    return target


def start_early(argv: list[str]) -> None:
    """Start the work ``promptops ARGV`` can do before the CLI loads."""
    if argv[:1] == ["verify"] and (target := release_dir_arg(argv[1:])) is not None:
        from promptops.runtime.blob import FOLLOW_FLAGS, hash_ahead
        from promptops.runtime.config import MAX_BUNDLE_BYTES  # verify's FetchConfig cap

        # The path promptops.runtime.sources.FileSource reads the bundle from.
        root = os.path.realpath(target)
        bundle = os.path.join(root, "bundle.json")
        if os.path.isfile(os.path.join(root, "release.dsse.json")):
            hash_ahead(os.path.normpath(bundle), FOLLOW_FLAGS, MAX_BUNDLE_BYTES)


def _exit_code(exc: SystemExit) -> int:
    """The status ``sys.exit`` would give, printing a message as it would."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def _quick_exit(code: int) -> NoReturn:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # output piped into a reader that left (`| head`): as the CLI says
        code = code or 1
    os._exit(code)


def main() -> None:
    """``promptops``: the console script and ``python -m promptops``."""
    argv = sys.argv[1:]
    start_early(argv)
    from promptops.cli.heap import lean_collector

    with lean_collector() as loaded:
        from promptops.cli.main import load_command
        from promptops.cli.main import main as run

        if argv and not argv[0].startswith("-"):
            # Imported before the heap is frozen; any failure is met again, and reported,
            # inside the CLI's error boundary.
            with contextlib.suppress(Exception):
                load_command(argv[0])
        loaded()
        if argv[:1] != ["verify"]:
            run()
            return
        try:
            run()
        except SystemExit as exc:
            _quick_exit(_exit_code(exc))
        _quick_exit(0)

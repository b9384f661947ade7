"""Running a command without the cyclic garbage collector rescanning its code.

A command that reads a repository imports pydantic, the spec models, the reader and its
own machinery: well over 100,000 objects that live until the process exits. With the
collector on, CPython runs several full collections while they are created, more while
the command works (each rescans everything alive) and one as the interpreter exits: about
50 ms of a 0.3 s ``promptops eval`` of 2,000 cases (bench/bench_eval_vs_promptfoo.py).
None of those objects is garbage. So the collector is paused while the command imports
what it uses; what is alive then is frozen (``gc.freeze``: later collections skip it)
while the command works, with the collector back on for what the work makes, so a long
run does not hold its garbage.

In a test the command runs inside a longer process: leaving the block unfreezes, so the
caller's collector is as it was. The process's final collection is spared by freezing
once more as it exits (an ``atexit`` hook: nothing is collected after that anyway).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Callable, Iterator

__all__ = ["lean_collector"]

_AT_EXIT: list[bool] = []


@contextlib.contextmanager
def lean_collector() -> Iterator[Callable[[], None]]:
    """Pause the cyclic collector until the block calls the function this yields (its
    code imported); then freeze what is alive and restore the collector. Leaving the block
    unfreezes (and restores the collector if the block never called)."""
    collecting = gc.isenabled()
    frozen = False

    def loaded() -> None:
        nonlocal frozen
        if not frozen:
            gc.freeze()
            frozen = True
            if collecting:
                gc.enable()

    gc.disable()
    if not _AT_EXIT:
        atexit.register(gc.freeze)
        _AT_EXIT.append(True)
    try:
        yield loaded
    finally:
        if frozen:
            gc.unfreeze()
        elif collecting:
            gc.enable()

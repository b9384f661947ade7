"""The collector while a command loads and runs (promptops/cli/heap.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptops.cli.heap import lean_collector
from tests.helpers import run_cli


@pytest.fixture
def collector() -> Iterator[None]:
    """Each test starts with the collector on and nothing frozen, and leaves it so."""
    was = gc.isenabled()
    gc.enable()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector")
def test_paused_while_loading_then_frozen_and_back_on() -> None:
    with lean_collector() as loaded:
        assert not gc.isenabled()
        loaded()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        loaded()  # a second call changes nothing
        assert gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector")
def test_an_error_before_loading_restores_the_collector() -> None:
    with pytest.raises(RuntimeError), lean_collector():
        raise RuntimeError("bad option")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector")
def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    with lean_collector() as loaded:
        loaded()
        assert not gc.isenabled()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector")
def test_garbage_made_while_working_is_collected() -> None:
    class Node:
        pass

    with lean_collector() as loaded:
        loaded()
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        assert gc.collect() >= 2


@pytest.mark.usefixtures("collector")
def test_an_in_process_eval_leaves_the_collector_as_it_was(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    code, out, _ = run_cli(["eval", "--provider", "echo", "--no-cache"], capsys)
    assert code == 0, out
    assert "1 cases: 1 passed" in out
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_the_process_freezes_everything_as_it_exits() -> None:
    # An exit hook registered first runs last (atexit is LIFO): by then everything alive
    # is frozen, so the final collections have nothing to rescan.
    code = textwrap.dedent("""
        import atexit, gc
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
        from promptops.cli.heap import lean_collector
        with lean_collector() as loaded:
            loaded()
        print("frozen after the command:", gc.get_freeze_count() > 0)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["frozen after the command: False", "frozen at exit: True"]

"""``python: module:function`` checks: the repository's own code, in a separate process.

The function receives one case's data and nothing else: ``{"output", "inputs",
"tool_calls", "case", "prompt"}`` (plain JSON), and returns ``True``/``False``, a score
from 0 to 1 (held against the threshold), or ``{"pass"?, "score"?, "reason"?}``.

It runs in a worker interpreter started in isolated mode (``-I``: no user site, no
``PYTHONPATH``, not the current directory on ``sys.path``), with the repository root as the
only added import path, an empty temporary working directory, an environment without the
caller's variables (no API keys reach it), and a per-call timeout after which the worker is
killed and restarted. This contains mistakes (a hang, a crash, a stray write to the working
directory, a leaked key); it is not a jail for hostile code: the repository's code is
reviewed like the prompts it checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["PythonChecks"]

_WORKER = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
functions = {}
for line in sys.stdin:
    job = json.loads(line)
    try:
        name = job["fn"]
        fn = functions.get(name)
        if fn is None:
            module, _, attr = name.partition(":")
            fn = functions[name] = getattr(importlib.import_module(module), attr)
        result = {"ok": True, "value": fn(job["data"])}
        json.dumps(result)
    except BaseException as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
"""


class PythonChecks:
    """One worker process for a run's ``python:`` checks, started on first use."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="promptops-check-")
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.Popen(
            [sys.executable, "-I", "-c", _WORKER, str(self._root.resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self._tmp.name,
            env=env,
            text=True,
        )

    def call(self, function: str, data: dict[str, Any], timeout_s: float) -> tuple[Any, str | None]:
        """``(value, None)`` from ``function(data)``, or ``(None, why it failed)``."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            proc = self._proc
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps({"fn": function, "data": data}) + "\n")
                proc.stdin.flush()
            except BrokenPipeError:
                self._kill()
                return None, f"{function}: the check process died"
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                ready = sel.select(timeout_s)
            if not ready:
                self._kill()
                return None, f"{function} did not return within {timeout_s:g} s"
            line = proc.stdout.readline()
            if not line:
                self._kill()
                return None, f"{function}: the check process exited"
        result = json.loads(line)
        if not result["ok"]:
            return None, f"{function} raised {result['error']}"
        return result["value"], None

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for pipe in (self._proc.stdin, self._proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
            self._proc = None

    def close(self) -> None:
        """Stop the worker and remove its working directory."""
        with self._lock:
            if self._proc is not None:
                assert self._proc.stdin is not None and self._proc.stdout is not None
                self._proc.stdin.close()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
                self._proc.stdout.close()
                self._proc = None
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

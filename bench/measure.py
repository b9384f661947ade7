"""How every figure in bench/ is taken: medians over interleaved runs, with min and max.

Interleaving (A, B, C, A, B, C, ...) spreads the drift of a shared machine (other jobs,
thermal) over every contestant alike; the median is what a user sees on a typical run, and
min/max show the spread, so no figure is a flattering best-of. A contestant is a callable
returning the seconds it measured, so per-run setup (editing files, clearing a cache) is
never counted. Whole processes are timed from spawn to exit; their peak RSS (the process
and every child it waited for) is read from ``wait4``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PY",
    "Samples",
    "cli",
    "describe",
    "interleaved",
    "on_installed_copy",
    "peak_rss_mb",
    "process",
]

PY = sys.executable


@dataclass(frozen=True)
class Samples:
    """Timings of one contestant, in seconds."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)


def describe(samples: Samples, unit: str = "s") -> str:
    """``median (min .. max, n runs)`` in seconds or milliseconds."""
    scale, fmt = (1000.0, "{:.1f} ms") if unit == "ms" else (1.0, "{:.3f} s")
    parts = [fmt.format(v * scale) for v in (samples.median, samples.min, samples.max)]
    return f"{parts[0]} (min {parts[1]}, max {parts[2]}, n={len(samples.values)})"


def interleaved(
    contestants: Mapping[str, Callable[[], float]], runs: int, warm_up: bool = False
) -> dict[str, Samples]:
    """Run every contestant ``runs`` times, round-robin (after one untimed round)."""
    if warm_up:
        for run in contestants.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(runs):
        for name, run in contestants.items():
            times[name].append(run())
    return {name: Samples(tuple(values)) for name, values in times.items()}


def process(
    argv: Sequence[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> tuple[float, str]:
    """Run ``argv`` to completion: (wall seconds, stdout).

    Raises:
        SystemExit: the process exited with a code not in ``ok``.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err[-3000:]}")
    return elapsed, out


_RSS_WRAPPER = (
    "import os, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "_, err = p.communicate()\n"
    "t = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(t, rss, p.returncode)\n"
    "sys.stderr.write(err.decode(errors='replace')[-3000:])\n"
)


def peak_rss_mb(argv: Sequence[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of ``argv`` and every process it started, read by
    a wrapper process whose only children are those (RUSAGE_CHILDREN keeps the largest).

    Raises:
        SystemExit: the command failed.
    """
    proc = subprocess.run(
        [PY, "-c", _RSS_WRAPPER, "--", *argv], cwd=cwd, capture_output=True, text=True
    )
    try:
        seconds, rss, code = proc.stdout.split()
    except ValueError:
        raise SystemExit(f"{' '.join(argv)}: no measurement\n{proc.stderr[-3000:]}") from None
    if code != "0":
        raise SystemExit(f"{' '.join(argv)} exited {code}:\n{proc.stderr[-3000:]}")
    return float(seconds), float(rss)


def cli(*args: str, cwd: Path | None = None, ok: Sequence[int] = (0,)) -> float:
    """Wall seconds of ``python -m promptops ARGS`` in a fresh process."""
    return process([PY, "-m", "promptops", *args], cwd=cwd, ok=ok)[0]


def on_installed_copy(script: str, argv: Sequence[str], smoke: bool) -> str:
    """Re-run this bench on a byte-compiled copy of promptops in a plain venv, as an
    installed wheel runs (bench/peers/snapshot.py; ``--at-commit REV`` picks the code),
    unless already there or smoking; returns what is measured.

    This machine sets PYTHONDONTWRITEBYTECODE, and the .venv holds promptops as an editable
    install: measured from there, every CLI process would recompile promptops first.
    """
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.append(str(root))  # after the copy: promptops must come from there
    from bench.peers.snapshot import rerun_on_copy, strip_at_commit
    from bench.peers.timing import SNAPSHOT_OF

    if SNAPSHOT_OF is not None:
        return SNAPSHOT_OF
    if smoke:
        return "the checkout (smoke run: figures mean nothing)"
    at: str | None = None
    rest = list(argv)
    if "--at-commit" in rest:
        at = rest[rest.index("--at-commit") + 1]
    sys.exit(rerun_on_copy(at, script, strip_at_commit(rest)))

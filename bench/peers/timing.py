"""Fresh-process timing shared by the peer benchmarks.

Every contestant is a command line; one run is the wall time from spawning the process to its
exit, so interpreter start-up, imports and the work itself all count, as they do for an
application starting up. Runs are interleaved round-robin (contestant A, B, C, A, B, C, ...)
so that drift on a shared machine (other jobs, thermal) spreads over all of them alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
ROOT = BENCH_DIR.parent
# A run measures a byte-compiled copy of promptops (snapshot.py passes the locations below
# by environment); the bench code itself always comes from the checkout.
PEERS_DIR = Path(os.environ.get("BENCH_PEERS_DIR", BENCH_DIR / ".peers"))
PEERS_PYTHON = PEERS_DIR / "venv" / "bin" / "python"
PROMPTFOO = PEERS_DIR / "node" / "node_modules" / ".bin" / "promptfoo"
PROJECT_PYTHON = Path(os.environ.get("BENCH_PROJECT_PYTHON", ROOT / ".venv" / "bin" / "python"))
SNAPSHOT_OF = os.environ.get("BENCH_SNAPSHOT_OF")  # "REV (sha)" when measuring a snapshot
# Where the promptops package measured lives: the checkout, or an exported commit.
CODE_ROOT = Path(os.environ.get("BENCH_CODE_ROOT", ROOT))

# Keep peers quiet and offline: no telemetry, no update checks, no tracing exporters.
QUIET_ENV = {
    "PROMPTFOO_DISABLE_TELEMETRY": "1",
    "PROMPTFOO_DISABLE_UPDATE": "1",
    "PROMPTFOO_DISABLE_REMOTE_GENERATION": "true",
    "PROMPTFOO_DISABLE_SHARING": "1",
    "LANGFUSE_TRACING_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "DO_NOT_TRACK": "1",
    "NO_COLOR": "1",
}


def project_site() -> str:
    """The site-packages of the project's .venv (where promptops' dependencies live)."""
    if "BENCH_PROJECT_SITE" in os.environ:
        return os.environ["BENCH_PROJECT_SITE"]
    return subprocess.run(
        [str(PROJECT_PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def make_plain_venv(path: Path, code_root: Path = CODE_ROOT) -> Path:
    """A venv that sees promptops and the project's dependencies without the editable hook.

    The project's .venv holds promptops as an *editable* install, whose ``.pth`` imports a
    finder (pathlib, re, fnmatch, ...) into every interpreter start: a development artefact
    that an application installing the wheel does not pay. This venv (no pip, so no
    ``.pth`` hooks at all) lists ``code_root`` (the checkout, or a snapshot of a commit) and
    the .venv's site-packages as plain path lines, which only extend ``sys.path``, like a
    wheel in site-packages. Returns its python.
    """
    import sysconfig
    import venv

    venv.EnvBuilder(with_pip=False, clear=True, symlinks=True).create(path)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    del sysconfig
    (Path(purelib) / "promptops-bench.pth").write_text(f"{code_root}\n{project_site()}\n")
    return python


def promptops_location(python: Path) -> str:
    """Where ``python`` imports promptops from (printed, so a run says what it measured)."""
    return subprocess.run(
        [str(python), "-c", "import promptops; print(promptops.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PEERS_DIR.parent if PEERS_DIR.exists() else None,
    ).stdout.strip()


def node_path_env() -> dict[str, str]:
    """``PATH`` with the Node.js runtime setup_peers.sh installed, if it installed one.

    promptfoo needs node >= 22.22; when the system node is older, setup_peers.sh puts an
    official build from the npm registry under bench/.peers/nodejs.
    """
    path = os.environ.get("PATH", "")
    for bin_dir in sorted((PEERS_DIR / "nodejs" / "node_modules").glob("node-linux-*/bin")):
        return {"PATH": f"{bin_dir}{os.pathsep}{path}"}
    return {}


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every contestant runs in: ours plus the quiet switches."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    # A developer's PYTHONPATH or a stray PYTHONSTARTUP would skew some contestants only.
    for name in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME"):
        env.pop(name, None)
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Contestant:
    """One program timed in fresh processes."""

    name: str
    argv: Sequence[str]
    cwd: Path = ROOT
    env: Mapping[str, str] = field(default_factory=dict)
    # Checks the stdout of every timed run; a run it rejects is discarded and repeated.
    valid: Callable[[str], bool] | None = None


class ContestantFailed(RuntimeError):
    """A contestant exited non-zero: its figure would be meaningless."""


def run_once(c: Contestant, *, capture: bool = False) -> tuple[float, str]:
    """Run ``c`` once; return (wall seconds, stdout if captured).

    Raises:
        ContestantFailed: the process exited non-zero (stderr is in the message).
    """
    # Output goes to files, never pipes: promptfoo loses its closing summary and stalls in
    # shutdown ("closeLogger() timed out") when its stdout is a pipe.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.run(
            list(c.argv),
            cwd=c.cwd,
            env=bench_env(c.env),
            stdin=subprocess.DEVNULL,
            stdout=out_file if capture else subprocess.DEVNULL,
            stderr=err_file,
            check=False,
        )
        elapsed = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read().decode(errors="replace")
        err = err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        raise ContestantFailed(f"{c.name}: exit {proc.returncode}\n{err[-3000:]}")
    return elapsed, out


def interleaved(
    contestants: Sequence[Contestant], runs: int, *, warm_up: bool = True
) -> dict[str, list[float]]:
    """Time every contestant ``runs`` times, round-robin, after one untimed warm-up each.

    The warm-up writes bytecode caches and fills the page cache, so every timed run sees
    the same warm machine an application restart would (skip it when the caller's own
    checks already ran every contestant once). A run whose output the contestant's
    ``valid`` rejects is discarded and repeated, at most ``MAX_DISCARDS`` times per
    contestant; the discards are counted in ``DISCARDED``.

    Raises:
        ContestantFailed: any run of any contestant failed, or kept producing invalid output.
    """
    for c in contestants if warm_up else ():
        run_once(c)
    times: dict[str, list[float]] = {c.name: [] for c in contestants}
    for _ in range(runs):
        for c in contestants:
            times[c.name].append(_valid_run(c))
    return times


MAX_DISCARDS = 5
DISCARDED: dict[str, int] = {}


def _valid_run(c: Contestant) -> float:
    while True:
        elapsed, out = run_once(c, capture=c.valid is not None)
        if c.valid is None or c.valid(out):
            return elapsed
        DISCARDED[c.name] = DISCARDED.get(c.name, 0) + 1
        if DISCARDED[c.name] > MAX_DISCARDS:
            raise ContestantFailed(f"{c.name}: invalid output {MAX_DISCARDS + 1} times:\n{out}")


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000.0


def describe_ms(samples: Sequence[float]) -> str:
    """``median (min-max)`` in milliseconds."""
    return (
        f"{median_ms(samples):8.1f} ms  (min {min(samples) * 1000:.1f}, "
        f"max {max(samples) * 1000:.1f}, n={len(samples)})"
    )

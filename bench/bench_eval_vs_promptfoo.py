"""Eval throughput against promptfoo: the same cases, echo providers, no caches (issue 5).

Both tools evaluate one prompt with N cases (default 2,000), one ``contains`` assertion each,
with their deterministic echo provider; every case passes on both sides. Timed: the wall
time of the whole command in a fresh process, start-up included, as CI runs it:

  promptfoo eval -c promptfooconfig.yaml --no-cache --no-table --no-progress-bar
  python -m promptops eval --provider echo --no-cache   (a repository with the same cases)

``--no-table``/``--no-progress-bar`` only spare promptfoo drawing 2,000 rows on a terminal.
promptfoo keeps its default concurrency and writes its results database as usual, into a
temporary config dir (PROMPTFOO_CONFIG_DIR) so the user's ~/.promptfoo is untouched; its
telemetry and update checks are switched off. A run with a handful of cases separates
start-up from per-case cost. Target: promptops cases/s >= 10x promptfoo's.

promptops keeps what it learnt of the repository's files under ``.git/promptops-cache``,
so each timed run after the first reads a warm cache, as an eval after ``promptops
validate`` (or a second eval) in the same clone does. The first command in a fresh clone
finds it empty: that figure is timed too ("empty repository cache": the cache directory
is removed before each run, inside the timed command) and its ratios printed beside.

Usage: bench/setup_peers.sh; .venv/bin/python bench/bench_eval_vs_promptfoo.py [--cases N]
       [--runs N] [--at-commit REV]   (REV: measure that commit, not the checkout)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

# Appended, not prepended: promptops must come from the byte-compiled copy on the venv's
# path (bench/peers/snapshot.py), not from this checkout.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from bench.peers.eval_fixture import write_promptfoo_dir, write_promptops_repo
from bench.peers.snapshot import rerun_on_copy, strip_at_commit
from bench.peers.timing import (
    DISCARDED,
    PROMPTFOO,
    SNAPSHOT_OF,
    Contestant,
    interleaved,
    make_plain_venv,
    median_ms,
    node_path_env,
    promptops_location,
    run_once,
)

TARGET_RATIO = 10.0  # issue 5: against promptfoo as it runs by default
TARGET_NO_WRITE = 20.0  # issue 16: against promptfoo --no-write (no results database)
SMALL = 10


class PromptfooResults:
    """Reads what a promptfoo run stored: its results database, not its console.

    On a loaded machine promptfoo 0.123.1 finishes the eval but can lose its closing summary:
    its logger lags, ``closeLogger()`` times out during shutdown and the process exits before
    the buffered lines are written. The database in PROMPTFOO_CONFIG_DIR is written during
    the eval, so each run is checked there: one new eval, ``n`` results, all successful.
    """

    def __init__(self, home: Path, n: int) -> None:
        self.db = home / "promptfoo.db"
        self.n = n
        self.seen: set[str] = set()

    def newest_ok(self, _stdout: str = "") -> bool:
        """True when exactly one new eval appeared since the last call and it passed n/n."""
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            ids = {row[0] for row in conn.execute("SELECT id FROM evals")}
            new = ids - self.seen
            self.seen = ids
            if len(new) != 1:
                return False
            total, passed = conn.execute(
                "SELECT count(*), coalesce(sum(success), 0) FROM eval_results WHERE eval_id = ?",
                (new.pop(),),
            ).fetchone()
        return bool(total == self.n and passed == self.n)


def promptfoo_contestant(name: str, workdir: Path, n: int) -> Contestant:
    config = write_promptfoo_dir(workdir / f"promptfoo-{n}", n)
    home = workdir / f"promptfoo-home-{n}"
    home.mkdir(exist_ok=True)
    results = PromptfooResults(home, n)
    return Contestant(
        name=name,
        argv=[
            str(PROMPTFOO),
            "eval",
            "-c",
            str(config),
            "--no-cache",
            "--no-table",
            "--no-progress-bar",
        ],
        cwd=config.parent,
        env={**node_path_env(), "PROMPTFOO_CONFIG_DIR": str(home)},
        valid=results.newest_ok,
    )


class PromptfooOutput:
    """Checks a ``--no-write`` run (no results database) through its ``-o`` output file."""

    def __init__(self, path: Path, n: int) -> None:
        self.path = path
        self.n = n

    def ok(self, _stdout: str = "") -> bool:
        try:
            stats = json.loads(self.path.read_text(encoding="utf-8"))["results"]["stats"]
            self.path.unlink()
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return bool(stats.get("successes") == self.n and stats.get("failures") == 0)


def promptfoo_nowrite_contestant(name: str, workdir: Path, n: int) -> Contestant:
    """promptfoo with ``--no-write``: no results database, the output file checked instead."""
    base = promptfoo_contestant(name, workdir, n)
    out = workdir / f"promptfoo-nowrite-{n}.json"
    check = PromptfooOutput(out, n)
    return Contestant(base.name, [*base.argv, "--no-write", "-o", str(out)], base.cwd,
                      base.env, valid=check.ok)  # fmt: skip


def promptops_contestant(name: str, python: Path, workdir: Path, n: int) -> Contestant:
    repo = write_promptops_repo(workdir / f"promptops-{n}", n)
    return Contestant(
        name=name,
        argv=[str(python), "-m", "promptops", "eval", "--provider", "echo", "--no-cache"],
        cwd=repo,
        # Every timed run is checked too, as promptfoo's are: its closing summary line.
        valid=lambda out: f"{n} cases: {n} passed, 0 failed" in out,
    )


def cold_contestant(warm: Contestant) -> Contestant:
    """``warm`` run as the first command of a fresh clone: the repository cache removed
    first, inside the timed command (``sh`` and ``rm`` count against promptops)."""
    rm = 'rm -rf "$(git rev-parse --git-dir)/promptops-cache" && exec "$@"'
    name = warm.name.replace("promptops eval", "promptops eval, empty repository cache")
    return Contestant(name, ["sh", "-c", rm, "sh", *warm.argv], warm.cwd, warm.env, warm.valid)


def check_promptfoo(c: Contestant) -> None:
    """Refuse to time promptfoo unless a run stores all its cases as passed."""
    assert c.valid is not None
    _, out = run_once(c, capture=True)
    if not c.valid(out):
        raise SystemExit(f"{c.name}: its results database lacks a fully passed eval:\n{out}")


def check_promptops(c: Contestant, n: int) -> None:
    """Refuse to time a promptops run that did not pass all ``n`` cases, each with its own
    provider call (no response cache, like promptfoo's ``--no-cache``)."""
    _, out = run_once(Contestant(c.name, [*c.argv, "--format", "json"], c.cwd, c.env), capture=True)
    totals = json.loads(out)["totals"]
    if totals["passed"] != n or totals["calls"] != n or totals["cache_hits"] != 0:
        raise SystemExit(f"{c.name}: expected {n} passed cases and {n} calls, got {totals}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contestant")
    parser.add_argument(
        "--at-commit", metavar="REV", help="measure promptops at this commit (default: checkout)"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.runs = 20, 1
    if SNAPSHOT_OF is None:
        argv = strip_at_commit(sys.argv[1:])
        return rerun_on_copy(args.at_commit, "bench_eval_vs_promptfoo.py", argv)
    print(f"promptops code: {SNAPSHOT_OF}")
    have_peer = PROMPTFOO.exists()
    if not have_peer:
        print("skipped: promptfoo (not installed: run bench/setup_peers.sh); promptops alone")
    n = args.cases
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp:
        workdir = Path(tmp)
        # promptops runs as installed: a byte-compiled copy, no editable hook (snapshot.py).
        python = make_plain_venv(workdir / "plain-venv")
        print(f"promptops imported from {promptops_location(python)}")
        po_big = promptops_contestant(f"promptops eval ({n} cases)", python, workdir, n)
        po_small = promptops_contestant(f"promptops eval ({SMALL} cases)", python, workdir, SMALL)
        po_cold = cold_contestant(po_big)
        check_promptops(po_big, n)
        check_promptops(po_small, SMALL)
        check_promptops(po_cold, n)
        tools = [("promptops", po_big, po_small)]
        if have_peer:
            pf_big = promptfoo_contestant(f"promptfoo eval ({n} cases)", workdir, n)
            pf_small = promptfoo_contestant(f"promptfoo eval ({SMALL} cases)", workdir, SMALL)
            nw_big = promptfoo_nowrite_contestant(f"promptfoo --no-write ({n} cases)", workdir, n)
            nw_small = promptfoo_nowrite_contestant(
                f"promptfoo --no-write ({SMALL} cases)", workdir, SMALL
            )
            for c in (pf_big, pf_small, nw_big, nw_small):
                check_promptfoo(c)
            tools = [("promptfoo", pf_big, pf_small),
                     ("promptfoo --no-write", nw_big, nw_small), *tools]  # fmt: skip
        print(f"eval throughput: {n} cases, echo provider, one contains assertion each")
        print(f"  {args.runs} timed runs each, interleaved, after a checked run; median wall time")
        everyone = [c for _, big, _ in tools for c in (big,)] + [s for *_, s in tools]
        everyone.append(po_cold)
        times = interleaved(everyone, args.runs, warm_up=False)

    med = {name: median_ms(samples) / 1000.0 for name, samples in times.items()}
    width = max(len(c.name) for c in everyone)
    for c in everyone:
        samples = times[c.name]
        print(f"  {c.name:{width}s} {med[c.name]:8.3f} s  (min {min(samples):.3f}, "
              f"max {max(samples):.3f})")  # fmt: skip
    rates = {}
    for tool, big, small in tools:
        rate = n / med[big.name]
        per_case_ms = (med[big.name] - med[small.name]) / (n - SMALL) * 1000.0
        start_s = med[small.name] - per_case_ms * SMALL / 1000.0
        rates[tool] = rate
        print(
            f"  {tool}: {rate:10.1f} cases/s   (start-up ~{start_s:.2f} s, "
            f"{per_case_ms:.3f} ms per case)"
        )
    for name, count in DISCARDED.items():
        print(f"  note: {count} run(s) of {name} failed their check and were repeated")
    cold = n / med[po_cold.name]
    print(f"  promptops, empty repository cache: {cold:10.1f} cases/s")
    for peer, target in (("promptfoo", TARGET_RATIO), ("promptfoo --no-write", TARGET_NO_WRITE)):
        if peer not in rates:
            continue
        ratio = rates["promptops"] / rates[peer]
        verdict = "OK" if ratio >= target else "BELOW TARGET"
        print(
            f"  ratio promptops / {peer} cases/s: {ratio:.1f}x (target >= {target:.0f}x) {verdict}"
        )
        print(f"    (empty repository cache, a fresh clone's first command: "
              f"{cold / rates[peer]:.1f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

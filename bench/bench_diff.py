"""Behaviour diff on a generated 10,000-prompt repository with 50 changed prompts.

    python bench/bench_diff.py [--prompts 10000] [--changed 50] [--repo DIR]

Prints:
- `promptops diff HEAD --format json` (working tree against HEAD) end to end in a fresh
  process: cold (empty content caches) and warm (caches filled by earlier runs: what the
  2 s target is about), and the phases in process (load base, load head, compare);
- a baseline measured in the same run on the same refs, also in fresh processes with warm
  caches: `promptops build --ref HEAD` plus `promptops build` of the working tree, i.e.
  compiling both sides whole to compare their per-prompt digests, a cost that grows with
  the repository instead of the change;
- the behaviour diff: provider calls counted by a counting echo provider, against the cases
  of the changed prompts and against every case in the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gen_repo import change, generate, git
from measure import describe, interleaved

from promptops.diff import DiffConfig, DiffOptions, compare, diff_refs
from promptops.evals import CallContext, EvalSession, Provider, Request, Response
from promptops.evals.providers import EchoProvider
from promptops.repo import load_repository


class CountingEcho:
    name = "echo"
    remote = False

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._echo = EchoProvider()

    def complete(self, request: Request, context: CallContext) -> Response:
        with self._lock:
            self.calls += 1
        return self._echo.complete(request, context)

    def close(self) -> None:
        pass


class CountingSession(EvalSession):
    def __init__(self, echo: CountingEcho) -> None:
        super().__init__(provider="echo")
        self.echo = echo

    def provider(self, name: str) -> Provider:
        return self.echo


def _structural(root: Path, base: str) -> tuple[float, float, float, int]:
    """(load base s, load head s, compare s, changed prompts)."""
    t0 = time.perf_counter()
    b = load_repository(root, base)
    t1 = time.perf_counter()
    h = load_repository(root, None)
    t2 = time.perf_counter()
    cmp = compare(b, h, DiffConfig())
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, len(cmp.prompts)


def _timed(*argv: str) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def _cli_diff(root: Path) -> float:
    return _timed(sys.executable, "-m", "promptops", "diff", "HEAD", "--path", str(root),
                  "--format", "json", "--fail-on", "never")  # fmt: skip


def _cli_builds(root: Path, out: Path) -> float:
    ref = _timed(sys.executable, "-m", "promptops", "build", str(root), "--ref", "HEAD",
                 "--out", str(out / "base"))  # fmt: skip
    tree = _timed(sys.executable, "-m", "promptops", "build", str(root), "--out", str(out / "head"))
    return ref + tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per figure")
    parser.add_argument("--repo", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.prompts, args.changed, args.runs = 30, 3, 1
    tmp = tempfile.TemporaryDirectory(prefix="bench-diff-")
    root = args.repo or Path(tmp.name) / "repo"
    t = time.perf_counter()
    generate(root, args.prompts)
    base = "HEAD"
    changed = change(root, args.changed)
    took = time.perf_counter() - t
    print(f"generated {args.prompts} prompts, changed {len(changed)} ({took:.1f} s)")
    # Other work on the machine inflates every figure; the load average says how much.
    print(f"load average (1 min) on {os.cpu_count()} cores: {os.getloadavg()[0]:.1f}")

    cache = git(root, "rev-parse", "--absolute-git-dir").strip() + "/promptops-cache"

    def cold() -> float:
        shutil.rmtree(cache, ignore_errors=True)
        return _cli_diff(root)

    _cli_builds(root, Path(tmp.name))
    got = interleaved(
        {
            "diff, empty caches": cold,
            "diff, warm caches": lambda: _cli_diff(root),
            # What a diff would cost by building both sides whole (warm caches).
            "baseline: build both sides": lambda: _cli_builds(root, Path(tmp.name)),
        },
        args.runs,
    )
    phases = [_structural(root, base) for _ in range(args.runs)]
    lb, lh, cmp_s, n = (statistics.median(p[i] for p in phases) for i in range(4))
    print(f"median of {args.runs} interleaved runs, whole processes (min, max)")
    for name, samples in got.items():
        print(f"  {name:28s} {describe(samples)}")
    print(f"  in process: load base {lb:.3f} s, load head {lh:.3f} s, compare {cmp_s:.3f} s "
          f"({int(n)} changed prompts)")  # fmt: skip
    warm_cli = got["diff, warm caches"].median
    baseline = got["baseline: build both sides"].median
    print(f"diff vs baseline: {baseline / warm_cli:.1f}x faster")
    print(f"structural target <= 2 s (warm): {'met' if warm_cli <= 2.0 else 'NOT met'}")

    # Commit the change so the behaviour diff is between two refs, as in CI.
    git(root, "commit", "-q", "-am", "change")
    echo = CountingEcho()
    t = time.perf_counter()
    result = diff_refs(
        root,
        "HEAD~1",
        "HEAD",
        DiffOptions(behaviour=True, provider="echo", session=CountingSession(echo)),
    )
    elapsed = time.perf_counter() - t
    repo = load_repository(root, "HEAD")
    changed_ids = {p.id for p in result.prompts}
    changed_cases = sum(len(s.cases) for s in repo.evals.values() if s.prompt in changed_ids)
    all_cases = sum(len(s.cases) for s in repo.evals.values())
    assert result.behaviour is not None
    print(
        f"behaviour diff (echo, HEAD~1..HEAD): {elapsed:.3f} s; provider calls {echo.calls} "
        f"= {result.behaviour.requests_sent} sent for {result.behaviour.requests_total} case runs; "
        f"changed prompts {len(changed_ids)} with {changed_cases} eval cases "
        f"(expected <= {2 * changed_cases} calls); repository has {all_cases} cases"
    )
    only = "yes" if echo.calls <= 2 * changed_cases else "NO"
    print(f"provider calls only for the changed prompts' cases: {only}")
    tmp.cleanup()


if __name__ == "__main__":
    main()

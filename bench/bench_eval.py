"""Eval runner throughput: echo cases per second, and concurrency against a slow server.

    .venv/bin/python bench/bench_eval.py [--cases 2000] [--remote-cases 1000]

1. ``--cases`` eval cases (distinct inputs, one ``contains`` each) with the echo provider,
   in process (``EvalSession.run``) and end to end (``promptops eval`` in a fresh
   interpreter on a generated git repository: start-up, load, compile, run, print).
   Baseline, same run: a bare loop doing the irreducible work per case (``str.format``
   and ``in``); the difference is promptops' per-case overhead.
2. ``--remote-cases`` cases through the real ``openai`` SDK against a local server that
   answers each request after 50 ms, at concurrency 32: throughput as a share of the ideal
   32 / 0.05 s = 640 requests/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import interleaved

from promptops.evals import EvalConfig, EvalSession, PromptTable, ResponseCache
from promptops.spec import EvalSet
from tests.evals.prompts import compiled
from tests.helpers import GIT_ENV, init_repo

LATENCY_S = 0.05
CONCURRENCY = 32
RUNS = 5  # interleaved runs per figure (medians are reported)


def _cases(n: int) -> list[dict[str, object]]:
    return [
        {
            "name": f"case-{i}",
            "inputs": {"name": f"user-{i}"},
            "assert": [{"contains": f"user-{i}"}],
        }
        for i in range(n)
    ]


def bench_echo_in_process(n: int) -> tuple[float, float]:
    prompts = PromptTable({"greet": compiled()})
    evals = {"evals/bench.yaml": EvalSet.model_validate({"prompt": "greet", "cases": _cases(n)})}
    EvalSession(provider="echo").run(prompts, evals)  # warm imports and caches
    template = "Say hello to {name}."

    def promptops() -> float:
        start = time.perf_counter()
        report = EvalSession(provider="echo").run(prompts, evals)
        assert report.ok and report.totals.cases == n
        return time.perf_counter() - start

    def baseline() -> float:
        start = time.perf_counter()
        for i in range(n):
            out = template.format(name=f"user-{i}")
            assert f"user-{i}" in out
        return time.perf_counter() - start

    got = interleaved({"promptops": promptops, "baseline": baseline}, RUNS)
    return got["promptops"].median, got["baseline"].median


def bench_echo_cli(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        lines = ["prompt: greet", "cases:"]
        for i in range(n):
            lines += [f"  - name: case-{i}", f"    inputs: {{name: user-{i}}}",
                      f"    assert: [{{contains: user-{i}}}]"]  # fmt: skip
        files = {
            "models.yaml": "models:\n  default:\n    provider: echo\n    model: echo-2024-01-01\n",
            "prompts/greet.yaml": "kind: prompt\nmodel: default\ninputs:\n"
            "  name: {type: string}\nmessages:\n  - role: user\n"
            "    content: Say hello to {{ name }}.\n",
            "evals/bench.yaml": "\n".join(lines) + "\n",
        }
        env = {**os.environ, **GIT_ENV}
        os.environ.update(GIT_ENV)
        init_repo(root, files)
        cmd = [sys.executable, "-m", "promptops", "eval", str(root), "--no-cache"]
        subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the file caches
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return time.perf_counter() - start


def bench_remote(n: int) -> tuple[float, float]:
    # The server runs in its own process so that it does not compete for the client's GIL.
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.evals.fake_llm", str(LATENCY_S)],
        cwd=Path(__file__).resolve().parents[1],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        prompts = PromptTable({"greet": compiled(provider="openai", base_url=url)})
        evals = {"evals/b.yaml": EvalSet.model_validate({"prompt": "greet", "cases": _cases(n)})}
        config = EvalConfig(concurrency=CONCURRENCY)
        with EvalSession(config=config, env={}, cache=ResponseCache(enabled=False)) as session:
            # Warm-up: SDK import, client and connection pool.
            warm_set = EvalSet.model_validate({"prompt": "greet", "cases": _cases(CONCURRENCY)})
            session.run(prompts, {"evals/w.yaml": warm_set})
            cpu = time.process_time()
            start = time.perf_counter()
            report = session.run(prompts, evals)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
        assert report.ok and report.totals.calls == n, report.totals
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    return elapsed, cpu


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--remote-cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per figure")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.remote_cases, args.runs = 20, 10, 1
    RUNS = args.runs
    n = args.cases

    elapsed, baseline = bench_echo_in_process(n)
    per_case_us = (elapsed - baseline) / n * 1e6
    print(f"echo, in process: {n} cases in {elapsed * 1000:.0f} ms = {n / elapsed:,.0f} cases/s")
    print(f"  baseline (format + contains loop): {baseline * 1000:.1f} ms; "
          f"promptops overhead {per_case_us:.1f} us/case; "
          f"ratio {elapsed / baseline:.0f}x")  # fmt: skip

    cli = bench_echo_cli(n)
    print(f"echo, `promptops eval` end to end: {n} cases in {cli:.2f} s = {n / cli:,.0f} cases/s")

    m = args.remote_cases
    remotes = [bench_remote(m) for _ in range(RUNS)]
    remote = statistics.median(r[0] for r in remotes)
    cpu = statistics.median(r[1] for r in remotes)
    ideal = CONCURRENCY / LATENCY_S
    rate = m / remote
    print(f"openai SDK, local server {LATENCY_S * 1000:.0f} ms/request, concurrency {CONCURRENCY}: "
          f"{m} cases in {remote:.2f} s = {rate:.0f} req/s; ideal {ideal:.0f} req/s; "
          f"{rate / ideal:.0%} of ideal")  # fmt: skip
    # On a shared 2-core machine the client's CPU, not the runner, is the ceiling.
    print(
        f"  client CPU {cpu / m * 1000:.2f} ms/request (SDK + HTTP stack + runner); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()

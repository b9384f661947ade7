"""What OpenTelemetry attributes add to a warm render, against today's render, same run.

The 2-message, 3-variable prompt of ``bench_render.py`` is published and opened twice:
without tracing (the baseline: what every render costs today) and with
``RuntimeConfig(otel=True)``. The SDK is installed with an ``ALWAYS_OFF`` sampler, the
"no-op provider" an application has when tracing is configured but this request is not
sampled; renders run inside such a (non-recording) span and outside any span. For scale,
a render inside a recording span of a second, always-on SDK provider is measured too
(that is the price of actually recording 14 attributes, paid only for sampled requests).
Interleaved: each round times every variant once; medians of the rounds are printed.

    .venv/bin/python bench/bench_otel.py [--smoke]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

from opentelemetry import context, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON

sys.path.insert(0, str(Path(__file__).parent))
from bench_render import INPUTS, NOW, publish

from promptops.runtime import Registry, RuntimeConfig

NUMBER = 20_000
ROUNDS = 15
TARGET_US = 2.0


def _inside(span: trace.Span, fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        token = context.attach(trace.set_span_in_context(span))
        try:
            return timeit.timeit(fn, number=NUMBER) / NUMBER * 1e6
        finally:
            context.detach(token)

    return run


def main() -> None:
    global NUMBER, ROUNDS
    if "--smoke" in sys.argv[1:]:  # make test: one tiny round, so this cannot rot
        NUMBER, ROUNDS = 50, 1
    trace.set_tracer_provider(TracerProvider(sampler=ALWAYS_OFF))
    recording = TracerProvider(sampler=ALWAYS_ON).get_tracer("bench")
    with tempfile.TemporaryDirectory() as tmp:
        trust = publish(Path(tmp))
        config = RuntimeConfig(clock=lambda: NOW)
        plain = Registry.open(tmp, trust=trust, channel="production", config=config)
        traced = Registry.open(tmp, trust=trust, channel="production",
                               config=config._replace(otel=True))  # fmt: skip
        base = plain.prompt("chat")
        otel = traced.prompt("chat")
        assert base.render(**INPUTS).messages == otel.render(**INPUTS).messages
        unsampled = trace.get_tracer("bench").start_span("request")  # non-recording
        sampled = recording.start_span("request")
        assert not unsampled.is_recording() and sampled.is_recording()
        variants: dict[str, Callable[[], object]] = {
            "today's render (no tracing)": lambda: (
                timeit.timeit(lambda: base.render(**INPUTS), number=NUMBER) / NUMBER * 1e6
            ),
            "otel=True, no span": lambda: (
                timeit.timeit(lambda: otel.render(**INPUTS), number=NUMBER) / NUMBER * 1e6
            ),
            "otel=True, unsampled span (ALWAYS_OFF)": _inside(
                unsampled, lambda: otel.render(**INPUTS)
            ),
            "otel=True, recording span (ALWAYS_ON)": _inside(
                sampled, lambda: otel.render(**INPUTS)
            ),
        }
        rounds: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(ROUNDS):
            for name, run in variants.items():
                rounds[name].append(float(run()))  # type: ignore[arg-type]
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    baseline = medians["today's render (no tracing)"]
    print(f"warm render, 2 messages, 3 variables; median of {ROUNDS} interleaved rounds "
          f"of {NUMBER:,} renders")  # fmt: skip
    for name, us in medians.items():
        low, high = min(rounds[name]), max(rounds[name])
        print(f"  {name:42} {us:6.2f} us  = {us / baseline:4.2f}x  (+{us - baseline:5.2f} us)"
              f"  min {low:.2f}, max {high:.2f}")  # fmt: skip
    added = medians["otel=True, unsampled span (ALWAYS_OFF)"] - baseline
    verdict = "meets" if added <= TARGET_US else "MISSES"
    print(f"added with the SDK's no-op (unsampled) provider: {added:.2f} us per render; "
          f"{verdict} the target of <= {TARGET_US} us")  # fmt: skip


if __name__ == "__main__":
    main()

"""Warm render of the same 2-message, 3-variable chat prompt: peers and the baseline.

Run by bench/bench_cold_start.py in the peers' venv (langfuse) and in the project venv
(the ``str.format_map`` baseline, measured again next to promptops). Prints one JSON object:
microseconds per render, best of several timeit rounds (the usual way to report a
microbenchmark: the minimum is the run least disturbed by the rest of the machine), the
contestants interleaved within each round.

  format_map        [{"role": r, "content": t.format_map(inputs)} for r, t in messages]
  langfuse_compile  ChatPromptClient.compile(**inputs), the client built from the stored
                    API response as in the cold-start script
"""

from __future__ import annotations

import json
import os
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}
# BENCH_SMOKE (set by a bench's --smoke run): one short round, so the code runs, fast.
SMOKE = bool(os.environ.get("BENCH_SMOKE"))
REPEATS = 1 if SMOKE else 9


def per_call_us(fn: Callable[[], Any]) -> float:
    return interleaved_us({"fn": fn})["fn"]


def interleaved_us(fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Microseconds per call of each function, best of REPEATS rounds; every round times
    each function once in turn, so a burst of load elsewhere hits all of them alike."""
    timers = {name: timeit.Timer(fn) for name, fn in fns.items()}
    numbers = {name: 100 if SMOKE else max(t.autorange()[0], 10_000) for name, t in timers.items()}
    best = {name: float("inf") for name in fns}
    for _ in range(REPEATS):
        for name, t in timers.items():
            best[name] = min(best[name], t.timeit(numbers[name]) / numbers[name] * 1e6)
    return best


def format_map_render() -> Callable[[], Any]:
    with (FIXTURES / "support_format.json").open("rb") as f:
        prompt = json.load(f)
    messages = [(m["role"], m["content"]) for m in prompt["messages"]]
    inputs = dict(INPUTS)

    def render() -> Any:
        return [{"role": r, "content": t.format_map(inputs)} for r, t in messages]

    return render


def langfuse_render() -> Callable[[], Any]:
    from langfuse.api import Prompt
    from langfuse.api.core.pydantic_utilities import parse_obj_as
    from langfuse.model import ChatPromptClient

    with (FIXTURES / "support_langfuse.json").open("rb") as f:
        body = json.load(f)
    client = ChatPromptClient(parse_obj_as(type_=Prompt, object_=body))  # type: ignore[arg-type]

    def render() -> Any:
        return client.compile(**INPUTS)

    return render


def main() -> None:
    fns = {"format_map": format_map_render()}
    if "--langfuse" in sys.argv:
        render = langfuse_render()
        expected = fns["format_map"]()
        got = [{"role": m["role"], "content": m["content"]} for m in render()]
        if got != expected:
            raise SystemExit(f"langfuse rendered {got!r}, expected {expected!r}")
        fns["langfuse_compile"] = render
    print(json.dumps(interleaved_us(fns)))


if __name__ == "__main__":
    main()

"""Warm ``reg.prompt(id).render`` of a prompt without experiment or canary, in one process,
for ``bench_variants.py --baseline REV`` (run once on the checkout, once on REV's code).

Usage: warm_plain_render.py ROUNDS NUMBER

Publishes ``bench_render.py``'s 2-prompt site (only APIs every revision has), then prints
one JSON object: the median over ROUNDS interleaved timeit rounds of NUMBER calls, in us,
of ``reg.prompt("chat").render`` and ``reg.prompt("chat", key=...).render``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import timeit
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
if os.environ.get("BENCH_CODE_ROOT"):  # the other revision's code comes first
    sys.path.insert(0, os.environ["BENCH_CODE_ROOT"])
sys.path.insert(1, str(BENCH))

from bench_render import INPUTS, NOW, publish  # noqa: E402

from promptops.runtime import Registry, RuntimeConfig  # noqa: E402

KEY = "3f2a9c1e-7b4d-4e8a-9c2f-5d6e7f8a9b0c"


def main() -> None:
    rounds, number = int(sys.argv[1]), int(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        trust = publish(Path(tmp))
        reg = Registry.open(tmp, trust=trust, channel="production",
                            config=RuntimeConfig(clock=lambda: NOW))  # fmt: skip
        fns = {
            "no key": lambda: reg.prompt("chat").render(**INPUTS),
            "key": lambda: reg.prompt("chat", key=KEY).render(**INPUTS),
        }
        times: dict[str, list[float]] = {name: [] for name in fns}
        for _ in range(rounds):
            for name, fn in fns.items():
                times[name].append(timeit.timeit(fn, number=number) / number * 1e6)
    print(json.dumps({name: statistics.median(v) for name, v in times.items()}))


if __name__ == "__main__":
    main()

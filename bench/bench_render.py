"""Warm render cost of the runtime vs ``str.format_map`` on the same strings, same run.

A 2-message (system + user), 3-variable chat prompt is published, signed, and opened
through ``Registry.open`` exactly as an application would; then renders are timed with
``timeit``: each round is the mean per call over ``NUMBER`` calls, rounds are interleaved
across the rows, and the median round is reported with the fastest and slowest.

    .venv/bin/python bench/bench_render.py [--smoke]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.release.manifest import PointerSpec, ReleaseSpec, sign_manifest, sign_pointer
from promptops.runtime import Registry, RuntimeConfig
from promptops.runtime.dsse import TrustRoot

SYSTEM = "You are {{ persona }}, a support agent. Answer briefly and cite the help centre."
USER = "Customer {{ name }} asks about {{ topic }}. Draft the reply."
INPUTS = {"persona": "Ada", "name": "Grace Hopper", "topic": "refunds for annual plans"}
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NUMBER = 20_000
REPEAT = 15


def _bundle(prompts: dict[str, dict[str, Any]]) -> bytes:
    # ADR 0002 layout: index of offsets relative to the prompts object.
    index: dict[str, list[Any]] = {}
    parts, offset = [], 1
    for pid, body in sorted(prompts.items()):
        key, value = canonical_bytes(pid) + b":", canonical_bytes(body)
        offset += len(key)
        index[pid] = [offset, len(value), sha256_hex(value)]
        parts.append(key + value)
        offset += len(value) + 1
    return (
        b'{"format":"promptops.bundle/v1","index":'
        + canonical_bytes(index)
        + b',"prompts":{'
        + b",".join(parts)
        + b'},"source":'
        + canonical_bytes({"commit": "a" * 40, "dirty": False, "tree": "b" * 40})
        + b"}"
    )


def _prompt(pid: str, engine: str) -> dict[str, Any]:
    return {
        "id": pid,
        "path": f"prompts/{pid}.yaml",
        "description": "",
        "owner": None,
        "tags": [],
        "model": {
            "name": "m",
            "provider": "openai",
            "model": "gpt-4o-2024-08-06",
            "base_url": None,
            "context_window": None,
            "pricing": None,
            "lifecycle": None,
        },
        "params": {"temperature": 0.2},
        "input_schema": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": "string", "maxLength": 500} for k in INPUTS},
            "required": sorted(INPUTS),
        },
        "system": [],
        "partials": {},
        "tools": [],
        "output_schema": None,
        "messages": [
            {"role": "system", "template": SYSTEM, "engine": engine},
            {"role": "user", "template": USER, "engine": engine},
        ],
    }


def publish(root: Path) -> TrustRoot:
    key = Ed25519PrivateKey.generate()
    bundle = _bundle(
        {"chat": _prompt("chat", "substitute"), "chat-jinja": _prompt("chat-jinja", "jinja")}
    )
    digests = {p: e[2] for p, e in __import__("json").loads(bundle)["index"].items()}
    spec = ReleaseSpec("v1", 1, "a" * 40, "b" * 40, digests, {}, NOW, NOW + dt.timedelta(days=90))
    (root / "releases/v1").mkdir(parents=True)
    (root / "releases/v1/bundle.json").write_bytes(bundle)
    (root / "releases/v1/release.dsse.json").write_bytes(sign_manifest(spec, bundle, [key]))
    (root / "channels").mkdir()
    pointer = PointerSpec("production", "v1", 1, sha256_hex(bundle), len(bundle), spec.expires)
    (root / "channels/production.json").write_bytes(sign_pointer(pointer, [key]))
    return TrustRoot.from_keys([key.public_key()])


def per_call_us(fn: Callable[[], object], number: int) -> float:
    return timeit.timeit(fn, number=number) / number * 1e6


def main() -> None:
    smoke = "--smoke" in sys.argv[1:]  # make test: one tiny round, so this cannot rot
    number, rounds = (50, 1) if smoke else (NUMBER, REPEAT)
    with tempfile.TemporaryDirectory() as tmp:
        trust = publish(Path(tmp))
        config = RuntimeConfig(clock=lambda: NOW)
        checked = Registry.open(tmp, trust=trust, channel="production", config=config)
        unchecked = Registry.open(
            tmp,
            trust=trust,
            channel="production",
            config=config._replace(validate_inputs=False),
        )

    system = SYSTEM.replace("{{ ", "{").replace(" }}", "}")
    user = USER.replace("{{ ", "{").replace(" }}", "}")

    def baseline() -> list[dict[str, str]]:
        return [
            {"role": "system", "content": system.format_map(INPUTS)},
            {"role": "user", "content": user.format_map(INPUTS)},
        ]

    fast, slow = unchecked.prompt("chat"), checked.prompt("chat")
    jinja = checked.prompt("chat-jinja")
    assert fast.render(**INPUTS).messages == baseline() == jinja.render(**INPUTS).messages

    rows = {
        "str.format_map x2 (baseline)": lambda: baseline(),
        "render, no validation": lambda: fast.render(**INPUTS),
        "render + input validation": lambda: slow.render(**INPUTS),
        "reg.prompt(id).render + validation": lambda: checked.prompt("chat").render(**INPUTS),
        "render, jinja engine + validation": lambda: jinja.render(**INPUTS),
    }
    # Interleave the rows so machine load drifts hit each of them alike.
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, fn in rows.items():
            samples[name].append(per_call_us(fn, number))
    base = statistics.median(samples["str.format_map x2 (baseline)"])
    print(f"warm render of a 2-message, 3-variable chat prompt ({number} calls x {rounds} rounds)")
    for name, values in samples.items():
        med = statistics.median(values)
        print(
            f"  {name:38s} {med:6.2f} us  (min {min(values):6.2f}, max {max(values):6.2f})"
            f"  {med / base:4.2f}x baseline"
        )
    print("targets: no validation <= 2x baseline; with validation <= 10 us")


if __name__ == "__main__":
    main()

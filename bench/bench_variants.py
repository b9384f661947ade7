"""What choosing an arm costs (issue 15): a warm render with an experiment against today's
render, and a cold start with a two-release canary pointer against a single release.

Warm (in-process, medians of interleaved rounds): the per-request path an application
runs, ``reg.prompt(id, key=...).render(**inputs)``, for the 2-message, 3-variable prompt of
``bench_render.py`` without an experiment (today's render: the baseline), for the same
prompt under a two-arm experiment (a variant with other params) with a key and without one
(a per-request counter is hashed), and for the plain prompt behind a 10% canary pointer
(the same hash, once per request, choosing the release). Target: choosing an arm adds at
most 1 us.

Cold (whole processes, as an application starts): ``python app.py`` imports the runtime,
``Registry.open``s the channel from a warm cache and renders once; one site's pointer names
one release, the other's a stable and a canary release (both verified: two manifests, two
bundle hashes). Bundles of ``--prompts`` prompts; runs interleaved round-robin after a
warm-up, medians. Target: two releases <= 1.3 x one.

With ``--baseline REV``, today's render (no experiment, no canary) is also timed in this
checkout and in promptops at REV, in alternating worker processes: the base path must not
get slower.

    .venv/bin/python bench/bench_variants.py [--runs 21] [--prompts 1000] [--baseline REV]
    .venv/bin/python bench/bench_variants.py --smoke   # make test: tiny sizes, so it cannot rot
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).parent))
from bench_render import INPUTS, NOW, _bundle, _prompt

from promptops.canonical import sha256_hex
from promptops.release.manifest import PointerSpec, ReleaseSpec, sign_manifest, sign_pointer
from promptops.runtime import Registry, RuntimeConfig
from promptops.runtime.pointer import CanaryArm

NUMBER = 20_000
ROUNDS = 25
WARM_TARGET_US = 1.0
COLD_TARGET = 1.3
EXPIRES = NOW + dt.timedelta(days=90)
KEY = "3f2a9c1e-7b4d-4e8a-9c2f-5d6e7f8a9b0c"

APP = """\
import sys
from promptops.runtime import Registry
site, trust, cache = sys.argv[1:4]
reg = Registry.open(site, trust=trust, channel="production", cache_dir=cache)
reg.prompt("chat", key="3f2a9c1e-7b4d-4e8a-9c2f-5d6e7f8a9b0c").render(
    persona="Ada", name="Grace", topic="refunds"
)
"""


def _experimental() -> dict[str, Any]:
    """The benchmark prompt under a 50/50 experiment between itself and a variant."""
    prompt = _prompt("chat-ab", "substitute")
    prompt["variants"] = {"warm": {"params": {"temperature": 0.9}}}
    prompt["experiment"] = {
        "name": "tone",
        "salt": "tone",
        "arms": [
            {"name": "control", "variant": None, "weight": 5000},
            {"name": "warm", "variant": "warm", "weight": 5000},
        ],
    }
    return prompt


def _release(
    root: Path, name: str, serial: int, n: int, key: Ed25519PrivateKey, expires: dt.datetime
) -> bytes:
    prompts = {"chat": _prompt("chat", "substitute"), "chat-ab": _experimental()}
    for i in range(n):
        prompts[f"filler/{serial}/{i:05d}"] = _prompt(f"filler/{serial}/{i:05d}", "substitute")
    bundle = _bundle(prompts)
    digests = {p: e[2] for p, e in json.loads(bundle)["index"].items()}
    spec = ReleaseSpec(name, serial, "a" * 40, "b" * 40, digests, {}, NOW, expires)
    (root / "releases" / name).mkdir(parents=True)
    (root / "releases" / name / "bundle.json").write_bytes(bundle)
    (root / "releases" / name / "release.dsse.json").write_bytes(sign_manifest(spec, bundle, [key]))
    return bundle


def _site(
    root: Path, n: int, key: Ed25519PrivateKey, canary: bool, expires: dt.datetime = EXPIRES
) -> None:
    v1 = _release(root, "v1", 1, n, key, expires)
    arm, salt = None, None
    if canary:
        v2 = _release(root, "v2", 2, n, key, expires)
        arm, salt = CanaryArm("v2", 2, sha256_hex(v2), len(v2), 1000), "5a17" * 8
    spec = PointerSpec("production", "v1", 1, sha256_hex(v1), len(v1), expires, 1, arm, salt)
    (root / "channels").mkdir()
    (root / "channels" / "production.json").write_bytes(sign_pointer(spec, [key]))


def _trust_file(path: Path, key: Ed25519PrivateKey) -> Path:
    import base64
    import hashlib

    raw = key.public_key().public_bytes_raw()
    signer = {"name": "k", "keyid": hashlib.sha256(raw).hexdigest(),
              "public_key": base64.b64encode(raw).decode()}  # fmt: skip
    path.write_text(json.dumps({"signers": [signer], "threshold": 1}), encoding="utf-8")
    return path


def warm(tmp: Path) -> None:
    key = Ed25519PrivateKey.generate()
    plain_site, canary_site = tmp / "warm-one", tmp / "warm-canary"
    _site(plain_site, 0, key, canary=False)
    _site(canary_site, 0, key, canary=True)
    trust = _trust_file(tmp / "trust-warm.json", key)
    config = RuntimeConfig(clock=lambda: NOW)
    reg = Registry.open(plain_site, trust=str(trust), channel="production", config=config)
    split = Registry.open(canary_site, trust=str(trust), channel="production", config=config)
    assert reg.prompt("chat-ab", key="u").provenance.experiment == "tone"
    user = KEY  # a user id as applications have them (a UUID); hashed on every call
    base_name = "today's render (no experiment)"
    rows: dict[str, Callable[[], object]] = {
        base_name: lambda: reg.prompt("chat", key=user).render(**INPUTS),
        "experiment, key": lambda: reg.prompt("chat-ab", key=user).render(**INPUTS),
        "experiment, no key (per request)": lambda: reg.prompt("chat-ab").render(**INPUTS),
        "canary pointer, key": lambda: split.prompt("chat", key=user).render(**INPUTS),
    }
    rounds: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(ROUNDS):
        for name, fn in rows.items():
            rounds[name].append(timeit.timeit(fn, number=NUMBER) / NUMBER * 1e6)
    medians = {name: statistics.median(v) for name, v in rounds.items()}
    # What an arm adds: the median of each round's difference to the baseline of the same
    # round (paired), which drift on a shared machine moves much less than either figure.
    added = {
        name: statistics.median(a - b for a, b in zip(v, rounds[base_name], strict=True))
        for name, v in rounds.items()
    }
    base = medians[base_name]
    print(f"warm reg.prompt(id, key).render, 2 messages, 3 variables; median of {ROUNDS} "
          f"interleaved rounds of {NUMBER:,}")  # fmt: skip
    for name, us in medians.items():
        print(f"  {name:34} {us:6.2f} us  = {us / base:4.2f}x  (paired: +{added[name]:5.2f} us)")
    worst = max(added.values())
    verdict = "meets" if worst <= WARM_TARGET_US else "MISSES"
    print(f"choosing an arm adds at most {worst:.2f} us; {verdict} the target of "
          f"<= {WARM_TARGET_US} us")  # fmt: skip


def cold(tmp: Path, runs: int, n: int) -> None:
    key = Ed25519PrivateKey.generate()
    trust = _trust_file(tmp / "trust.json", key)
    app = tmp / "app.py"
    app.write_text(APP, encoding="utf-8")
    contestants: dict[str, list[str]] = {"python -c pass": [sys.executable, "-c", "pass"]}
    for label, canary in (("one release", False), ("canary: two releases", True)):
        site = tmp / ("cold-canary" if canary else "cold-one")
        # The processes read the real clock.
        _site(site, n, key, canary, dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
        cache = tmp / f"cache-{site.name}"
        contestants[label] = [sys.executable, str(app), str(site), str(trust), str(cache)]
    for argv in contestants.values():  # warm-up: fills the caches, checks the app runs
        subprocess.run(argv, check=True)
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(runs):
        for name, argv in contestants.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True)
            times[name].append((time.perf_counter() - start) * 1e3)
    medians = {name: statistics.median(v) for name, v in times.items()}
    size = (tmp / "cold-one" / "releases" / "v1" / "bundle.json").stat().st_size
    print("\ncold start (fresh process: import, open a channel from a warm cache, render once); "
          f"bundles of {n + 2:,} prompts ({size / 1e6:.1f} MB); median of {runs} "
          "interleaved runs")  # fmt: skip
    for name, ms in medians.items():
        print(f"  {name:24} {ms:7.1f} ms")
    ratio = medians["canary: two releases"] / medians["one release"]
    verdict = "meets" if ratio <= COLD_TARGET else "MISSES"
    print(f"two releases / one release = {ratio:.2f}x; {verdict} the target of <= {COLD_TARGET}x")


def against(rev: str, rounds: int) -> None:
    """Today's render (no experiment, no canary) in this checkout and at ``rev``: fresh
    worker processes, alternating, the order swapped every round."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.peers.snapshot import export_promptops

    worker = Path(__file__).resolve().parent / "peers" / "warm_plain_render.py"
    with tempfile.TemporaryDirectory(prefix="bench-variants-base-") as tmp:
        what = export_promptops(rev, Path(tmp))
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "checkout": []}
        for i in range(rounds):
            for side in ("baseline", "checkout")[:: 1 if i % 2 == 0 else -1]:
                env = {k: v for k, v in os.environ.items() if k != "BENCH_CODE_ROOT"}
                if side == "baseline":
                    env["BENCH_CODE_ROOT"] = tmp
                out = subprocess.run([sys.executable, str(worker), "9", str(NUMBER)], env=env,
                                     capture_output=True, text=True, check=True).stdout  # fmt: skip
                runs[side].append(json.loads(out))
    print(f"\ntoday's render (no experiment, no canary): this checkout vs {what}; medians of "
          f"{rounds} alternating worker processes")  # fmt: skip
    for name in runs["checkout"][0]:
        base = statistics.median(r[name] for r in runs["baseline"])
        new = statistics.median(r[name] for r in runs["checkout"])
        print(f"  reg.prompt(id{', key' if name == 'key' else ''}).render: "
              f"{new:5.2f} us vs {base:5.2f} us = {new / base:.3f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--baseline", metavar="REV", help="also compare today's render with REV")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds (--baseline)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round (make test)")
    args = parser.parse_args()
    if args.smoke:
        global NUMBER, ROUNDS
        NUMBER, ROUNDS = 50, 1
        args.runs, args.prompts = 1, 10
    with tempfile.TemporaryDirectory() as tmp:
        warm(Path(tmp))
        cold(Path(tmp), args.runs, args.prompts)
    if args.baseline:
        against(args.baseline, args.rounds)


if __name__ == "__main__":
    main()

"""Verify a signed release of a 10,000-prompt bundle (issue 3: at most 100 ms; issue 11:
roles and a 10-version trust walk cost at most 10% more than before).

    python bench/bench_verify.py [--prompts 10000] [--repeat 20] [--from-repo]
                                 [--trust-versions 10] [--baseline REV] [--rounds 7]

Baseline, measured in the same run: the irreducible work, hashlib.sha256 of the bundle
plus one Ed25519 verify. The ratio shows what verification adds on top (parsing the
envelope and the statement, the trust-root checks).

Also measured: the same verification preceded by walking ``--trust-versions`` versions of
the trust chain (an application that shipped trust version 1 while the publisher rotated
keys N times: each version is parsed, checked canonical and verified against the root
role before it and its own), every time from the bytes, as a fresh process would.

With ``--baseline REV`` the figures of the checkout are compared with those of commit REV
(e.g. the commit before roles and the trust chain): each round runs one fresh worker
process per code version, alternating, and the medians of the rounds are compared as a
ratio measured in the same run on the same machine.

By default the bundle is synthesised with the compiler's own layout code
(``promptops.compile._format.assemble``) from prompt objects of realistic size; with
``--from-repo`` it is compiled from bench/gen_repo.py's repository instead (slower set-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A worker measuring another commit puts that commit's code first (see --baseline).
sys.path.insert(0, str(ROOT))
if os.environ.get("BENCH_CODE_ROOT"):
    sys.path.insert(0, os.environ["BENCH_CODE_ROOT"])

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def synthetic_bundle(n: int) -> tuple[bytes, dict[str, str]]:
    from promptops.canonical import canonical_bytes
    from promptops.compile._format import assemble

    items = []
    for i in range(n):
        pid = f"team{i % 8}/task{i:05d}"
        body = canonical_bytes(
            {
                "id": pid,
                "path": f"prompts/{pid}.yaml",
                "description": "Answer a customer question from retrieved help articles.",
                "owner": f"team{i % 8}",
                "tags": ["production"],
                "model": {
                    "name": "support-default",
                    "provider": "openai",
                    "model": "gpt-4o-2024-08-06",
                },
                "params": {"temperature": 0.2, "max_tokens": 800},
                "input_schema": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {"question": {"type": "string"}},
                    "additionalProperties": False,
                },
                "system": ["instructions/tone"],
                "messages": [
                    {
                        "role": "system",
                        "engine": "text",
                        "template": "Be brief, kind and accurate. " * 6,
                    },
                    {
                        "role": "user",
                        "engine": "substitute",
                        "template": f"Question {i}: {{{{ question }}}}",
                    },
                ],
                "partials": {},
                "tools": [],
                "output_schema": None,
            }
        )
        items.append((pid, body, hashlib.sha256(body).hexdigest()))
    data, index = assemble(items, {"commit": "a" * 40, "tree": "b" * 40, "dirty": False})
    return data, {k: v[2] for k, v in index.items()}


def repo_bundle(n: int) -> tuple[bytes, dict[str, str]]:
    from bench.gen_repo import generate  # type: ignore[import-not-found]
    from promptops.compile import build

    root = generate(Path(tempfile.mkdtemp(prefix="bench-verify-")) / "repo", n)
    bundle = build(root, ref="HEAD")
    return bundle.data, dict(bundle.prompts)


def best_and_median(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, statistics.median(times) * 1000


def trust_chain(key: Any, versions: int) -> tuple[Any, list[bytes]]:
    """A shipped version 1 and ``versions`` more, each rotating the release role's second
    key (the root key, which signs them, stays), or None if this code has no trust chain."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from promptops.release.trust_versions import next_root, sign_trust
    from promptops.runtime.policy import TrustRoot

    def entry(name: str, k: Any) -> dict[str, str]:
        return {"name": name, "public_key": base64.b64encode(k.public_key().public_bytes_raw())
                .decode()}  # fmt: skip

    def policy(extra: Any) -> dict[str, Any]:
        return {
            "signers": [entry("owner", key), entry("reviewer", extra)],
            "roles": {
                "root": {"threshold": 1, "signers": ["owner"]},
                "release": {"threshold": 1, "signers": ["owner", "reviewer"]},
                "channel": {"threshold": 1, "signers": ["owner"]},
            },
        }

    shipped = TrustRoot.from_dict(policy(Ed25519PrivateKey.generate()))
    chain, root = [], shipped
    for _ in range(versions):
        root = next_root(root, policy(Ed25519PrivateKey.generate()))
        chain.append(sign_trust(root, [key]))
    return shipped, chain


def measure(args: argparse.Namespace) -> dict[str, float]:
    """Median milliseconds of each figure in this process (whichever code it imports)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from promptops.release.manifest import ReleaseSpec, sign_manifest
    from promptops.runtime.dsse import TrustRoot, pae
    from promptops.runtime.trust import verify_release

    bundle, prompts = (repo_bundle if args.from_repo else synthetic_bundle)(args.prompts)
    key = Ed25519PrivateKey.generate()
    spec = ReleaseSpec(
        "v1",
        1,
        "a" * 40,
        "b" * 40,
        prompts,
        {"support-default": "openai/x"},
        NOW,
        NOW + dt.timedelta(days=90),
    )
    envelope = sign_manifest(spec, bundle, [key])
    trust = TrustRoot.from_keys([key.public_key()])
    message = pae("application/vnd.in-toto+json", b"x" * 1000)
    signature = key.sign(message)
    public = key.public_key()

    def baseline() -> None:
        hashlib.sha256(bundle).hexdigest()
        public.verify(signature, message)

    def verify() -> None:
        verify_release(envelope, bundle, trust, now=NOW)

    verify()  # warm up imports and caches
    out = {
        "bundle_mb": len(bundle) / 1e6,
        "manifest_kb": len(envelope) / 1e3,
        "baseline": best_and_median(baseline, args.repeat)[1],
        "verify": best_and_median(verify, args.repeat)[1],
    }
    try:
        shipped, chain = trust_chain(key, args.trust_versions)
    except ImportError:
        return out  # this code predates the trust chain
    from promptops.runtime.trust_chain import verify_next_version

    def walk_and_verify() -> None:
        root = shipped
        for data in chain:
            root = verify_next_version(root, data).root
        verify_release(envelope, bundle, root, now=NOW)

    walk_and_verify()
    out["verify_walk"] = best_and_median(walk_and_verify, args.repeat)[1]
    return out


def _worker(args: argparse.Namespace, code_root: Path | None) -> dict[str, float]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker",
            "--prompts", str(args.prompts), "--repeat", str(args.repeat),
            "--trust-versions", str(args.trust_versions)]  # fmt: skip
    if args.from_repo:
        argv.append("--from-repo")
    env = {k: v for k, v in os.environ.items() if k != "BENCH_CODE_ROOT"}
    if code_root is not None:
        env["BENCH_CODE_ROOT"] = str(code_root)
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def compare(args: argparse.Namespace) -> None:
    from bench.peers.snapshot import export_promptops

    with tempfile.TemporaryDirectory(prefix="bench-verify-base-") as tmp:
        what = export_promptops(args.baseline, Path(tmp))
        rounds: dict[str, list[dict[str, float]]] = {"baseline": [], "checkout": []}
        # Alternating fresh workers, the order swapped every round: drift hits both alike.
        for i in range(args.rounds):
            for side in ("baseline", "checkout")[:: 1 if i % 2 == 0 else -1]:
                rounds[side].append(_worker(args, Path(tmp) if side == "baseline" else None))
    med = {
        side: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        for side, runs in rounds.items()
    }
    base, new = med["baseline"], med["checkout"]
    print(f"bundle: {args.prompts} prompts, {new['bundle_mb']:.1f} MB; "
          f"manifest {new['manifest_kb']:.0f} kB; {args.rounds} alternating rounds of "
          f"{args.repeat} runs each; medians")  # fmt: skip
    print(f"baseline code: {what}")
    print(f"  sha256 + 1 Ed25519 verify:   {base['baseline']:6.1f} ms | {new['baseline']:6.1f} ms"
          f" (the same code: {new['baseline'] / base['baseline']:.3f}x is the noise)")  # fmt: skip
    print(f"  verify_release, before:      {base['verify']:6.1f} ms")
    print(f"  verify_release, now:         {new['verify']:6.1f} ms = "
          f"{new['verify'] / base['verify']:.3f}x before")  # fmt: skip
    print(f"  + walking {args.trust_versions} trust versions: {new['verify_walk']:6.1f} ms = "
          f"{new['verify_walk'] / base['verify']:.3f}x before (target <= 1.10)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--from-repo", action="store_true")
    parser.add_argument("--trust-versions", type=int, default=10)
    parser.add_argument("--baseline", metavar="REV", help="compare with promptops at REV")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (--baseline)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, few runs")
    args = parser.parse_args()
    if args.smoke:
        args.prompts, args.repeat, args.trust_versions, args.rounds = 30, 3, 2, 1
    if args.worker:
        print(json.dumps(measure(args)))
        return
    if args.baseline:
        compare(args)
        return
    m = measure(args)
    print(f"bundle: {args.prompts} prompts, {m['bundle_mb']:.1f} MB; "
          f"manifest {m['manifest_kb']:.0f} kB")  # fmt: skip
    print(f"baseline (sha256 + 1 Ed25519 verify): median {m['baseline']:.1f} ms")
    print(f"verify_release:                       median {m['verify']:.1f} ms")
    print(f"walk {args.trust_versions} trust versions + verify:   median {m['verify_walk']:.1f} ms")
    print(
        f"ratio verify/baseline (median): {m['verify'] / m['baseline']:.2f}x; "
        f"target <= 100 ms: {'met' if m['verify'] <= 100 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

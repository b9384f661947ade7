"""Verify a signed release of a 10,000-prompt bundle (issue 3: at most 100 ms).

    python bench/bench_verify.py [--prompts 10000] [--repeat 20] [--from-repo]

Baseline, measured in the same run: the irreducible work, hashlib.sha256 of the bundle
plus one Ed25519 verify. The ratio shows what verification adds on top (parsing the
envelope and the statement, the trust-root checks).

By default the bundle is synthesised with the compiler's own layout code
(``promptops.compile._format.assemble``) from prompt objects of realistic size; with
``--from-repo`` it is compiled from bench/gen_repo.py's repository instead (slower set-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from promptops.canonical import canonical_bytes
from promptops.compile._format import assemble
from promptops.release.manifest import ReleaseSpec, sign_manifest
from promptops.runtime.dsse import TrustRoot, pae
from promptops.runtime.trust import verify_release

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def synthetic_bundle(n: int) -> tuple[bytes, dict[str, str]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--from-repo", action="store_true")
    args = parser.parse_args()

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
    signature = key.sign(b"x")
    message = pae("application/vnd.in-toto+json", b"x" * 1000)
    signature = key.sign(message)
    public = key.public_key()

    def baseline() -> None:
        hashlib.sha256(bundle).hexdigest()
        public.verify(signature, message)

    def verify() -> None:
        verify_release(envelope, bundle, trust, now=NOW)

    verify()  # warm up imports and caches
    base_best, base_med = best_and_median(baseline, args.repeat)
    ver_best, ver_med = best_and_median(verify, args.repeat)
    print(
        f"bundle: {len(prompts)} prompts, {len(bundle) / 1e6:.1f} MB; "
        f"manifest {len(envelope) / 1e3:.0f} kB"
    )
    print(
        f"baseline (sha256 + 1 Ed25519 verify): best {base_best:.1f} ms, median {base_med:.1f} ms"
    )
    print(f"verify_release:                       best {ver_best:.1f} ms, median {ver_med:.1f} ms")
    print(
        f"ratio verify/baseline (median): {ver_med / base_med:.2f}x; "
        f"target <= 100 ms: {'met' if ver_med <= 100 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

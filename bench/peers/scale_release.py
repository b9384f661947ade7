"""Sign and publish an N-prompt release for the runtime benchmark, with whatever promptops
the running interpreter imports (so each code version measured reads a release in its own
manifest format).

Usage: scale_release.py POOL_BUNDLE N OUTDIR

POOL_BUNDLE is a ``bundle.json`` the compiler built from a generated repository
(bench/gen_repo.py plus the benchmark prompts): its compiled prompts are the pool. The
release holds every benchmark prompt (ids starting ``bench/``) and N minus that many
others, taken from the pool in turn (``copyK/<id>`` past the first round), so bundles of
any size hold real compiled prompts of realistic size. It is assembled with the
compiler's own layout code, signed with a fresh Ed25519 key through ``ReleaseSpec`` /
``sign_manifest`` and laid out by ``publish`` with a ``production`` channel, as ``promptops
release`` and ``publish`` do. Writes OUTDIR/site, OUTDIR/trust.json and OUTDIR/key.pem.
The repository's own size limits are not involved (on some code versions a 50,000-prompt
repository cannot be built at all).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

__all__ = ["JINJA_PROMPT_ID", "SUBSTITUTE_PROMPT_ID", "build_pool"]

SUBSTITUTE_PROMPT_ID = "bench/support-answer"
JINJA_PROMPT_ID = "bench/jinja-answer"
JINJA_PROMPT = """\
kind: prompt
description: Answer from help articles (a loop, so the template needs Jinja).
owner: bench
model: {model}
params: {{temperature: 0.2, max_tokens: 800}}
inputs:
  product: {{type: string, maxLength: 200}}
  customer: {{type: string, maxLength: 200}}
  question: {{type: string, maxLength: 4000}}
  articles: {{type: array, items: {{type: string}}, default: []}}
messages:
  - role: system
    content: "You are a support agent for {{{{ product }}}}. Be brief and kind."
  - role: user
    content: |
      {{{{ customer }}}} asks: {{{{ question }}}}
      {{% for a in articles %}}- {{{{ a }}}}
      {{% endfor %}}
tags: [bench]
"""


def build_pool(repo: Path, n: int) -> bytes:
    """A bundle compiled from a generated ``n``-prompt repository plus the benchmark
    prompts (bench/peers/release_fixture.py's chat prompt and a Jinja one)."""
    from bench.gen_repo import generate, git
    from bench.peers.release_fixture import BENCH_PROMPT, _first_model
    from promptops.compile import build

    generate(repo, n)
    model = _first_model(repo)
    for pid, text in ((SUBSTITUTE_PROMPT_ID, BENCH_PROMPT), (JINJA_PROMPT_ID, JINJA_PROMPT)):
        path = repo / "prompts" / (pid + ".yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(model=model), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bench prompts")
    return build(repo, ref="HEAD").data


def main() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    from promptops.compile._format import assemble
    from promptops.release.keys import signer_entry
    from promptops.release.manifest import ReleaseSpec, sign_manifest
    from promptops.release.publish import publish
    from promptops.runtime.dsse import TrustRoot

    pool_path, n, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    pool = pool_path.read_bytes()
    head = b'{"format":"promptops.bundle/v1","index":'
    index_end = pool.find(b"]}" + b',"prompts":') + 2
    index = json.loads(pool[len(head) : index_end])
    base = index_end + len(b',"prompts":')
    bodies = {pid: pool[base + o : base + o + length] for pid, (o, length, _) in index.items()}
    bench = sorted(p for p in bodies if p.startswith("bench/"))
    others = sorted(p for p in bodies if not p.startswith("bench/"))
    items = [(pid, bodies[pid]) for pid in bench]
    k = 0
    while len(items) < n:
        for pid in others[: n - len(items)]:
            items.append((pid if k == 0 else f"copy{k}/{pid}", bodies[pid]))
        k += 1
    source = {"commit": "a" * 40, "dirty": False, "tree": "b" * 40}
    data, _ = assemble([(p, b, hashlib.sha256(b).hexdigest()) for p, b in items], source)

    key = Ed25519PrivateKey.generate()
    entry = signer_entry(key, "bench")
    doc = {
        "threshold": 1,
        "signers": [{"name": entry.name, "keyid": entry.keyid, "public_key": entry.public_key}],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "trust.json").write_text(json.dumps(doc), encoding="utf-8")
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (out / "key.pem").write_bytes(pem)
    now = dt.datetime.now(dt.UTC)
    spec = ReleaseSpec(
        release="bench-1",
        serial=1,
        commit="a" * 40,
        tree="b" * 40,
        prompts={p: hashlib.sha256(b).hexdigest() for p, b in items},
        models={"support-default": "openai/gpt-4o-2024-08-06"},
        created=now,
        expires=now + dt.timedelta(days=30),
    )
    release = out / "dist" / "releases" / "bench-1"
    release.mkdir(parents=True, exist_ok=True)
    (release / "bundle.json").write_bytes(data)
    (release / "release.dsse.json").write_bytes(sign_manifest(spec, data, [key]))
    trust = TrustRoot.from_dict(doc)
    publish(out / "dist", out / "site", channel="production", keys=[key], now=now,
            expires_in=dt.timedelta(days=30), trust=trust)  # fmt: skip
    print(json.dumps({"prompts": len(items), "bundle_bytes": len(data)}))


if __name__ == "__main__":
    main()

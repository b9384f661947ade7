"""Build a signed, published N-prompt release for the cold-start benchmark.

The repository comes from bench/gen_repo.py (``generate(path, n_prompts)``) plus one extra
prompt, ``bench/support-answer``: the 2-message, 3-variable chat prompt the peers render
(bench/peers/fixtures/). Then the
project's own release path runs: a fresh Ed25519 key listed in ``policies/signers.yaml``,
``create_release`` (build, sign, tag) and ``publish`` to a directory with a ``production``
channel, exactly what ``promptops keygen/release/publish`` do. The trust root for the runtime
is written next to it as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from bench.gen_repo import generate, git

__all__ = ["BENCH_PROMPT_ID", "PublishedRelease", "build_published_release"]

BENCH_PROMPT_ID = "bench/support-answer"
CHANNEL = "production"


BENCH_PROMPT = """\
kind: prompt
description: Answer a customer question (the prompt the peers render too).
owner: bench
model: {model}
params: {{temperature: 0.2, max_tokens: 800}}
inputs:
  product: {{type: string, maxLength: 200}}
  customer: {{type: string, maxLength: 200}}
  question: {{type: string, maxLength: 4000}}
messages:
  - role: system
    content: "You are a support agent for {{{{ product }}}}. Be brief and kind."
  - role: user
    content: "{{{{ customer }}}} asks: {{{{ question }}}}"
tags: [bench]
"""


@dataclass(frozen=True)
class PublishedRelease:
    """Everything a runtime needs to open the release, plus what was built."""

    site: Path
    trust_file: Path
    channel: str
    prompt_id: str
    prompts: int
    bundle_bytes: int


def _first_model(repo: Path) -> str:
    import yaml

    models = yaml.safe_load((repo / "models.yaml").read_text(encoding="utf-8"))["models"]
    return str(next(iter(models)))


def build_published_release(workdir: Path, n_prompts: int) -> PublishedRelease:
    """Generate, sign, release and publish an ``n_prompts``-prompt repository under
    ``workdir``; the published site is ``workdir/site``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from promptops.release.create import create_release
    from promptops.release.keys import signer_entry
    from promptops.release.publish import publish
    from promptops.runtime.dsse import TrustRoot

    repo = workdir / "repo"
    repo.mkdir(parents=True)
    generate(repo, n_prompts)
    bench_prompt = repo / "prompts" / (BENCH_PROMPT_ID + ".yaml")
    bench_prompt.parent.mkdir(parents=True, exist_ok=True)
    bench_prompt.write_text(BENCH_PROMPT.format(model=_first_model(repo)), encoding="utf-8")

    key = Ed25519PrivateKey.generate()
    entry = signer_entry(key, "bench")
    (repo / "policies").mkdir(exist_ok=True)
    (repo / "policies" / "signers.yaml").write_text(
        "threshold: 1\nsigners:\n" + entry.to_yaml(), encoding="utf-8"
    )
    trust_doc = {
        "threshold": 1,
        "signers": [{"name": entry.name, "keyid": entry.keyid, "public_key": entry.public_key}],
    }
    trust_file = workdir / "trust.json"
    trust_file.write_text(json.dumps(trust_doc), encoding="utf-8")
    trust = TrustRoot.from_dict(trust_doc)

    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bench release")

    now = dt.datetime.now(dt.UTC)
    expires_in = dt.timedelta(days=30)
    dist = workdir / "dist"
    result = create_release(
        repo, "bench-1", [key], now=now, expires_in=expires_in, out=dist, trust=trust
    )
    site = workdir / "site"
    publish(dist, site, channel=CHANNEL, keys=[key], now=now, expires_in=expires_in, trust=trust)
    return PublishedRelease(
        site=site,
        trust_file=trust_file,
        channel=CHANNEL,
        prompt_id=BENCH_PROMPT_ID,
        prompts=result.prompts,
        bundle_bytes=result.bundle_size,
    )

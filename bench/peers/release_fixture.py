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

__all__ = ["BENCH_PROMPT_ID", "PublishedRelease", "add_trust_versions", "build_published_release"]

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
    key_pem: bytes = b""  # the one signing key (single-role policy), to extend the site


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
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    return PublishedRelease(
        site=site,
        trust_file=trust_file,
        channel=CHANNEL,
        prompt_id=BENCH_PROMPT_ID,
        prompts=result.prompts,
        bundle_bytes=result.bundle_size,
        key_pem=key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
    )


def add_trust_versions(rel: PublishedRelease, site: Path, versions: int) -> None:
    """Publish trust/2.json ... trust/<versions + 1>.json into ``site``: the publisher
    rotated keys ``versions`` times (each version adds another signer) while applications
    still ship version 1 (``rel.trust_file``). Signed by the release's key, which stays."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from promptops.release.trust_versions import next_root, sign_trust
    from promptops.runtime.policy import TrustRoot

    key = load_pem_private_key(rel.key_pem, None)
    assert isinstance(key, Ed25519PrivateKey)
    doc = json.loads(rel.trust_file.read_text(encoding="utf-8"))
    root = TrustRoot.from_dict(doc)
    (site / "trust").mkdir(parents=True, exist_ok=True)
    for n in range(versions):
        extra = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        doc["signers"].append({"name": f"rotated-{n}", "public_key":
                               base64.b64encode(extra).decode()})  # fmt: skip
        root = next_root(root, doc)
        (site / "trust" / f"{root.version}.json").write_bytes(sign_trust(root, [key]))

"""Build a signed, published N-prompt release for the cold-start benchmark.

The repository comes from bench/gen_repo.py (``generate(path, n_prompts)``) when it is there,
else from the small generator below; either way one extra prompt, ``bench/support-answer``,
is the 2-message, 3-variable chat prompt the peers render (bench/peers/fixtures/). Then the
project's own release path runs: a fresh Ed25519 key listed in ``policies/signers.yaml``,
``create_release`` (build, sign, tag) and ``publish`` to a directory with a ``production``
channel, exactly what ``promptops keygen/release/publish`` do. The trust root for the runtime
is written next to it as JSON.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BENCH_PROMPT_ID", "PublishedRelease", "build_published_release"]

BENCH_PROMPT_ID = "bench/support-answer"
CHANNEL = "production"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

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

# The fallback generator's prompts: a realistic few hundred bytes each.
FALLBACK_MODELS = """\
models:
  default:
    provider: openai
    model: gpt-4o-2024-08-06
    params: {temperature: 0.3, max_tokens: 800}
    pricing: {input_per_mtok: 2.5, output_per_mtok: 10.0}
"""

FALLBACK_PROMPT = """\
kind: prompt
description: Generated prompt {i} for benchmarks.
owner: team-{team}
model: default
params: {{temperature: 0.{t}}}
system: [instructions/tone]
inputs:
  question: {{type: string, maxLength: 4000}}
  customer: {{type: string, default: there}}
messages:
  - role: user
    content: |
      Hello {{{{ customer }}}}. Topic {i}: answer briefly and cite the policy.
      {{{{ question }}}}
tags: [generated]
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


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True)


def _fallback_generate(path: Path, n_prompts: int) -> None:
    files = {
        "models.yaml": FALLBACK_MODELS,
        "policies/tools.yaml": "tools: {}\n",
        "policies/rules.yaml": "rules:\n  require_owner: true\n",
        "prompts/instructions/tone.yaml": (
            "kind: instruction\ndescription: House tone.\nowner: bench\ntext: Be brief and kind.\n"
        ),
    }
    for i in range(n_prompts):
        files[f"prompts/gen/p{i:05d}.yaml"] = FALLBACK_PROMPT.format(i=i, team=i % 7, t=i % 10)
    for rel, text in files.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def generate_repo(path: Path, n_prompts: int) -> str:
    """Write an ``n_prompts`` repository at ``path``; return which generator made it."""
    try:
        gen = importlib.import_module("bench.gen_repo")
    except ImportError:
        _fallback_generate(path, n_prompts)
        return "bench/peers/release_fixture.py fallback"
    gen.generate(path, n_prompts)
    return "bench/gen_repo.py"


def _first_model(repo: Path) -> str:
    import yaml

    models = yaml.safe_load((repo / "models.yaml").read_text(encoding="utf-8"))["models"]
    return str(next(iter(models)))


def build_published_release(workdir: Path, n_prompts: int) -> PublishedRelease:
    """Generate, sign, release and publish an ``n_prompts``-prompt repository under
    ``workdir``; the published site is ``workdir/site``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from promptops.release.channels import publish
    from promptops.release.create import create_release
    from promptops.release.keys import signer_entry
    from promptops.runtime.dsse import TrustRoot

    repo = workdir / "repo"
    repo.mkdir(parents=True)
    generate_repo(repo, n_prompts)
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
        _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "bench release")

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

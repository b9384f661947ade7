"""A base prompt repository for diff tests, and a helper that commits one change to it."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.helpers import MINIMAL_REPO, commit_all, init_repo, write_files


def signer_entry(seed: int, name: str) -> str:
    """A signers.yaml list item for a deterministic Ed25519 key."""
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32).public_key()
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        f"  - name: {name}\n"
        f"    keyid: {hashlib.sha256(raw).hexdigest()}\n"
        f"    public_key: {base64.b64encode(raw).decode()}\n"
    )


BASE: dict[str, str] = {
    **MINIMAL_REPO,
    "models.yaml": """\
models:
  default:
    provider: echo
    model: echo-2024-01-01
    params: {temperature: 0.3, max_tokens: 200}
    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}
  other:
    provider: openai
    model: gpt-4o-2024-08-06
    pricing: {input_per_mtok: 2.5, output_per_mtok: 10.0}
""",
    "policies/tools.yaml": """\
tools:
  lookup:
    description: Look a user up.
    risk: low
    parameters:
      type: object
      properties: {user: {type: string}}
      required: [user]
  notify:
    description: Send a notification.
    risk: medium
    requires_approval: true
    parameters:
      type: object
      properties:
        channel: {enum: [email]}
        text: {type: string, maxLength: 200}
      required: [channel, text]
      additionalProperties: false
  refund:
    description: Refund an order.
    risk: high
    parameters:
      type: object
      properties: {order: {type: string}}
      required: [order]
""",
    "policies/rules.yaml": """\
rules:
  require_owner: true
  forbidden_patterns:
    - pattern: "(?i)internal use only"
      message: internal text must not reach a model
""",
    "policies/signers.yaml": "threshold: 1\nsigners:\n"
    + signer_entry(1, "alice")
    + signer_entry(2, "bob"),
    "prompts/classify.yaml": """\
kind: prompt
description: Classify a ticket.
owner: team-b
model: default
inputs:
  text: {type: string}
messages:
  - role: user
    content: |
      Classify: {{ text }}
      {% include "partials/footer" %}
tools: [notify]
output:
  schema:
    type: object
    properties:
      label: {enum: [bug, question]}
    required: [label]
    additionalProperties: false
""",
    "prompts/partials/footer.yaml": """\
kind: partial
description: Sign-off.
owner: team-a
template: "Answer briefly."
""",
}


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; fails loudly when ``old`` is absent."""
    assert old in text, f"{old!r} not in fixture"
    return text.replace(old, new, 1)


def make_change(
    root: Path, changes: dict[str, str | None], base: dict[str, str] | None = None
) -> tuple[str, str]:
    """Commit ``base`` (default BASE), then ``changes`` (path -> new text, None deletes);
    returns (base commit, head commit)."""
    first = init_repo(root, BASE if base is None else base)
    for rel, text in changes.items():
        if text is None:
            (root / rel).unlink()
    write_files(root, {k: v for k, v in changes.items() if v is not None})
    return first, commit_all(root, "change")

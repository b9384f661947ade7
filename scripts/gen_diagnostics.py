"""Generate docs/readme/diagnostics.md: every diagnostic code, a bad and a good example.

Usage: python scripts/gen_diagnostics.py [--check] [--out PATH]

Each code of ``promptops/repo/codes.py`` has an example below: a small repository (BASE)
with one file made wrong, and the same file made right. Both are run through
``promptops validate`` while the page is generated, so the diagnostic shown is the one
validate prints today; a test checks that the bad file yields the code, the good one does
not, and that the page on disk is fresh. --check exits 1 (writing nothing) when it is stale.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import difflib
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.fsutil import atomic_write_text
from promptops.repo import Diagnostic, Limits, load_repository
from promptops.repo.codes import CODES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "readme" / "diagnostics.md"
TODAY = dt.date(2026, 6, 1)

G = "prompts/greet.yaml"
E = "evals/greet.yaml"
M = "models.yaml"
T = "policies/tools.yaml"
R = "policies/rules.yaml"

BASE: dict[str, str] = {
    M: """\
models:
  default:
    provider: openai
    model: gpt-4o-2024-08-06
    params: {temperature: 0.2}
""",
    G: """\
kind: prompt
description: Greet a customer by name.
owner: support-team
model: default
system: [instructions/tone]
inputs:
  name: {type: string, maxLength: 100}
messages:
  - role: user
    content: |
      Say hello to {{ name }}.
tools: [lookup_order]
tags: [production]
""",
    "prompts/instructions/tone.yaml": """\
kind: instruction
owner: support-team
text: Be brief and kind.
""",
    "prompts/partials/footer.yaml": """\
kind: partial
owner: support-team
template: "Thanks, {{ name }}."
""",
    T: """\
tools:
  lookup_order:
    description: Look an order up by its id.
    risk: low
    parameters:
      type: object
      properties:
        order_id: {type: string}
      required: [order_id]
""",
    R: """\
rules:
  require_owner: true
  eval_coverage: {tags: [production], min_cases: 1}
""",
    E: """\
prompt: greet
cases:
  - name: says-hello
    inputs: {name: Ada}
    assert:
      - contains: Ada
""",
}

S = "policies/signers.yaml"


def _public_key(name: str) -> str:
    """A fixed Ed25519 public key (base64 of its 32 raw bytes) for ``name``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(name.encode()).digest()
    raw = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    return base64.b64encode(raw).decode()


def _signer(name: str, key: str | None = None, keyid: str | None = None, **more: str) -> str:
    public = _public_key(key or name)
    digest = keyid or hashlib.sha256(base64.b64decode(public)).hexdigest()
    extra = "".join(f"    {k}: {v}\n" for k, v in more.items())
    return f'  - name: {name}\n    keyid: "{digest}"\n    public_key: "{public}"\n{extra}'


def _roles(release: str = "{threshold: 1, signers: [alice, bob]}") -> str:
    return (
        "roles:\n  root: {threshold: 1, signers: [alice]}\n"
        f"  release: {release}\n  channel: {{threshold: 1, signers: [ci]}}\n"
    )


SIGNERS = "signers:\n" + "".join(_signer(n) for n in ("alice", "bob", "ci"))
TRUST = SIGNERS + _roles()


Text = str | bytes | None  # None: the file does not exist


@dataclass(frozen=True)
class Example:
    """``path`` holds ``bad`` (the code appears) or ``good`` (it does not); ``also`` are
    other files both sides need; ``shown_*`` replace a file's text on the page."""

    path: str
    bad: Text
    good: Text
    also: dict[str, str] = field(default_factory=dict)
    limits: Limits | None = None
    link: str | None = None  # bad: ``path`` is a symbolic link to this target
    shown_bad: str | None = None
    shown_good: str | None = None


def edit(path: str, old: str, new: str, **kw: Any) -> Example:
    """BASE's ``path`` with ``old`` replaced by ``new`` (bad) and as it is (good)."""
    text = BASE[path]
    assert old in text, (path, old)
    return Example(path, text.replace(old, new, 1), text, **kw)


NEXT_PIN = "  next:\n    provider: openai\n    model: gpt-4o-2024-11-20\n"
X = "experiments/short-greeting.yaml"
BACKUP_PIN = "  backup:\n    provider: anthropic\n    model: claude-sonnet-4-5-20250929\n"
VARIANT = "variants:\n  short:\n    messages: [{role: user, content: 'Hi {{ name }}.'}]\n"
EXPERIMENT = """\
prompt: greet
arms:
  control: {weight: 50, variant: base}
  short: {weight: 50}
metrics: [{name: resolved}]
"""
WITH_VARIANT = {G: BASE[G] + VARIANT}
HISTORY_PROMPT = """\
kind: prompt
owner: support-team
model: default
inputs:
  chat: {type: %s, default: []}
  question: {type: string}
messages:
  - history: chat
  - role: user
    content: "{{ question }}"
"""
PHOTO_PROMPT = """\
kind: prompt
owner: support-team
model: default
inputs:
  photo: {type: object}
messages:
  - role: %s
    content:
      - text: Describe this photo.
      - image: photo
"""
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)
)

EXAMPLES: dict[str, Example] = {
    "min-version": Example(
        G,
        'promptops: ">=99.0"\n' + BASE[G] + "reasoning: {effort: high}\n",
        'promptops: ">=0.1"\n' + BASE[G],
    ),
    "yaml-syntax": edit(G, "tools: [lookup_order]", "tools: [lookup_order"),
    "yaml-tab": edit(G, "  name: {type", "\tname: {type"),
    "duplicate-key": edit(G, "owner: support-team\n", "owner: support-team\nowner: billing\n"),
    "encoding": Example(
        G,
        BASE[G].replace("by name.", "by name, café.").encode("latin-1"),
        BASE[G].replace("by name.", "by name, café.").encode("utf-8"),
        shown_bad="description: Greet a customer by name, café.   # saved as Latin-1",
        shown_good="description: Greet a customer by name, café.   # saved as UTF-8",
    ),
    "not-text": Example(
        "prompts/logo.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        None,
        shown_bad="(a PNG image saved under prompts/)",
        shown_good="(no binary files under prompts/; pass images as inputs)",
    ),
    "too-large": Example(
        G,
        BASE[G].replace("by name.", "by name. " + "Lorem ipsum. " * 20),
        BASE[G],
        limits=Limits(max_file_bytes=400),
        shown_bad="(a 600-byte prompt, over Limits.max_file_bytes: 400 here, 1,000,000 by default)",
        shown_good="(the same prompt under the limit)",
    ),
    "too-many-files": Example(
        "prompts/partials/more.yaml",
        BASE["prompts/partials/footer.yaml"],
        None,
        limits=Limits(max_files=7),
        shown_bad="(an eighth file, over Limits.max_files: 7 here, 50,000 by default)",
        shown_good="(seven files)",
    ),
    "too-deep": Example(
        G,
        "kind: prompt\nx: " + "[" * 70 + "]" * 70 + "\n",
        BASE[G],
        shown_bad="kind: prompt\nx: [[[[[[ ... 70 levels ... ]]]]]]",
        shown_good="(a prompt nested a few levels, as prompts are)",
    ),
    "too-many-aliases": Example(G, LAUGHS, BASE[G], shown_good="(no aliases needed)"),
    "unknown-file": Example(
        "prompts/notes.txt",
        "Remember to update the tone.",
        None,
        shown_good="(keep notes outside prompts/, e.g. docs/notes.txt)",
    ),
    "unsupported-file": Example(
        "prompts/shared.yaml",
        None,
        BASE["prompts/partials/footer.yaml"],
        link="../shared/footer.yaml",
        shown_bad="prompts/shared.yaml -> ../shared/footer.yaml   (a symbolic link)",
        shown_good="(the file itself, committed)",
    ),
    "duplicate-id": Example(
        "prompts/greet.yml",
        BASE[G],
        None,
        shown_bad="prompts/greet.yaml and prompts/greet.yml, both present",
        shown_good="prompts/greet.yaml only",
    ),
    "invalid-id": Example(
        "prompts/Greet Me.yaml",
        BASE["prompts/partials/footer.yaml"],
        None,
        also={},
        shown_bad="prompts/Greet Me.yaml",
        shown_good="prompts/greet-me.yaml",
    ),
    "unknown-kind": edit(G, "kind: prompt", "kind: promt"),
    "schema": edit(G, "tags: [production]", "tags: production"),
    "unknown-key": edit(G, "model: default\n", "model: default\nparms: {temperature: 0}\n"),
    "tool-parameters": edit(T, "      type: object\n", "      type: string\n"),
    "strict-output": Example(
        G,
        BASE[G]
        + "output:\n  schema:\n    type: object\n    properties: {greeting: {type: string}}\n",
        BASE[G]
        + "output:\n  schema:\n    type: object\n    properties: {greeting: {type: string}}\n"
        "    required: [greeting]\n    additionalProperties: false\n",
    ),
    "not-json": edit(E, "inputs: {name: Ada}", "inputs: {name: 2026-01-01}"),
    "message-input": Example(
        "prompts/chat.yaml", HISTORY_PROMPT % "string", HISTORY_PROMPT % "array"
    ),
    "content-part": Example(
        "prompts/photo.yaml", PHOTO_PROMPT % "assistant", PHOTO_PROMPT % "user"
    ),
    "unknown-model": edit(G, "model: default", "model: gpt-4o-2024-08-06"),
    "unknown-instruction": edit(G, "system: [instructions/tone]", "system: [instructions/tnoe]"),
    "unknown-partial": edit(
        G,
        "Say hello to {{ name }}.\n",
        'Say hello to {{ name }}.\n      {% include "partials/foter" %}\n',
    ),
    "unknown-tool": edit(G, "tools: [lookup_order]", "tools: [lookup_ordr]"),
    "unknown-prompt": edit(E, "prompt: greet", "prompt: gret"),
    "template-syntax": edit(G, "Say hello to {{ name }}.", "{% if name %}Say hello to {{ name }}."),
    "unsafe-template": edit(G, "{{ name }}", "{{ name.__class__ }}"),
    "undeclared-variable": edit(G, "Say hello to {{ name }}.", "Say hello to {{ nmae }}."),
    "unused-input": edit(
        G,
        "  name: {type: string, maxLength: 100}\n",
        "  name: {type: string, maxLength: 100}\n  plan: {type: string, default: free}\n",
    ),
    "single-brace": edit(G, "Say hello to {{ name }}.", "Say hello to {name}."),
    "variant-name": Example(G, BASE[G] + VARIANT.replace("short", "base", 1), BASE[G] + VARIANT),
    "unknown-variant": Example(
        X,
        EXPERIMENT.replace("  short: {weight: 50}", "  shorter: {weight: 50}"),
        EXPERIMENT,
        also=WITH_VARIANT,
    ),
    "duplicate-experiment": Example(
        "experiments/terse-greeting.yaml", EXPERIMENT, None, also={**WITH_VARIANT, X: EXPERIMENT}
    ),
    "unknown-input": edit(E, "inputs: {name: Ada}", "inputs: {name: Ada, nmae: Ada}"),
    "missing-input": edit(E, "inputs: {name: Ada}", "inputs: {}"),
    "invalid-input": edit(E, "inputs: {name: Ada}", "inputs: {name: 42}"),
    "unknown-assertion": edit(E, "- contains: Ada", "- contain: Ada"),
    "assertion-argument": edit(E, "- contains: Ada", "- json_path: {equal: EUR}"),
    "stale-recording": Example(
        "evals/recordings/greet/" + "0" * 64 + ".json",
        '{"format": "promptops.recording/v1", "prompt": "greet"}\n',
        None,
        shown_bad="evals/recordings/greet/0000...0000.json   (no case sends this request now)",
        shown_good="(removed with: promptops eval --provider replay --prune)",
    ),
    "fallback-cycle": Example(
        M,
        BASE[M] + "    fallback: backup\n" + BACKUP_PIN + "    fallback: default\n",
        BASE[M] + "    fallback: backup\n" + BACKUP_PIN,
    ),
    "fallback-chain": Example(
        M,
        BASE[M]
        + "    fallback: backup\n"
        + BACKUP_PIN
        + "    fallback: b2\n"
        + "".join(
            f"  b{i}:\n    provider: echo\n    model: echo-2024-01-01\n    fallback: b{i + 1}\n"
            for i in (2, 3)
        )
        + "  b4:\n    provider: echo\n    model: echo-2024-01-01\n",
        BASE[M] + "    fallback: backup\n" + BACKUP_PIN,
    ),
    "floating-model": edit(M, "model: gpt-4o-2024-08-06", "model: gpt-4o"),
    "retired-model": Example(
        M,
        BASE[M].replace(
            "    params:", "    lifecycle: {retires: 2026-01-01, replacement: next}\n    params:"
        )
        + NEXT_PIN,
        BASE[M] + NEXT_PIN,
    ),
    "deprecated-model": Example(
        M,
        BASE[M].replace(
            "    params:",
            "    lifecycle: {deprecated: 2026-05-01, retires: 2027-01-01, replacement: next}\n"
            "    params:",
        )
        + NEXT_PIN,
        BASE[M] + NEXT_PIN,
    ),
    "missing-owner": edit(G, "owner: support-team\n", ""),
    "forbidden-pattern": edit(
        G,
        "Say hello to {{ name }}.",
        "Say hello to {{ name }}. key=sk-proj-abcdefghijklmnopqrstuv0123",
    ),
    "template-too-large": edit(
        R, "  require_owner: true\n", "  require_owner: true\n  max_template_chars: 20\n"
    ),
    "eval-coverage": edit(R, "min_cases: 1", "min_cases: 2"),
    "invalid-pattern": edit(
        R,
        "  require_owner: true\n",
        "  require_owner: true\n  forbidden_patterns:\n    - pattern: '(internal'\n",
    ),
    "bad-key": Example(S, TRUST.replace(_signer("bob"), _signer("bob", keyid="0" * 64)), TRUST),
    "duplicate-keyid": Example(
        S, TRUST.replace("roles:", _signer("bobby", key="bob") + "roles:"), TRUST
    ),
    "duplicate-signer": Example(
        S, TRUST.replace("roles:", _signer("alice", key="alice-laptop") + "roles:"), TRUST
    ),
    "single-role": Example(S, "threshold: 1\n" + SIGNERS, TRUST),
    "ambiguous-threshold": Example(S, "threshold: 2\n" + TRUST, TRUST),
    "unknown-signer": Example(S, SIGNERS + _roles("{threshold: 1, signers: [alcie, bob]}"), TRUST),
    "threshold-unreachable": Example(
        S, SIGNERS + _roles("{threshold: 3, signers: [alice, bob]}"), TRUST
    ),
    "threshold-revoked": Example(
        S,
        TRUST.replace(_signer("bob"), _signer("bob", revoked="true")).replace(
            "signers: [alice, bob]", "signers: [bob]"
        ),
        TRUST.replace(_signer("bob"), _signer("bob", revoked="true")),
    ),
    "trust-chain": Example(S, "version: 2\n" + TRUST, TRUST),
}


def run(example: Example, side: str) -> list[Diagnostic]:
    """Validate BASE with ``example``'s ``side`` ("bad" or "good") in a temporary directory."""
    text = example.bad if side == "bad" else example.good
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files: dict[str, Text] = {**BASE, **example.also, example.path: text}
        for rel, content in files.items():
            if content is None:
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode())
        if side == "bad" and example.link is not None:
            link = root / example.path
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(example.link, link)
        limits = example.limits or Limits()
        repo = load_repository(root, cache=False, today=TODAY, limits=limits)
        found = list(repo.diagnostics)
        if repo.ok and (root / "evals" / "recordings").is_dir():
            # What the validate command adds (promptops/cli/commands/validate.py).
            from promptops.evals.prune import stale_recordings

            found += stale_recordings(repo)
        return found


def _excerpt(bad: str, good: str) -> tuple[str, str]:
    """The lines that differ, with two lines of context, on each side."""
    a, b = bad.splitlines(), good.splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b).get_opcodes() if op[0] != "equal"]
    if not ops:
        return bad, good
    i1, i2 = max(ops[0][1] - 2, 0), min(ops[-1][2] + 2, len(a))
    j1, j2 = max(ops[0][3] - 2, 0), min(ops[-1][4] + 2, len(b))
    return "\n".join(a[i1:i2]), "\n".join(b[j1:j2])


def _shown(example: Example) -> tuple[str, str]:
    bad = example.shown_bad
    good = example.shown_good
    if bad is None or good is None:
        if isinstance(example.bad, str) and isinstance(example.good, str):
            auto_bad, auto_good = _excerpt(example.bad, example.good)
        else:
            auto_bad = example.bad if isinstance(example.bad, str) else ""
            auto_good = example.good if isinstance(example.good, str) else ""
        bad = auto_bad if bad is None else bad
        good = auto_good if good is None else good
    return bad.rstrip("\n"), good.rstrip("\n")


def _fence(text: str, lang: str) -> list[str]:
    return [f"```{lang}", text, "```"]


def render() -> str:
    """The whole page."""
    lines = [
        "# Diagnostic codes",
        "",
        "<!-- Generated by scripts/gen_diagnostics.py from promptops/repo/codes.py; a test keeps",
        "it fresh. Edit the script's examples, not this page. -->",
        "",
        "Every finding of `promptops validate` reads `path:line:col: level: message [code]`.",
        "Below is every code, what it means, a file that triggers it (with what validate prints",
        "for it) and the same file fixed. The examples start from this small repository:",
        "",
    ]
    for path, text in BASE.items():
        lines += [f"`{path}`", "", *_fence(text.rstrip("\n"), "yaml"), ""]
    lines += ["| code | level | meaning |", "|---|---|---|"]
    for code, info in CODES.items():
        policy = (
            " (policy: reported, but `render` and `eval --prompt` still run)" if info.policy else ""
        )
        lines.append(f"| [`{code}`](#{code}) | {info.level} | {info.meaning}{policy} |")
    for code, info in CODES.items():
        example = EXAMPLES[code]
        bad, good = _shown(example)
        found = [str(d) for d in run(example, "bad") if d.code == code]
        lines += [
            "",
            f"## {code}",
            "",
            f"{info.level}: {info.meaning}.",
            "",
            f"Bad (`{example.path}`):",
            "",
            *_fence(bad, "yaml"),
            "",
            *_fence("$ promptops validate\n" + "\n".join(found), "console"),
            "",
            "Good:",
            "",
            *_fence(good, "yaml"),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale; run python scripts/gen_diagnostics.py", file=sys.stderr)
            return 1
        return 0
    atomic_write_text(args.out, text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

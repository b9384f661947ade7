"""Every diagnostic code ``promptops validate`` reports, with its level and meaning.

The one list of codes: ``docs/readme/diagnostics.md`` is generated from it (with a bad and
a good example of each, run through validate by a test), and the test suite checks that
every diagnostic any repository load produces has a code listed here (``stale-recording``
comes from the validate command, which also looks at the eval recordings).

``policy`` codes come from the repository's own rules and lifecycle data (rules.yaml,
model pin dates) rather than from a file being unusable: ``render PROMPT`` and ``eval
--prompt X`` report them but still run, and documents with only such errors stay in the
loaded repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.repo.types import Level

__all__ = ["CODES", "POLICY_CODES", "Code"]


@dataclass(frozen=True)
class Code:
    level: Level
    meaning: str
    policy: bool = False


CODES: dict[str, Code] = {
    # Before anything else
    "min-version": Code("error", "the file or repository needs a newer promptops"),
    # Reading the file
    "yaml-syntax": Code("error", "the file is not valid YAML"),
    "yaml-tab": Code("error", "a tab is used for indentation; YAML indents with spaces"),
    "duplicate-key": Code("error", "a key appears twice in one mapping"),
    "encoding": Code("error", "the file is not UTF-8"),
    "not-text": Code("error", "the file is binary"),
    "too-large": Code("error", "the file exceeds the size limit"),
    "too-many-files": Code("error", "the repository exceeds the file count limit"),
    "too-deep": Code("error", "the document nests too deeply"),
    "too-many-aliases": Code("error", "YAML aliases expand too far (a 'billion laughs')"),
    "unknown-file": Code("warning", "a file where sources go that promptops ignores"),
    "unsupported-file": Code("warning", "a symbolic link where sources go"),
    "duplicate-id": Code("error", "the same document as .yaml and .yml"),
    "invalid-id": Code("error", "the file name is not a valid prompt id"),
    "unknown-kind": Code("error", "kind: is not prompt, instruction or partial"),
    # The schema of each file kind
    "schema": Code("error", "a wrong type, a missing key or a bad value"),
    "unknown-key": Code("error", "a key the file kind does not have"),
    "tool-parameters": Code("error", "tool arguments are not an object schema with properties"),
    "strict-output": Code(
        "warning", "the output schema does not meet OpenAI strict structured outputs"
    ),
    "not-json": Code("error", "a value YAML reads as something JSON has no type for"),
    "message-input": Code("error", "an input holding history, an image or a file is ill-typed"),
    "content-part": Code("error", "an image or file part in a message the user does not send"),
    # References
    "unknown-model": Code("error", "a prompt names no model pin"),
    "unknown-instruction": Code("error", "system: names no instruction"),
    "unknown-partial": Code("error", "an include names no partial"),
    "unknown-tool": Code("error", "a tool no prompt may call, or tool_called of an unlisted tool"),
    "unknown-prompt": Code("error", "an eval set or an experiment targets no prompt"),
    # Templates
    "template-syntax": Code("error", "a template does not parse"),
    "unsafe-template": Code("error", "a template uses what the sandbox refuses"),
    "undeclared-variable": Code("error", "a template uses a variable that is not an input"),
    "unused-input": Code("warning", "a declared input no template uses"),
    "single-brace": Code("warning", "{name} where Jinja needs {{ name }}"),
    # Variants and experiments
    "variant-name": Code("error", "a variant name is reserved ('base') or malformed"),
    "unknown-variant": Code("error", "an experiment arm serves a variant the prompt lacks"),
    "duplicate-experiment": Code("error", "a prompt is under two experiments"),
    # Eval sets
    "unknown-input": Code("error", "an eval case sets an input the prompt does not declare"),
    "missing-input": Code("error", "an eval case leaves a required input unset"),
    "invalid-input": Code("error", "an eval case's input value fails the input's schema"),
    "unknown-assertion": Code("error", "an assertion type that does not exist"),
    "assertion-argument": Code("error", "an assertion's argument is malformed"),
    "stale-recording": Code("warning", "a replay recording no eval case sends any more"),
    # Model pins
    "fallback-cycle": Code("error", "a pin's fallbacks lead back to it"),
    "fallback-chain": Code("error", "a pin's fallback chain is longer than 3 pins"),
    "floating-model": Code("error", "a pin names a floating alias, not a snapshot", True),
    "retired-model": Code("error", "a prompt uses a pin whose model is retired", True),
    "deprecated-model": Code("warning", "a prompt uses a deprecated pin", True),
    # Rules (policies/rules.yaml)
    "missing-owner": Code("error", "owner: is missing (rules.require_owner)", True),
    "forbidden-pattern": Code("error", "a forbidden pattern, or a credential, matches", True),
    "template-too-large": Code("error", "a template exceeds rules.max_template_chars", True),
    "eval-coverage": Code("error", "a tagged prompt has too few eval cases", True),
    "invalid-pattern": Code("error", "a forbidden pattern is not a valid regular expression"),
    # The trust policy (policies/signers.yaml, policies/trust/N.json)
    "bad-key": Code("error", "a public key is not Ed25519, or its keyid does not match it"),
    "duplicate-keyid": Code("error", "one key listed under two signers"),
    "duplicate-signer": Code("error", "two signers with one name"),
    "single-role": Code("warning", "one set of signers holds the root, release and channel roles"),
    "ambiguous-threshold": Code("error", "a top-level threshold: next to roles:"),
    "unknown-signer": Code("error", "a role names a signer signers: does not list"),
    "threshold-unreachable": Code("error", "a role needs more signatures than it has signers"),
    "threshold-revoked": Code("warning", "a role needs more signatures than its unrevoked signers"),
    "trust-chain": Code(
        "error", "the trust versions do not verify in order, or signers.yaml is not the newest"
    ),
}

POLICY_CODES = frozenset(code for code, info in CODES.items() if info.policy)

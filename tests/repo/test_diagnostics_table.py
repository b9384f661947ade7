# ruff: noqa: E501  (exact messages are asserted verbatim)
"""One broken thing per case, starting from MINIMAL_REPO: the exact diagnostics it yields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.repo import load_repository
from promptops.repo.signercheck import SINGLE_ROLE_HINT
from tests.helpers import MINIMAL_REPO

G = "prompts/greet.yaml"
E = "evals/greet.yaml"
M = "models.yaml"
R = "policies/rules.yaml"
TODAY = dt.date(2026, 6, 1)
Expected = tuple[str, int, int, str, str, str]


# Two real Ed25519 public keys and their key ids (sha256 of the raw 32 bytes).
_KEYS = {
    "alice": "RRVP6Bw5cfAs3Gl0U+/3ZfPE+M5e1HlLxG3/bSdp3qU=",
    "ci": "Kd0B7qU9uxBD6I7Q3u0lpfMSN+WwQRHN5e7q4y+h5gI=",
}


def _entry(name: str, key: str | None = None, keyid: str | None = None) -> str:
    import base64
    import hashlib

    public = _KEYS[key or name]
    digest = keyid or hashlib.sha256(base64.b64decode(public)).hexdigest()
    return f'  - name: {name}\n    keyid: "{digest}"\n    public_key: "{public}"\n'


def _roles(release: str = "[alice]", threshold: int = 1) -> str:
    return (
        "roles:\n  root: {threshold: 1, signers: [alice]}\n"
        f"  release: {{threshold: {threshold}, signers: {release}}}\n"
        "  channel: {threshold: 1, signers: [ci]}\n"
    )


def sub(path: str, old: str, new: str) -> dict[str, str | bytes]:
    """MINIMAL_REPO's ``path`` with one replacement."""
    text = MINIMAL_REPO[path]
    assert old in text, (path, old)
    return {path: text.replace(old, new, 1)}


CASES = [
    pytest.param(
        {G: "kind: prompt\nmodel: [default\n"},
        [
            (
                "prompts/greet.yaml",
                3,
                1,
                "error",
                "yaml-syntax",
                "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)",
            )
        ],
        id="yaml-syntax",
    ),
    pytest.param(
        sub(G, "owner: team-a\n", "owner: team-a\nmodel: other\n"),
        [
            (
                "prompts/greet.yaml",
                5,
                1,
                "error",
                "duplicate-key",
                "duplicate key 'model' (first defined at line 4); remove one of them",
            )
        ],
        id="duplicate-key",
    ),
    pytest.param(
        sub(G, "model: default\n", ""),
        [("prompts/greet.yaml", 1, 1, "error", "schema", "missing required key 'model'")],
        id="missing-key",
    ),
    pytest.param(
        sub(G, "tags: [production]", "tags: production"),
        [
            (
                "prompts/greet.yaml",
                14,
                7,
                "error",
                "schema",
                "tags: input should be a valid list; found 'production'",
            )
        ],
        id="wrong-type",
    ),
    pytest.param(
        sub(G, "role: user", "role: bot"),
        [
            (
                "prompts/greet.yaml",
                10,
                11,
                "error",
                "schema",
                "messages[0].role: input should be 'system', 'user' or 'assistant'; found 'bot'",
            )
        ],
        id="bad-literal",
    ),
    pytest.param(
        sub(G, "description:", "descripton:"),
        [
            (
                "prompts/greet.yaml",
                2,
                1,
                "error",
                "unknown-key",
                "unknown key 'descripton'; did you mean 'description'?",
            )
        ],
        id="unknown-key",
    ),
    pytest.param(
        sub(G, "kind: prompt", "kind: promt"),
        [
            (
                "prompts/greet.yaml",
                1,
                7,
                "error",
                "unknown-kind",
                "unknown kind 'promt'; expected one of: instruction, partial, prompt; did you mean 'prompt'?",
            )
        ],
        id="unknown-kind",
    ),
    pytest.param(
        sub(G, "kind: prompt\n", ""),
        [
            (
                "prompts/greet.yaml",
                1,
                1,
                "error",
                "schema",
                "missing required key 'kind'; expected one of: instruction, partial, prompt",
            )
        ],
        id="missing-kind",
    ),
    pytest.param(
        {G: "- kind: prompt\n"},
        [
            (
                "prompts/greet.yaml",
                1,
                1,
                "error",
                "schema",
                "expected a mapping at the top of the file; found a list",
            )
        ],
        id="top-level-list",
    ),
    pytest.param(
        {G: ""},
        [
            (
                "prompts/greet.yaml",
                1,
                1,
                "error",
                "schema",
                "expected a mapping at the top of the file; found an empty document",
            )
        ],
        id="empty-file",
    ),
    pytest.param(
        sub(G, "model: default", "model: defualt"),
        [
            (
                "prompts/greet.yaml",
                4,
                8,
                "error",
                "unknown-model",
                "unknown model 'defualt'; did you mean 'default'?",
            )
        ],
        id="unknown-model",
    ),
    pytest.param(
        sub(G, "system: [instructions/tone]", "system: [instructions/tonee]"),
        [
            (
                "prompts/greet.yaml",
                6,
                10,
                "error",
                "unknown-instruction",
                "unknown instruction 'instructions/tonee'; did you mean 'instructions/tone'?",
            )
        ],
        id="unknown-instruction",
    ),
    pytest.param(
        sub(G, "system: [instructions/tone]", "system: [partials/footer]"),
        [
            (
                "prompts/greet.yaml",
                6,
                10,
                "error",
                "unknown-instruction",
                "'partials/footer' is a partial, not an instruction",
            )
        ],
        id="instruction-is-partial",
    ),
    pytest.param(
        sub(
            G,
            "Say hello to {{ name }}.",
            'Say hello to {{ name }}.\n      {% include "partials/foter" %}',
        ),
        [
            (
                "prompts/greet.yaml",
                13,
                7,
                "error",
                "unknown-partial",
                "unknown partial 'partials/foter'; did you mean 'partials/footer'?",
            )
        ],
        id="unknown-partial",
    ),
    pytest.param(
        sub(G, "tools: [lookup]", "tools: [lookpu]"),
        [
            (
                "prompts/greet.yaml",
                13,
                9,
                "error",
                "unknown-tool",
                "unknown tool 'lookpu'; did you mean 'lookup'?",
            )
        ],
        id="unknown-tool",
    ),
    pytest.param(
        sub(E, "prompt: greet", "prompt: gret"),
        [
            (
                "evals/greet.yaml",
                1,
                9,
                "error",
                "unknown-prompt",
                "unknown prompt 'gret'; did you mean 'greet'?",
            )
        ],
        id="unknown-prompt",
    ),
    pytest.param(
        sub(E, "- contains: Ada", "- contain: Ada"),
        [
            (
                "evals/greet.yaml",
                6,
                9,
                "error",
                "unknown-assertion",
                "unknown assertion type 'contain'; did you mean 'contains'?",
            )
        ],
        id="unknown-assertion",
    ),
    pytest.param(
        sub(E, "- contains: Ada", "- Ada"),
        [
            (
                "evals/greet.yaml",
                6,
                9,
                "error",
                "schema",
                "cases[0].assert[0]: input should be a valid dictionary; found 'Ada'",
            )
        ],
        id="assertion-not-mapping",
    ),
    pytest.param(
        sub(E, "inputs: {name: Ada}", "inputs: {name: Ada, nmae: Ada}"),
        [
            (
                "evals/greet.yaml",
                4,
                25,
                "error",
                "unknown-input",
                "input 'nmae' is not declared by prompt 'greet'; did you mean 'name'?",
            )
        ],
        id="unknown-input",
    ),
    pytest.param(
        sub(E, "inputs: {name: Ada}", "inputs: {}"),
        [
            (
                "evals/greet.yaml",
                3,
                5,
                "error",
                "missing-input",
                "required input 'name' of prompt 'greet' is not set; add it under 'inputs'",
            )
        ],
        id="missing-input",
    ),
    pytest.param(
        sub(G, "Say hello to {{ name }}.", "Say hello to {{ name }}.\n      {% if name %}"),
        [
            (
                "prompts/greet.yaml",
                13,
                7,
                "error",
                "template-syntax",
                "template syntax error: Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
            )
        ],
        id="template-syntax",
    ),
    pytest.param(
        sub(G, "Say hello to {{ name }}.", "Say hello to {{ nme }} ({{ name }})."),
        [
            (
                "prompts/greet.yaml",
                12,
                23,  # the undeclared variable, not the line's first
                "error",
                "undeclared-variable",
                "variable 'nme' is not a declared input; declare it under 'inputs'; did you mean 'name'?",
            )
        ],
        id="undeclared-variable",
    ),
    pytest.param(
        # Two on one line, one of them after a tag that only mentions it as an attribute.
        sub(
            G,
            "Say hello to {{ name }}.",
            "Say {{ name.order }} {{ order }} {% if plan %}.{% endif %}",
        ),
        [
            (
                "prompts/greet.yaml",
                12,
                31,
                "error",
                "undeclared-variable",
                "variable 'order' is not a declared input; declare it under 'inputs'",
            ),
            (
                "prompts/greet.yaml",
                12,
                46,
                "error",
                "undeclared-variable",
                "variable 'plan' is not a declared input; declare it under 'inputs'",
            ),
        ],
        id="undeclared-variables-on-one-line",
    ),
    pytest.param(
        sub(
            G,
            "Say hello to {{ name }}.",
            'Say hello to {{ name }}.\n      {% include "partials/footer" %}',
        )
        | sub("prompts/partials/footer.yaml", "Thanks, {{ name }}.", "Thanks from {{ team }}."),
        [
            (
                "prompts/greet.yaml",
                13,
                7,
                "error",
                "undeclared-variable",
                "variable 'team' (used by partial 'partials/footer') is not a declared input; declare it under 'inputs'",
            )
        ],
        id="partial-variable",
    ),
    pytest.param(
        sub(
            G,
            "  name: {type: string, maxLength: 100}\n",
            "  name: {type: string, maxLength: 100}\n  extra: {type: string, default: x}\n",
        ),
        [
            (
                "prompts/greet.yaml",
                9,
                3,
                "warning",
                "unused-input",
                "input 'extra' is declared but no template uses it; remove it or use it",
            )
        ],
        id="unused-input",
    ),
    pytest.param(
        sub(G, "{{ name }}", "{{ name.__class__ }}"),
        [
            (
                "prompts/greet.yaml",
                12,
                7,
                "error",
                "unsafe-template",
                "access to '__class__' is refused by the sandbox; names starting with '_' are private",
            )
        ],
        id="unsafe-dunder",
    ),
    pytest.param(
        sub(G, "{{ name }}", "{{ '{}'.format(name) }}"),
        [
            (
                "prompts/greet.yaml",
                12,
                7,
                "error",
                "unsafe-template",
                "calling '.format' is refused by the sandbox; use the 'format' filter instead",
            )
        ],
        id="unsafe-format",
    ),
    pytest.param(
        sub(G, "{{ name }}", "{{ name.mro }}"),
        [
            (
                "prompts/greet.yaml",
                12,
                7,
                "error",
                "unsafe-template",
                "attribute '.mro' is refused by the sandbox",
            )
        ],
        id="unsafe-mro",
    ),
    pytest.param(
        sub(M, "model: echo-2024-01-01", "model: gpt-4o"),
        [
            (
                "models.yaml",
                4,
                12,
                "error",
                "floating-model",
                "model 'gpt-4o' of pin 'default' is a floating alias; pin a dated snapshot such as 'gpt-4o-YYYY-MM-DD' (rules.require_dated_model)",
            )
        ],
        id="floating-model",
    ),
    pytest.param(
        sub(M, "model: echo-2024-01-01", "model: claude-3-5-sonnet-latest"),
        [
            (
                "models.yaml",
                4,
                12,
                "error",
                "floating-model",
                "model 'claude-3-5-sonnet-latest' of pin 'default' is a floating alias; pin a dated snapshot such as 'claude-3-5-sonnet-YYYY-MM-DD' (rules.require_dated_model)",
            )
        ],
        id="floating-latest",
    ),
    pytest.param(
        {
            **sub(M, "model: echo-2024-01-01", "model: gpt-4o"),
            "policies/rules.yaml": "rules:\n  require_dated_model: false\n",
        },
        [
            (
                "models.yaml",
                4,
                12,
                "warning",
                "floating-model",
                "model 'gpt-4o' of pin 'default' is a floating alias; pin a dated snapshot such as 'gpt-4o-YYYY-MM-DD' (rules.require_dated_model is off)",
            )
        ],
        id="floating-model-allowed",
    ),
    pytest.param(
        sub(M, "    pricing:", "    lifecycle: {retires: 2026-01-01}\n    pricing:"),
        [
            (
                "prompts/greet.yaml",
                4,
                8,
                "error",
                "retired-model",
                "model 'default' (echo-2024-01-01) retired on 2026-01-01; pin a current model",
            )
        ],
        id="retired-model",
    ),
    pytest.param(
        {
            M: MINIMAL_REPO[M].replace(
                "    pricing:",
                "    lifecycle: {deprecated: 2026-05-01, retires: 2027-01-01, replacement: next}\n    pricing:",
            )
            + "  next:\n    provider: echo\n    model: echo-2025-01-01\n"
        },
        [
            (
                "prompts/greet.yaml",
                4,
                8,
                "warning",
                "deprecated-model",
                "model 'default' (echo-2024-01-01) is deprecated since 2026-05-01 and retires on 2027-01-01; switch to 'next'",
            )
        ],
        id="deprecated-model",
    ),
    pytest.param(
        sub(M, "    pricing:", "    lifecycle: {replacement: defualt}\n    pricing:"),
        [
            (
                "models.yaml",
                6,
                30,
                "error",
                "unknown-model",
                "unknown model 'defualt' as replacement of 'default'; did you mean 'default'?",
            )
        ],
        id="unknown-replacement",
    ),
    pytest.param(
        sub(G, "owner: team-a\n", ""),
        [
            (
                "prompts/greet.yaml",
                1,
                1,
                "error",
                "missing-owner",
                "missing 'owner' (rules.require_owner is true); add 'owner: <team>' to this prompt",
            )
        ],
        id="missing-owner",
    ),
    pytest.param(
        sub(
            G,
            "Say hello to {{ name }}.",
            "Say hello to {{ name }}. key=sk-proj-abcdefghijklmnopqrstuvwxyz0123",
        ),
        [
            (
                "prompts/greet.yaml",
                12,
                36,
                "error",
                "forbidden-pattern",
                "looks like an OpenAI API key; remove it from the prompt and rotate the key",
            )
        ],
        id="openai-key",
    ),
    pytest.param(
        sub(
            "prompts/instructions/tone.yaml",
            "text: Be brief and kind.",
            "text: Be brief. sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
        ),
        [
            (
                "prompts/instructions/tone.yaml",
                4,
                17,
                "error",
                "forbidden-pattern",
                "looks like an Anthropic API key; remove it from the prompt and rotate the key",
            )
        ],
        id="anthropic-key",
    ),
    pytest.param(
        sub(G, "Say hello to {{ name }}.", "Say hello to {{ name }}. AKIAIOSFODNN7EXAMPLE"),
        [
            (
                "prompts/greet.yaml",
                12,
                32,
                "error",
                "forbidden-pattern",
                "looks like an AWS access key id; remove it from the prompt and rotate the key",
            )
        ],
        id="aws-key",
    ),
    pytest.param(
        sub(G, "Say hello to {{ name }}.", "Say hello to {{ name }}. ghp_" + "a" * 36),
        [
            (
                "prompts/greet.yaml",
                12,
                32,
                "error",
                "forbidden-pattern",
                "looks like a GitHub token; remove it from the prompt and rotate the key",
            )
        ],
        id="github-token",
    ),
    pytest.param(
        sub(
            "prompts/partials/footer.yaml",
            'template: "Thanks, {{ name }}."',
            "template: |\n  -----BEGIN RSA PRIVATE KEY-----",
        ),
        [
            (
                "prompts/partials/footer.yaml",
                5,
                3,
                "error",
                "forbidden-pattern",
                "looks like a PEM private key; remove it from the prompt and rotate the key",
            )
        ],
        id="pem-key",
    ),
    pytest.param(
        sub(
            R,
            "  require_owner: true\n",
            "  require_owner: true\n  forbidden_patterns:\n    - {pattern: '(?i)internal only', message: internal marker}\n",
        )
        | sub(G, "Say hello to {{ name }}.", "Say hello to {{ name }}. INTERNAL ONLY"),
        [
            (
                "prompts/greet.yaml",
                12,
                32,
                "error",
                "forbidden-pattern",
                "internal marker (matches forbidden pattern '(?i)internal only')",
            )
        ],
        id="user-pattern",
    ),
    pytest.param(
        sub(
            R,
            "  require_owner: true\n",
            "  require_owner: true\n  forbidden_patterns:\n    - {pattern: '(unclosed'}\n",
        ),
        [
            (
                "policies/rules.yaml",
                4,
                17,
                "error",
                "invalid-pattern",
                "forbidden pattern is not a valid regular expression: missing ), unterminated subpattern at position 0",
            )
        ],
        id="invalid-pattern",
    ),
    pytest.param(
        sub(R, "  require_owner: true\n", "  require_owner: true\n  max_template_chars: 10\n"),
        [
            (
                "prompts/greet.yaml",
                12,
                7,
                "error",
                "template-too-large",
                "template is 25 characters; rules.max_template_chars is 10",
            ),
            (
                "prompts/partials/footer.yaml",
                4,
                12,
                "error",
                "template-too-large",
                "template is 19 characters; rules.max_template_chars is 10",
            ),
        ],
        id="template-too-large",
    ),
    pytest.param(
        sub(
            R,
            "  require_owner: true\n",
            "  require_owner: true\n  eval_coverage: {tags: [production], min_cases: 2}\n",
        ),
        [
            (
                "prompts/greet.yaml",
                14,
                1,
                "error",
                "eval-coverage",
                "prompt 'greet' is tagged 'production' and needs at least 2 eval case(s) (rules.eval_coverage); found 1",
            )
        ],
        id="eval-coverage",
    ),
    pytest.param(
        {M: 'minimum_promptops_version: "99.1"\n' + MINIMAL_REPO[M] + "  broken: {}\n"},
        [
            (
                "models.yaml",
                1,
                28,
                "error",
                "min-version",
                "this repository needs promptops >= 99.1 (minimum_promptops_version); this is promptops 0.1.0; upgrade promptops",
            )
        ],
        id="min-version",
    ),
    pytest.param(
        {M: "minimum_promptops_version: soon\n" + MINIMAL_REPO[M]},
        [
            (
                "models.yaml",
                1,
                28,
                "error",
                "min-version",
                "minimum_promptops_version: expected a version such as '0.1.0'; found 'soon'",
            )
        ],
        id="bad-min-version",
    ),
    pytest.param(
        {"prompts/Greet Me.yaml": MINIMAL_REPO["prompts/partials/footer.yaml"]},
        [
            (
                "prompts/Greet Me.yaml",
                1,
                1,
                "error",
                "invalid-id",
                "id 'Greet Me' does not match ^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$; rename the file with lower-case letters, digits, '_', '.' or '-'",
            )
        ],
        id="invalid-id",
    ),
    pytest.param(
        {G: "kind: prompt\nx: " + "[" * 70 + "]" * 70 + "\n"},
        [
            (
                "prompts/greet.yaml",
                2,
                67,
                "error",
                "too-deep",
                "nesting deeper than 64 levels; flatten the document",
            )
        ],
        id="too-deep",
    ),
    pytest.param(
        {
            G: "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                for p, c in zip("abcdef", "bcdefg", strict=True)
            )
        },
        [
            (
                "prompts/greet.yaml",
                5,
                4,
                "error",
                "too-many-aliases",
                "document expands to more than 100000 nodes through aliases (a 'billion laughs' document?); it was not expanded",
            )
        ],
        id="billion-laughs",
    ),
    pytest.param(
        {G: "a: &a [*a]\n"},
        [
            (
                "prompts/greet.yaml",
                1,
                4,
                "error",
                "too-many-aliases",
                "recursive alias: a node contains itself",
            )
        ],
        id="recursive-alias",
    ),
    pytest.param(
        {G: b"kind: prompt\ndescription: caf\xe9\n"},
        [
            (
                "prompts/greet.yaml",
                2,
                17,
                "error",
                "encoding",
                "invalid UTF-8 byte 0xe9; save the file as UTF-8",
            )
        ],
        id="bad-utf8",
    ),
    pytest.param(
        {G: b"\x00\x01\x02garbage"},
        [
            (
                "prompts/greet.yaml",
                1,
                1,
                "error",
                "not-text",
                "binary file (contains NUL bytes); expected UTF-8 YAML text",
            )
        ],
        id="binary",
    ),
    pytest.param(
        {"prompts/notes.txt": "hello"},
        [
            (
                "prompts/notes.txt",
                1,
                1,
                "warning",
                "unknown-file",
                "ignored: files under prompts/ must end in '.yaml' or '.yml'",
            )
        ],
        id="unknown-file",
    ),
    pytest.param(
        {
            "prompts/summarize.prompt.yml": "name: Summarize\nmodel: openai/gpt-4o\nmessages:\n  - role: user\n    content: '{{text}}'\n",
            "prompts/chat.prompty": "---\nname: chat\n---\nuser:\n{{question}}\n",
            "prompts/story.prompt": "---\nmodel: googleai/gemini-2.5-flash\n---\nTell a story.\n",
        },
        [
            (
                "prompts/chat.prompty",
                1,
                1,
                "warning",
                "unknown-file",
                "ignored: a Prompty file, not a promptops document; bring it in with `promptops import prompty FILE` and keep the source outside prompts/",
            ),
            (
                "prompts/story.prompt",
                1,
                1,
                "warning",
                "unknown-file",
                "ignored: a Dotprompt file, not a promptops document; bring it in with `promptops import dotprompt FILE` and keep the source outside prompts/",
            ),
            (
                "prompts/summarize.prompt.yml",
                1,
                1,
                "warning",
                "unknown-file",
                "ignored: a GitHub Models prompt file, not a promptops document; bring it in with `promptops import github-models FILE` and keep the source outside prompts/",
            ),
        ],
        id="unknown-file-other-tools",
    ),
    pytest.param(
        {"prompts/summarize.prompt.yml": "kind: prompt\nmodel: default\n"},
        [
            (
                "prompts/summarize.prompt.yml",
                1,
                1,
                "error",
                "schema",
                "missing required key 'messages'",
            ),
        ],
        id="prompt-yml-named-promptops-document",
    ),
    pytest.param(
        {"policies/extra.yaml": "a: 1\n"},
        [
            (
                "policies/extra.yaml",
                1,
                1,
                "warning",
                "unknown-file",
                "ignored: policies/ holds tools.yaml, rules.yaml, signers.yaml and trust/<N>.json",
            )
        ],
        id="unknown-policy",
    ),
    pytest.param(
        sub("policies/tools.yaml", "risk: low", "risk: extreme"),
        [
            (
                "policies/tools.yaml",
                4,
                11,
                "error",
                "schema",
                "tools.lookup.risk: input should be 'low', 'medium' or 'high'; found 'extreme'",
            )
        ],
        id="schema-tool-risk",
    ),
    pytest.param(
        {E: "prompt: greet\ncases: []\n"},
        [
            (
                "evals/greet.yaml",
                2,
                8,
                "error",
                "schema",
                "cases: list should have at least 1 item after validation, not 0; found a list",
            )
        ],
        id="eval-no-cases",
    ),
    pytest.param(
        {
            "policies/signers.yaml": "threshold: 1\nsigners:\n  - name: ci\n    keyid: nothex\n    public_key: AAAA\n"
        },
        [
            (
                "policies/signers.yaml",
                4,
                12,
                "error",
                "schema",
                "signers[0].keyid: string should match pattern '^[0-9a-f]{64}$'; found 'nothex'",
            )
        ],
        id="signer-bad-keyid",
    ),
    pytest.param(
        {"policies/signers.yaml": "threshold: 1\nsigners:\n" + _entry("alice")},
        [("policies/signers.yaml", 1, 12, "warning", "single-role", SINGLE_ROLE_HINT)],
        id="signers-single-role",
    ),
    pytest.param(
        {
            "policies/signers.yaml": "signers:\n"
            + _entry("alice")
            + _entry("ci")
            + _entry("again", key="alice")
            + _roles()
        },
        [
            (
                "policies/signers.yaml",
                9,
                12,
                "error",
                "duplicate-keyid",
                "key 41c9ff8f7623 is listed twice (signers 'alice' and 'again'); list each key once, or a second entry could undo a revocation",
            )
        ],
        id="signers-duplicate-key",
    ),
    pytest.param(
        {
            "policies/signers.yaml": "signers:\n"
            + _entry("alice")
            + _entry("ci")
            + _roles("[alcie]")
        },
        [
            (
                "policies/signers.yaml",
                10,
                37,
                "error",
                "unknown-signer",
                "role 'release' names 'alcie', which signers: does not list; did you mean 'alice'?",
            )
        ],
        id="signers-unknown-in-role",
    ),
    pytest.param(
        {
            "policies/signers.yaml": "signers:\n"
            + _entry("alice")
            + _entry("ci")
            + _roles(threshold=2)
        },
        [
            (
                "policies/signers.yaml",
                10,
                24,
                "error",
                "threshold-unreachable",
                "role 'release' needs 2 signatures but lists 1 signer(s); it could never sign: "
                "name more of signers: (ci) in roles.release.signers, or lower its threshold "
                "to 1",
            )
        ],
        id="signers-threshold-unreachable",
    ),
    pytest.param(
        # A fresh keygen's entry pasted under signers: and named in no role yet.
        {
            "policies/signers.yaml": "signers:\n"
            + _entry("alice")
            + "roles:\n  root: {threshold: 1, signers: [alice]}\n"
            "  release: {threshold: 1, signers: [alice]}\n"
            "  channel: {threshold: 1, signers: []}\n"
        },
        [
            (
                "policies/signers.yaml",
                8,
                24,
                "error",
                "threshold-unreachable",
                "role 'channel' needs 1 signatures but lists 0 signer(s); it could never sign: "
                "name one of signers: (alice) in roles.channel.signers",
            )
        ],
        id="signers-threshold-unreachable-no-member",
    ),
    pytest.param(
        {
            "policies/signers.yaml": "signers:\n"
            + _entry("alice", keyid="0" * 64)
            + _entry("ci")
            + _roles()
        },
        [
            (
                "policies/signers.yaml",
                3,
                12,
                "error",
                "bad-key",
                "signer 'alice': keyid does not match its public key, which hashes to 41c9ff8f762349afaf0765e9e65c9f6cb8ea34bd3bb675cf051f65716d468e62",
            )
        ],
        id="signers-keyid-mismatch",
    ),
    pytest.param(
        sub(G, "name: {type: string, maxLength: 100}", "name: {type: strng, maxLength: 100}"),
        [
            (
                "prompts/greet.yaml",
                8,
                16,
                "error",
                "schema",
                "inputs.name.type: unknown JSON Schema type 'strng'; expected one of: array, boolean, integer, null, number, object, string; did you mean 'string'?",
            )
        ],
        id="input-type-typo",
    ),
    pytest.param(
        sub(
            G,
            "  name: {type: string, maxLength: 100}\n",
            "  name: {type: string, maxLength: 100}\n  first-name: {type: string, default: x}\n",
        ),
        [
            (
                "prompts/greet.yaml",
                9,
                3,
                "error",
                "schema",
                "input name 'first-name' cannot be used as a template variable; use letters, digits and '_', starting with a letter",
            ),
            (
                "prompts/greet.yaml",
                9,
                3,
                "warning",
                "unused-input",
                "input 'first-name' is declared but no template uses it; remove it or use it",
            ),
        ],
        id="input-name",
    ),
    pytest.param(
        sub(
            "policies/tools.yaml",
            "properties: {user: {type: string}}",
            "properties: {user: {type: text}}",
        ),
        [
            (
                "policies/tools.yaml",
                7,
                33,
                "error",
                "schema",
                "tools.lookup.parameters.properties.user.type: unknown JSON Schema type 'text'; expected one of: array, boolean, integer, null, number, object, string",
            )
        ],
        id="tool-param-type",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_diagnostic(
    tmp_path: Path, changes: dict[str, str | bytes], expected: list[Expected]
) -> None:
    for rel, text in {**MINIMAL_REPO, **changes}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    repo = load_repository(tmp_path, today=TODAY)
    found = [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]
    assert found == expected


def test_case_count() -> None:
    assert len(CASES) >= 30

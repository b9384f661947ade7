"""Random YAML and garbage bytes never raise: they always become a diagnostic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptops.repo import load_repository
from promptops.repo.config import Limits
from promptops.repo.context import CheckContext
from promptops.repo.filecheck import check_file
from promptops.repo.patterns import PatternSet
from tests.helpers import MINIMAL_REPO, write_files

CTX = CheckContext(Limits(), PatternSet(True, []), require_owner=True, max_template_chars=50)
PATHS = [
    "prompts/greet.yaml",
    "evals/greet.yaml",
    "models.yaml",
    "policies/tools.yaml",
    "policies/rules.yaml",
    "policies/signers.yaml",
]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.floats(allow_nan=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
yaml_text = values.map(lambda v: yaml.safe_dump(v).encode())
# Prompt-shaped documents with random values in the known keys reach deeper checks.
prompt_like = st.fixed_dictionaries(
    {"kind": st.sampled_from(["prompt", "partial", "instruction", "promt"])},
    optional={
        k: values
        for k in (
            "model",
            "messages",
            "inputs",
            "system",
            "tools",
            "template",
            "text",
            "owner",
            "tags",
        )
    },
).map(lambda v: yaml.safe_dump(v).encode())
garbage = st.binary(max_size=200)
templates = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "{%",
            "%}",
            "{#",
            "#}",
            " x ",
            "for",
            "in",
            "if",
            "endif",
            "endfor",
            "include",
            "'p'",
            "|",
            "__class__",
            ".",
            "(",
            ")",
            "\n",
        ]
    ),
    max_size=12,
)
templated = templates.map(
    lambda parts: yaml.safe_dump(
        {
            "kind": "prompt",
            "model": "default",
            "messages": [{"role": "user", "content": "".join(parts)}],
        }
    ).encode()
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PATHS), st.one_of(yaml_text, prompt_like, garbage, templated))
def test_check_file_never_raises(path: str, data: bytes) -> None:
    result = check_file(path, data, CTX)
    for d in result.diagnostics:
        assert d.path == path and d.line >= 1 and d.col >= 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(yaml_text, garbage, templated))
def test_garbage_prompt_is_always_a_diagnostic(tmp_path: Path, data: bytes) -> None:
    root = tmp_path / "repo"
    write_files(root, MINIMAL_REPO)
    (root / "prompts" / "greet.yaml").write_bytes(data)
    repo = load_repository(root, today=dt.date(2026, 6, 1))
    assert any(d.path == "prompts/greet.yaml" for d in repo.diagnostics)

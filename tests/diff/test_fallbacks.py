"""diff reports a pin's new fallback once, with models.yaml, and the prompts it reaches."""

from __future__ import annotations

from pathlib import Path

from promptops.diff.api import diff_refs
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, write_files

SECOND = "  second:\n    provider: echo\n    model: echo-2024-02-01\n"


def test_a_new_fallback_is_a_pin_change_that_reaches_its_prompts(tmp_path: Path) -> None:
    init_repo(tmp_path, {**MINIMAL_REPO, "models.yaml": MINIMAL_REPO["models.yaml"] + SECOND})
    models = MINIMAL_REPO["models.yaml"] + "    fallback: second\n" + SECOND
    write_files(tmp_path, {"models.yaml": models})
    commit_all(tmp_path, "fallback")
    result = diff_refs(tmp_path, "HEAD~1", "HEAD")
    assert [(c.path, c.summary, c.risk, c.affects) for c in result.repository] == [
        ("models.default.fallback", "model pin 'default' fallback: none -> second", "medium",
         ("greet",)),
    ]  # fmt: skip
    (prompt,) = result.prompts
    assert (prompt.status, prompt.changes, prompt.via) == (
        "changed", (), ("models.default.fallback",)
    )  # fmt: skip
    # A change to the fallback pin itself reaches the prompts that fall back to it.
    write_files(tmp_path, {"models.yaml": models + "    params: {max_tokens: 50}\n"})
    commit_all(tmp_path, "fallback params")
    again = diff_refs(tmp_path, "HEAD~1", "HEAD")
    assert [(c.path, c.affects) for c in again.repository] == [
        ("models.second.params.max_tokens", ("greet",))
    ]

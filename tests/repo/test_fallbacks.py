# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Model pin fallbacks at validate (ADR 0018): they exist, end, and stay short."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, write_files

M = "models.yaml"


def _pins(*pins: tuple[str, str | None]) -> dict[str, str]:
    text = "models:\n"
    for name, fallback in pins:
        text += f"  {name}:\n    provider: echo\n    model: echo-2024-01-01\n"
        if fallback is not None:
            text += f"    fallback: {fallback}\n"
    return {M: text}


CASES = [
    pytest.param(
        _pins(("default", "bakup"), ("backup", None)),
        [
            (
                M,
                5,
                15,
                "error",
                "unknown-model",
                "unknown model 'bakup' as fallback of 'default'; did you mean 'backup'?",
            )
        ],
        id="unknown-pin",
    ),
    pytest.param(
        _pins(("default", "default")),
        [
            (
                M,
                5,
                15,
                "error",
                "fallback-cycle",
                "the fallbacks of pin 'default' lead back to it: default -> default; end the chain at a pin without a fallback",
            )
        ],
        id="itself",
    ),
    pytest.param(
        _pins(("default", "a"), ("a", "b"), ("b", "a")),
        [
            (
                M,
                9,
                15,
                "error",
                "fallback-cycle",
                "the fallbacks of pin 'a' lead back to it: a -> b -> a; end the chain at a pin without a fallback",
            ),
            (
                M,
                13,
                15,
                "error",
                "fallback-cycle",
                "the fallbacks of pin 'b' lead back to it: b -> a -> b; end the chain at a pin without a fallback",
            ),
        ],
        id="cycle",
    ),
    pytest.param(
        _pins(("default", "a"), ("a", "b"), ("b", "c"), ("c", "d"), ("d", None)),
        [
            (
                M,
                5,
                15,
                "error",
                "fallback-chain",
                "pin 'default' has 4 fallbacks in a chain (default -> a -> b -> c -> d); at most 3 are allowed: shorten it",
            )
        ],
        id="too-long",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_diagnostic(
    tmp_path: Path, changes: dict[str, str], expected: list[tuple[str, int, int, str, str, str]]
) -> None:
    write_files(tmp_path, {**MINIMAL_REPO, **changes})
    repo = load_repository(tmp_path, today=dt.date(2026, 6, 1))
    found = [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]
    assert found == expected


def test_a_chain_of_three_is_valid_and_followed_in_order(tmp_path: Path) -> None:
    write_files(
        tmp_path, {**MINIMAL_REPO, **_pins(("default", "a"), ("a", "b"), ("b", "c"), ("c", None))}
    )
    repo = load_repository(tmp_path, today=dt.date(2026, 6, 1))
    assert repo.diagnostics == ()
    assert repo.models.fallbacks("default") == ["a", "b", "c"]
    assert repo.models.fallbacks("c") == []

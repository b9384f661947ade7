# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Variants and experiments at validate (ADR 0018): one broken thing per case, starting
from a repository whose prompt has two variants under one experiment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, write_files

G = "prompts/greet.yaml"
X = "experiments/greeting.yaml"
TODAY = dt.date(2026, 6, 1)

VARIANTS = """\
variants:
  short:
    description: One line.
    params: {temperature: 0.7}
    messages:
      - role: user
        content: Hi {{ name }}.
  other-pin:
    model: second
"""
EXPERIMENT = """\
description: Does a shorter greeting do better?
prompt: greet
arms:
  control: {weight: 50, variant: base}
  short: {weight: 25}
  pinned: {weight: 25, variant: other-pin}
metrics: [{name: replied}]
"""
SECOND_PIN = """\
  second:
    provider: echo
    model: echo-2024-02-01
"""
REPO = {
    **MINIMAL_REPO,
    G: MINIMAL_REPO[G] + VARIANTS,
    "models.yaml": MINIMAL_REPO["models.yaml"] + SECOND_PIN,
    X: EXPERIMENT,
}


def sub(path: str, old: str, new: str) -> dict[str, str]:
    text = REPO[path]
    assert old in text, (path, old)
    return {path: text.replace(old, new, 1)}


CASES = [
    pytest.param(
        sub(G, "  short:\n", "  base:\n"),
        [
            (
                X,
                5,
                3,
                "error",
                "unknown-variant",
                "arm 'short' serves variant 'short', which prompt 'greet' does not declare (its variants: 'base', 'other-pin'); declare it under 'variants:' in prompts/greet.yaml, or serve the prompt as written with 'variant: base'",
            ),
            (
                G,
                16,
                3,
                "error",
                "variant-name",
                "variant name 'base' is reserved for the prompt as written (an experiment arm serves it with variant: base); rename this variant",
            ),
        ],
        id="reserved-name",
    ),
    pytest.param(
        sub(G, "  other-pin:\n", "  -bad:\n"),
        [
            (
                X,
                6,
                33,
                "error",
                "unknown-variant",
                "arm 'pinned' serves variant 'other-pin', which prompt 'greet' does not declare (its variants: 'short', '-bad'); declare it under 'variants:' in prompts/greet.yaml, or serve the prompt as written with 'variant: base'",
            ),
            (
                G,
                22,
                3,
                "error",
                "variant-name",
                "variant name '-bad' must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$",
            ),
        ],
        id="malformed-name",
    ),
    pytest.param(
        sub(G, "    params: {temperature: 0.7}\n", "    parms: {temperature: 0.7}\n"),
        [
            (
                G,
                18,
                5,
                "error",
                "unknown-key",
                "unknown key 'parms' in 'variants.short'; did you mean 'params'?",
            )
        ],
        id="unknown-key",
    ),
    pytest.param(
        sub(G, "Hi {{ name }}.", "Hi {{ nam }}."),
        [
            (
                G,
                21,
                24,  # the variable, in the variant's message
                "error",
                "undeclared-variable",
                "variable 'nam' is not a declared input; declare it under 'inputs'; did you mean 'name'?",
            )
        ],
        id="undeclared-variable",
    ),
    pytest.param(
        sub(G, "Hi {{ name }}.", "Hi {% if %}."),
        [
            (
                G,
                21,
                18,
                "error",
                "template-syntax",
                "template syntax error: Expected an expression, got 'end of statement block'",
            )
        ],
        id="template-syntax",
    ),
    pytest.param(
        sub(G, "    model: second\n", "    model: secnd\n"),
        [
            (
                G,
                23,
                12,
                "error",
                "unknown-model",
                "unknown model 'secnd' in variant 'other-pin'; did you mean 'second'?",
            )
        ],
        id="unknown-pin",
    ),
    pytest.param(
        sub(X, "variant: other-pin", "variant: other_pin"),
        [
            (
                X,
                6,
                33,
                "error",
                "unknown-variant",
                "arm 'pinned' serves variant 'other_pin', which prompt 'greet' does not declare (its variants: 'short', 'other-pin'); did you mean 'other-pin'?",
            )
        ],
        id="unknown-variant",
    ),
    pytest.param(
        sub(X, "  control: {weight: 50, variant: base}\n", "  control: {weight: 50}\n"),
        [
            (
                X,
                4,
                3,
                "error",
                "unknown-variant",
                "arm 'control' serves variant 'control', which prompt 'greet' does not declare (its variants: 'short', 'other-pin'); declare it under 'variants:' in prompts/greet.yaml, or serve the prompt as written with 'variant: base'",
            )
        ],
        id="arm-name-is-no-variant",
    ),
    pytest.param(
        {"experiments/again.yaml": EXPERIMENT},
        [
            (
                "experiments/greeting.yaml",
                2,
                9,
                "error",
                "duplicate-experiment",
                "prompt 'greet' is already under experiment 'again' (experiments/again.yaml); a prompt takes part in one experiment at a time: end one of them",
            )
        ],
        id="two-experiments",
    ),
    pytest.param(
        sub(X, "  short: {weight: 25}\n", "  short: {weight: 0.001}\n"),
        [
            (
                X,
                1,
                1,
                "error",
                "schema",
                "arm 'short' gets less than 1/10,000 of the traffic; raise its weight",
            )
        ],
        id="starved-arm",
    ),
    pytest.param(
        sub(X, "prompt: greet", "prompt: gret"),
        [(X, 2, 9, "error", "unknown-prompt", "unknown prompt 'gret'; did you mean 'greet'?")],
        id="unknown-prompt",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_diagnostic(
    tmp_path: Path, changes: dict[str, str], expected: list[tuple[str, int, int, str, str, str]]
) -> None:
    write_files(tmp_path, {**REPO, **changes})
    repo = load_repository(tmp_path, today=TODAY)
    found = [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]
    assert found == expected


def test_the_starting_repository_is_valid(tmp_path: Path) -> None:
    write_files(tmp_path, REPO)
    repo = load_repository(tmp_path, today=TODAY)
    assert repo.diagnostics == ()
    assert set(repo.prompts["greet"].variants) == {"short", "other-pin"}
    assert repo.experiments["greeting"].buckets() == {
        "control": 5000,
        "short": 2500,
        "pinned": 2500,
    }


@pytest.mark.parametrize(
    ("weights", "buckets"),
    [
        ((1, 1, 1), (3334, 3333, 3333)),
        ((2, 1), (6667, 3333)),
        ((90, 10), (9000, 1000)),
        ((0.5, 0.25, 0.25), (5000, 2500, 2500)),
        ((1, 1, 1, 1, 1, 1, 1), (1429, 1429, 1429, 1429, 1428, 1428, 1428)),
    ],
)
def test_weights_become_whole_buckets_summing_to_10000(
    weights: tuple[float, ...], buckets: tuple[int, ...]
) -> None:
    from promptops.spec import Experiment

    arms = {f"a{i}": {"weight": w} for i, w in enumerate(weights)}
    spec = Experiment.model_validate({"prompt": "p", "arms": arms, "metrics": [{"name": "m"}]})
    assert tuple(spec.buckets().values()) == buckets

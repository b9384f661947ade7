"""Side-by-side runs (issue 14, item 2): targets, the table, intervals, disagreements."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.evals.matrix import mean_interval
from tests.helpers import run_cli

TWO_PINS = """\
models:
  default:
    provider: echo
    model: echo-2024-01-01
    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}
  pricey:
    provider: echo
    model: echo-2025-01-01
    pricing: {input_per_mtok: 10.0, output_per_mtok: 20.0}
"""


def test_two_pins_and_a_candidate_side_by_side(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "models.yaml").write_text(TWO_PINS, encoding="utf-8")
    argv = ["eval", str(repo), "--pin", "default", "--pin", "pricey", "--model",
            "replay:some-model-2025-01-01", "--no-cache"]  # fmt: skip
    code, out, _ = run_cli(argv, capsys)
    assert code == 1  # replay has no recording for the candidate: errors
    lines = out.splitlines()
    assert lines[0].split() == ["target", "pass", "fail", "error", "judge", "scores", "(95%",
                                "CI)", "tokens", "cost", "p50", "ms", "p95", "ms"]  # fmt: skip
    assert lines[1].split()[:7] == ["default", "1/1", "(100%)", "0", "0", "-", "15"]
    assert lines[1].split()[7] == "$0.000020"
    assert lines[2].split()[7] == "$0.000200"  # same tokens, the pin's own prices
    assert lines[3].split()[:5] == ["replay:some-model-2025-01-01", "0/1", "(0%)", "0", "1"]
    assert lines[3].split()[7] == "n/a"  # a candidate nobody priced
    assert lines[5:] == [
        "1 case(s) where the targets disagree",
        "  evals/greet.yaml :: says-hello: PASS / PASS / ERROR "
        "(default / pricey / replay:some-model-2025-01-01)",
    ]


def test_unknown_target_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["eval", str(repo), "--pin", "defualt"], capsys)
    assert code == 2
    assert err.endswith("did you mean 'default'?\n")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([0.5], (0.5, 0.0)), ([0.6, 0.8], (0.7, 12.706 * 0.1414213562 / 1.4142135624))],
)
def test_mean_interval_is_students_t(
    values: list[float], expected: tuple[float, float] | None
) -> None:
    got = mean_interval(values)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got == pytest.approx(expected, rel=1e-6)

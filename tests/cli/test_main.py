from __future__ import annotations

import pytest

from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["valdate"], "No such command 'valdate'. Did you mean 'validate'?"),
        (["relase", "v1"], "No such command 'relase'. Did you mean 'release'?"),
        (["frobnicate"], "No such command 'frobnicate'. See 'promptops --help'."),
    ],
)
def test_a_mistyped_command_names_the_one_it_missed(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(argv, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"Error: {message}"

from __future__ import annotations

import subprocess
import sys


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "promptops", "no-such-command"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "No such command 'no-such-command'. See 'promptops --help'." in out.stderr
    assert "Traceback" not in out.stderr

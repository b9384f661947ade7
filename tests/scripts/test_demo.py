"""`make demo` runs end to end: every step's exit code is checked by the script itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def test_demo_runs_every_step_offline(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "PROMPTOPS_SIGNING_KEY"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "[unknown-model]" in out  # the broken copy's diagnostic
    assert "verified release v1 (serial 1)" in out
    assert "promptops-signature: " in out  # the tag carries the release signature
    assert "wrote policies/trust/2.json (trust version 2)" in out
    assert "release v2 (serial 2), trust version 2" in out  # walked without a redeploy
    assert "re-signed channel production -> v2 (serial 2)" in out
    assert "unsigned bytes appended" in out  # the tampered copy is refused
    assert "Say the money reaches the original payment method" in out  # rendered
    assert "provenance: release v1 serial 1" in out
    assert "tool check issue_refund: needs_approval" in out
    assert "fallback: long-context (anthropic/claude-sonnet-4-5-20250929)" in out
    assert "22 cases: 22 passed, 0 failed" in out  # 19 cases, 3 run again on a variant
    assert "PASS evals/support/answer.yaml :: answers-from-the-article @concise" in out
    # experiments/answer-length.yaml: users keep their arm (a hash of name and key).
    assert "user-1: arm control (variant None), max_tokens 800" in out
    assert "user-2: arm concise (variant concise), max_tokens 300" in out
    assert "REGRESSION evals/support/refund-reply.yaml" in out
    assert "Demo finished." in out
    # Everything happened in the temporary workspace, nothing in this checkout.
    assert any(tmp_path.glob("promptops-demo-*/site/channels/production.json"))

"""Which family and kind a repository path belongs to, from its name alone.

Kept apart from the file checks (``filecheck``, which needs PyYAML and every checker): a
load answered from the store names files without checking any.
"""

from __future__ import annotations

import re

__all__ = ["FIXED_KINDS", "FIXED_PATHS", "classify", "usual_kind"]

# The four files at fixed paths, and the kind each one is.
FIXED_KINDS: dict[str, str] = {
    "models.yaml": "models",
    "policies/tools.yaml": "tools",
    "policies/rules.yaml": "rules",
    "policies/signers.yaml": "signers",
}
FIXED_PATHS = frozenset(FIXED_KINDS)

_TRUST_VERSION = re.compile(r"^policies/trust/[1-9][0-9]{0,8}\.json$")


def classify(path: str) -> str | None:
    """Which family a repository path belongs to: fixed, prompt, eval, trust (a version of
    the trust chain), or None (ignored)."""
    if _TRUST_VERSION.match(path):
        return "trust"
    if path.endswith(".yaml"):  # canonical: .yml files arrive renamed (names.py)
        if path.startswith("prompts/"):
            return "prompt"
        if path.startswith("evals/"):
            return "eval"
        if path.startswith("experiments/"):
            return "experiment"
        if path in FIXED_KINDS:
            return "fixed"
    return None


def usual_kind(path: str) -> str | None:
    """The kind a loadable file at ``path`` usually has (a file under prompts/ is a prompt
    unless it says it is an instruction or a partial), or None for no source file."""
    family = classify(path)
    if family == "fixed":
        return FIXED_KINDS[path]
    return family

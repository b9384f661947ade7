"""Forbidden patterns: the default set catches credentials pasted into prompt files."""

from __future__ import annotations

import re

from promptops.repo.textpos import text_position

__all__ = ["DEFAULT_PATTERNS", "Finding", "PatternSet"]

# (name, regex, what it is). Anthropic before OpenAI: both start with "sk-".
DEFAULT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("anthropic", r"\bsk-ant-[A-Za-z0-9_-]{20,}", "an Anthropic API key"),
    ("openai", r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", "an OpenAI API key"),
    ("aws", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id"),
    ("github", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})", "a GitHub token"),
    ("slack", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", "a Slack token"),
    ("google", r"\bAIza[0-9A-Za-z_-]{35}", "a Google API key"),
    ("pem", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----", "a PEM private key"),
)

# Literal substrings every default pattern contains: a cheap C-speed filter that spares the
# regex scan on almost every file.
_MARKERS = (
    "sk-",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "AIza",
    "PRIVATE KEY",
)

# (1-based line, 1-based col, message)
Finding = tuple[int, int, str]


class PatternSet:
    """Compiled default and user patterns, searched over a whole file's text."""

    def __init__(self, defaults: bool, user: list[tuple[re.Pattern[str], str]]) -> None:
        self._default = (
            re.compile("|".join(f"(?P<{n}>{rx})" for n, rx, _ in DEFAULT_PATTERNS))
            if defaults
            else None
        )
        self._what = {n: what for n, _, what in DEFAULT_PATTERNS}
        self._user = user

    def search(self, text: str) -> list[Finding]:
        """Every match, positioned; default matches say which credential it looks like."""
        out: list[Finding] = []
        if self._default is not None and any(m in text for m in _MARKERS):
            for m in self._default.finditer(text):
                what = self._what[m.lastgroup or ""]
                out.append(
                    (
                        *text_position(text, m.start()),
                        f"looks like {what}; remove it from the prompt and rotate the key",
                    )
                )
        for rx, message in self._user:
            for m in rx.finditer(text):
                out.append(
                    (
                        *text_position(text, m.start()),
                        f"{message} (matches forbidden pattern '{rx.pattern}')",
                    )
                )
        out.sort()
        return out

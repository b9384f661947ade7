"""Limits of a diff, in one frozen object so callers can see and change them in one place."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DiffConfig"]


@dataclass(frozen=True)
class DiffConfig:
    """Caps on what a diff reads and reports.

    ``max_diff_lines`` caps each unified diff; ``max_structured_items`` each deepdiff summary;
    ``max_table_rows`` the rows of each Markdown table and ``max_detail_prompts`` how many
    prompts get a full section (a PR comment has a 65,536-character limit on GitHub);
    ``max_output_chars`` the output excerpt per eval case; ``max_comment_chars`` the whole
    Markdown report (details are dropped first, then table rows).
    """

    max_diff_lines: int = 200
    max_structured_items: int = 50
    max_table_rows: int = 200
    max_detail_prompts: int = 50
    max_output_chars: int = 400
    max_comment_chars: int = 60_000

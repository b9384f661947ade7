"""Small renderers of differences: unified text diffs and deepdiff summaries, both capped."""

from __future__ import annotations

import difflib
from typing import Any

__all__ = ["structured_changes", "unified"]

# deepdiff's report keys, in the words a reviewer reads.
_VERBS = {
    "values_changed": "changed",
    "type_changes": "changed type",
    "dictionary_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_added": "added",
    "iterable_item_removed": "removed",
}


def unified(base: str, head: str, label: str, max_lines: int) -> str:
    """A unified diff of two texts, at most ``max_lines`` lines (then a truncation note)."""
    lines = list(
        difflib.unified_diff(
            base.splitlines(),
            head.splitlines(),
            fromfile=f"base/{label}",
            tofile=f"head/{label}",
            lineterm="",
            n=2,
        )
    )
    if len(lines) > max_lines:
        cut = len(lines) - max_lines
        lines = [*lines[:max_lines], f"... {cut} more line(s) not shown"]
    return "\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def structured_changes(base: Any, head: Any, max_items: int) -> list[str]:
    """deepdiff of two JSON values as sorted one-line descriptions (``path: old -> new``)."""
    # Imported here: deepdiff costs about 100 ms to import and most diffs touch no
    # structured part (templates are compared with difflib).
    from deepdiff import DeepDiff

    report = DeepDiff(base, head, ignore_order=False, verbose_level=2)
    items: list[str] = []
    for key, verb in _VERBS.items():
        entries = report.get(key)
        if not entries:
            continue
        for path, value in dict(entries).items():
            where = str(path).removeprefix("root") or "(root)"
            if isinstance(value, dict) and "new_value" in value:
                old, new = value.get("old_value"), value["new_value"]
                items.append(f"{where}: {verb} {_short(old)} -> {_short(new)}")
            else:
                items.append(f"{where}: {verb} {_short(value)}")
    items.sort()
    if len(items) > max_items:
        items = [*items[:max_items], f"... {len(items) - max_items} more"]
    return items
